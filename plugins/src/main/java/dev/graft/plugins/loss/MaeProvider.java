package dev.graft.plugins.loss;

import dev.graft.api.GraftApi;
import dev.graft.api.config.NoConfig;
import dev.graft.api.data.Target;
import dev.graft.api.loss.Loss;
import dev.graft.api.loss.LossProvider;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * {@code mae}: mean absolute error, {@code mean(|output - labels|)} over <em>all</em> elements of the
 * batch, like PyTorch's {@code L1Loss(reduction="mean")}. Regression targets only; the labels have the
 * output's shape. Less sensitive to outliers than {@code mse}; its gradient is {@code sign(output -
 * labels) / n}, so it does not shrink as the error does (consider {@code huber} for a smooth middle).
 */
public final class MaeProvider implements LossProvider<NoConfig> {

    public MaeProvider() {
    }

    @Override
    public String id() {
        return "mae";
    }

    @Override
    public String version() {
        return "1.0.0";
    }

    @Override
    public String apiVersion() {
        return GraftApi.VERSION;
    }

    @Override
    public Class<NoConfig> configType() {
        return NoConfig.class;
    }

    @Override
    public String description() {
        return "mean absolute error over all elements (PyTorch L1Loss, reduction mean)";
    }

    @Override
    public Loss create(NoConfig config) {
        return new Loss() {
            @Override
            public SDVariable compute(SameDiff sd, SDVariable output, SDVariable labels) {
                return sd.math().abs(output.sub(labels)).mean();
            }

            @Override
            public String checkTarget(Target target) {
                return target instanceof Target.Classes c ? Ops.needsRegression(id(), c) : null;
            }
        };
    }
}
