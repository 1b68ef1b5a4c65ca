package dev.graft.plugins.loss;

import org.nd4j.autodiff.loss.LossReduce;
import dev.graft.api.GraftApi;
import dev.graft.api.config.Default;
import dev.graft.api.config.Doc;
import dev.graft.api.data.Target;
import dev.graft.api.loss.Loss;
import dev.graft.api.loss.LossProvider;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

/**
 * {@code softmax-cross-entropy}: the classification loss on logits, like PyTorch's
 * {@code CrossEntropyLoss(weight=w, label_smoothing=s, reduction="mean")}. The model's output
 * {@code z} is {@code [batch, classes]} unnormalised scores (do not end the model with a softmax
 * layer). With {@code p = log softmax(z)}, the one-hot label rows {@code Y} and {@code C} classes:
 * <pre>
 * T    = (1 - s) * Y + s / C                        (the smoothed target; T = Y when s = 0)
 * loss = -sum_i sum_c T_ic * w_c * p_ic  /  sum_i sum_c Y_ic * w_c
 * </pre>
 * Without {@code class-weights} every {@code w_c} is 1, the denominator is the batch size and the loss
 * is the plain mean over the batch of {@code -sum_c T_c * p_c}. With weights it is PyTorch's weighted
 * mean {@code sum_i w_{y_i} * loss_i / sum_i w_{y_i}}, where label smoothing spreads
 * {@code s / C} over every class with that class's weight, as PyTorch does for class-index targets.
 *
 * <p>Labels arrive as one-hot rows by default; with {@code labels: index} the loss asks for class
 * indices {@code [batch]} ({@link Loss#labelFormat()} is {@link Loss.LabelFormat#INDEX}) and builds the
 * one-hot rows inside the graph with {@code oneHot}. Both give the same value. The index form needs the
 * number of classes when the graph is built: it is taken from {@code class-weights} if given, else
 * from the target passed to {@link Loss#checkTarget}, which Graft calls before {@link Loss#compute}.
 *
 * <p>Without weights and smoothing the loss is ND4J's fused {@code softmax_cross_entropy_loss} op
 * (mean over the batch). Otherwise {@code log softmax} is computed stably as {@code (z - m) - log(sum(exp(z - m)))} with
 * {@code m = max(z)} per row, from ops whose gradients are checked ({@code nn.logSoftmax} has a broken
 * backward pass in ND4J 1.0.0-M2.1). {@link Loss#predictions} returns {@code softmax(z)}, the class
 * probabilities that metrics and {@code graft predict} see.
 */
public final class SoftmaxCrossEntropyProvider implements LossProvider<SoftmaxCrossEntropyProvider.Config> {

    /** How the loss takes class labels. */
    public enum Labels {
        /** One-hot rows {@code [batch, classes]}. */
        ONE_HOT,
        /** Class indices {@code [batch]}, one-hot encoded inside the graph. */
        INDEX
    }

    /** Options of {@code softmax-cross-entropy}. */
    public record Config(
            @Doc("how class labels reach the loss: one-hot rows [batch, classes] or class indices [batch]")
            @Default("one-hot") Labels labels,
            @Doc("label smoothing s in [0, 1): the target becomes (1 - s) * one-hot + s / classes")
            @Default("0.0") double labelSmoothing,
            @Doc("one positive weight per class; the loss becomes sum(w_y * loss) / sum(w_y) (absent: all 1)")
            @Default(Default.NULL) List<Double> classWeights) {
        public Config {
            if (labels == null) {
                throw new IllegalArgumentException("labels must be one-hot or index");
            }
            if (!(labelSmoothing >= 0 && labelSmoothing < 1)) {
                throw new IllegalArgumentException("label-smoothing must be in [0, 1), got " + labelSmoothing);
            }
            if (classWeights != null) {
                if (classWeights.isEmpty()) {
                    throw new IllegalArgumentException("class-weights must list one positive number per class, got an empty list");
                }
                for (int i = 0; i < classWeights.size(); i++) {
                    Double w = classWeights.get(i);
                    if (w == null || !(w > 0) || w.isInfinite()) {
                        throw new IllegalArgumentException("class-weights must be finite positive numbers, got " + w
                                + " for class " + i);
                    }
                }
                classWeights = List.copyOf(classWeights);
            }
        }

        /** The defaults: one-hot labels, no smoothing, no weights (PyTorch's plain CrossEntropyLoss). */
        public static Config defaults() {
            return new Config(Labels.ONE_HOT, 0.0, null);
        }
    }

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
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public String description() {
        return "cross-entropy of softmax(logits) with optional label smoothing and class weights (PyTorch CrossEntropyLoss)";
    }

    @Override
    public Loss create(Config config) {
        return new CrossEntropy(id(), config);
    }

    private static final class CrossEntropy implements Loss {
        private final String id;
        private final Config config;
        /** The number of classes of the last target that passed {@link #checkTarget}; 0 if none did. */
        private volatile int classes;

        CrossEntropy(String id, Config config) {
            this.id = id;
            this.config = config;
        }

        @Override
        public LabelFormat labelFormat() {
            return config.labels() == Labels.INDEX ? LabelFormat.INDEX : LabelFormat.ONE_HOT;
        }

        @Override
        public SDVariable compute(SameDiff sd, SDVariable output, SDVariable labels) {
            DataType type = output.dataType();
            SDVariable y = config.labels() == Labels.INDEX
                    ? sd.oneHot(null, labels.castTo(DataType.INT64), depth(), 1, 1.0, 0.0, type)
                    : labels;
            if (config.classWeights() == null && config.labelSmoothing() == 0) {
                // the plain mean: ND4J's fused op, one op forward and one backward instead of a dozen
                // (its gradient, softmax(z) - Y over the batch, is checked against PyTorch in the tests)
                return sd.loss().softmaxCrossEntropy(y, output, null, LossReduce.MEAN_BY_NONZERO_WEIGHT_COUNT, 0.0);
            }
            SDVariable logP = Ops.logSoftmax(sd, output);
            SDVariable weighted = logP;
            SDVariable denominator = null;
            if (config.classWeights() != null) {
                double[] w = config.classWeights().stream().mapToDouble(Double::doubleValue).toArray();
                SDVariable weights = sd.constant(Nd4j.createFromArray(w).reshape(1, w.length).castTo(type));
                weighted = logP.mul(weights);
                denominator = y.mul(weights).sum();
            }
            double s = config.labelSmoothing();
            SDVariable perRow = y.mul(weighted).sum(1);
            if (s > 0) {
                // (1 - s) * sum_c Y w p + s * mean_c w p  ==  sum_c ((1 - s) Y + s / C) w p
                perRow = perRow.mul(1 - s).add(weighted.mean(1).mul(s));
            }
            return denominator == null ? perRow.mean().neg() : perRow.sum().div(denominator).neg();
        }

        private int depth() {
            if (config.classWeights() != null) {
                return config.classWeights().size();
            }
            if (classes > 0) {
                return classes;
            }
            throw new IllegalStateException(id + " with labels: index needs the number of classes: call checkTarget(target)"
                    + " before compute, or give class-weights");
        }

        @Override
        public SDVariable predictions(SameDiff sd, SDVariable output) {
            return sd.nn().softmax(output, 1);
        }

        @Override
        public String checkTarget(Target target) {
            if (target instanceof Target.Regression r) {
                return Ops.needsClasses(id, r, "use mse for regression");
            }
            int count = ((Target.Classes) target).count();
            List<Double> w = config.classWeights();
            if (w != null && w.size() != count) {
                return id + ": class-weights has " + w.size() + " value" + (w.size() == 1 ? "" : "s")
                        + " but the dataset has " + count + " classes; give one weight per class";
            }
            classes = count;
            return null;
        }
    }
}
