package dev.graft.plugins.loss;

import dev.graft.api.GraftApi;
import dev.graft.api.config.NoConfig;
import dev.graft.api.data.Target;
import dev.graft.api.loss.Loss;
import dev.graft.api.loss.LossProvider;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * {@code nll}: negative log-likelihood, like PyTorch's {@code NLLLoss(reduction="mean")}. The model's
 * output {@code o} is {@code [batch, classes]} <em>log-probabilities</em> (end the model with a
 * log-softmax layer); the labels {@code y} are one-hot rows. The loss is the mean over the batch of
 * {@code -sum_c y_c * o_c}, that is minus the log-probability of the true class. {@code log-softmax}
 * followed by {@code nll} is the same objective as {@code softmax-cross-entropy} on the logits.
 * {@link Loss#predictions} returns {@code exp(o)}, the class probabilities.
 */
public final class NllProvider implements LossProvider<NoConfig> {

    public NllProvider() {
    }

    @Override
    public String id() {
        return "nll";
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
        return "negative log-likelihood of log-probability outputs, mean over the batch (PyTorch NLLLoss)";
    }

    @Override
    public Loss create(NoConfig config) {
        return new Loss() {
            @Override
            public SDVariable compute(SameDiff sd, SDVariable output, SDVariable labels) {
                return labels.mul(output).sum(1).mean().neg();
            }

            @Override
            public SDVariable predictions(SameDiff sd, SDVariable output) {
                return sd.math().exp(output);
            }

            @Override
            public String checkTarget(Target target) {
                if (target instanceof Target.Regression r) {
                    return Ops.needsClasses(id(), r, "use mse for regression");
                }
                return null;
            }
        };
    }
}
