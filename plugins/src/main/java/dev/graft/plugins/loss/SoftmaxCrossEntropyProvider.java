package dev.graft.plugins.loss;

import dev.graft.api.GraftApi;
import dev.graft.api.config.NoConfig;
import dev.graft.api.data.Target;
import dev.graft.api.loss.Loss;
import dev.graft.api.loss.LossProvider;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * {@code softmax-cross-entropy}: the classification loss on logits, like PyTorch's
 * {@code CrossEntropyLoss()}. The model's output {@code z} is {@code [batch, classes]} unnormalised
 * scores (do not end the model with a softmax layer); the labels {@code y} are one-hot rows. The loss
 * is the mean over the batch of {@code -sum_c y_c * log softmax(z)_c}.
 *
 * <p>It is computed stably as {@code log softmax(z) = (z - m) - log(sum(exp(z - m)))} with
 * {@code m = max(z)} per row, from ops whose gradients are checked ({@code nn.logSoftmax} has a broken
 * backward pass in ND4J 1.0.0-M2.1). {@link Loss#predictions} returns {@code softmax(z)}, the class
 * probabilities that metrics and {@code graft predict} see.
 */
public final class SoftmaxCrossEntropyProvider implements LossProvider<NoConfig> {

    public SoftmaxCrossEntropyProvider() {
    }

    @Override
    public String id() {
        return "softmax-cross-entropy";
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
        return "cross-entropy of softmax(logits) against one-hot labels, mean over the batch (PyTorch CrossEntropyLoss)";
    }

    @Override
    public Loss create(NoConfig config) {
        return new Loss() {
            @Override
            public SDVariable compute(SameDiff sd, SDVariable output, SDVariable labels) {
                SDVariable shifted = output.sub(output.max(true, 1));
                SDVariable logSumExp = sd.math().log(sd.math().exp(shifted).sum(true, 1));
                SDVariable logProbabilities = shifted.sub(logSumExp);
                return labels.mul(logProbabilities).sum(1).mean().neg();
            }

            @Override
            public SDVariable predictions(SameDiff sd, SDVariable output) {
                return sd.nn().softmax(output, 1);
            }

            @Override
            public String checkTarget(Target target) {
                if (target instanceof Target.Regression r) {
                    return "softmax-cross-entropy needs class labels, the dataset has regression targets of shape "
                            + r.shape() + "; use mse for regression";
                }
                return null;
            }
        };
    }
}
