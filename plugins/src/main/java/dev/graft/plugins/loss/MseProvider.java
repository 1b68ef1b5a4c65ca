package dev.graft.plugins.loss;

import dev.graft.api.GraftApi;
import dev.graft.api.config.NoConfig;
import dev.graft.api.data.Target;
import dev.graft.api.loss.Loss;
import dev.graft.api.loss.LossProvider;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * {@code mse}: mean squared error, {@code mean((output - labels)^2)} over <em>all</em> elements of
 * the batch, like PyTorch's {@code MSELoss(reduction="mean")}. For a regression target the labels
 * have the output's shape. It also accepts class targets (labels one-hot, {@code [batch, classes]}),
 * which gives the old-fashioned squared-error classifier; prefer {@code softmax-cross-entropy} there.
 */
public final class MseProvider implements LossProvider<NoConfig> {

    public MseProvider() {
    }

    @Override
    public String id() {
        return "mse";
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
        return "mean squared error over all elements (PyTorch MSELoss, reduction mean)";
    }

    @Override
    public Loss create(NoConfig config) {
        return new Loss() {
            @Override
            public SDVariable compute(SameDiff sd, SDVariable output, SDVariable labels) {
                SDVariable diff = output.sub(labels);
                return diff.mul(diff).mean();
            }

            @Override
            public String checkTarget(Target target) {
                return null;
            }
        };
    }
}
