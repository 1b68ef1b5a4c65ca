package dev.graft.plugins.loss;

import dev.graft.api.GraftApi;
import dev.graft.api.config.Default;
import dev.graft.api.config.Doc;
import dev.graft.api.data.Target;
import dev.graft.api.loss.Loss;
import dev.graft.api.loss.LossProvider;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

import java.util.Arrays;

/**
 * {@code binary-cross-entropy}: binary cross-entropy on logits, like PyTorch's
 * {@code BCEWithLogitsLoss(reduction="mean", pos_weight=pw)}. Each output element {@code x} is the
 * logit of an independent yes/no probability {@code sigmoid(x)}; its label {@code y} is 0 or 1 (values
 * in between are allowed, as soft targets). Per element:
 * <pre>
 * l = -(pw * y * log sigmoid(x) + (1 - y) * log(1 - sigmoid(x)))
 *   = (1 - y) * x + (1 + (pw - 1) * y) * (log(1 + exp(-|x|)) + max(-x, 0))
 * </pre>
 * which for {@code pw = 1} is {@code max(x, 0) - x * y + log(1 + exp(-|x|))}; the loss is the mean of
 * {@code l} over <em>all</em> elements of the batch. This form never takes the exponential of a large
 * positive number, so huge logits neither overflow nor lose the gradient.
 *
 * <p>Two kinds of target fit:
 * <ul>
 *   <li>regression targets of any shape holding 0/1 values: multi-label classification, one logit per
 *       label; the model's output has the target's shape;</li>
 *   <li>class targets with exactly 2 classes: the model's output is a single unit {@code [1]}, the
 *       logit of class 1 (the second class name). The loss takes class indices
 *       ({@link Loss#labelFormat()} is {@link Loss.LabelFormat#INDEX}) and compares them with the
 *       flattened logits; an output with more than one unit then fails with a shape error rather
 *       than training the wrong objective (the loss cannot see the output shape before the graph
 *       runs).</li>
 * </ul>
 * {@link Loss#predictions} returns {@code sigmoid(x)}: per element the probability of 1; for two
 * classes a single column {@code [batch, 1]}, which the classification metrics read as the probability
 * of class 1 and threshold at 0.5.
 */
public final class BinaryCrossEntropyProvider implements LossProvider<BinaryCrossEntropyProvider.Config> {

    /** Options of {@code binary-cross-entropy}. */
    public record Config(
            @Doc("weight of the positive (y = 1) term, > 0; above 1 favours recall on a rare positive class")
            @Default("1.0") double posWeight) {
        public Config {
            if (!(posWeight > 0) || Double.isInfinite(posWeight)) {
                throw new IllegalArgumentException("pos-weight must be a finite positive number, got " + posWeight);
            }
        }
    }

    public BinaryCrossEntropyProvider() {
    }

    @Override
    public String id() {
        return "binary-cross-entropy";
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
        return "binary cross-entropy of sigmoid(logits) for 0/1 targets, stable for large logits (PyTorch BCEWithLogitsLoss)";
    }

    @Override
    public Loss create(Config config) {
        return new BinaryCrossEntropy(id(), config.posWeight());
    }

    private static final class BinaryCrossEntropy implements Loss {
        private final String id;
        private final double posWeight;
        /** Whether the last target that passed {@link #checkTarget} had two classes. */
        private volatile boolean twoClasses;

        BinaryCrossEntropy(String id, double posWeight) {
            this.id = id;
            this.posWeight = posWeight;
        }

        /** Class labels as indices, so two classes need a single output unit; regression labels are unaffected. */
        @Override
        public LabelFormat labelFormat() {
            return LabelFormat.INDEX;
        }

        @Override
        public SDVariable compute(SameDiff sd, SDVariable output, SDVariable labels) {
            SDVariable x = output;
            SDVariable y = labels;
            if (twoClasses || (rank(labels) == 1 && rank(output) == 2)) {
                long[] out = shape(output);
                if (out != null && (out.length != 2 || out[1] != 1)) {
                    throw new IllegalArgumentException(id + " with class labels needs a model output of one logit per example,"
                            + " [1], got " + Arrays.toString(Arrays.copyOfRange(out, 1, out.length))
                            + "; end the model with dense units: 1, or use softmax-cross-entropy for one output per class");
                }
                // [batch, 1] logits against [batch] indices, flattened: an output of any other width then fails
                // to broadcast against the labels instead of training the wrong thing
                x = output.reshape(-1);
                y = labels.reshape(-1);
            }
            if (y.dataType() != x.dataType()) {
                y = y.castTo(x.dataType());
            }
            // log(1 + exp(-|x|)): the exponent is <= 0, so this never overflows
            SDVariable softplusOfMinusAbs = sd.math().log(sd.math().exp(sd.math().abs(x).neg()).add(1.0));
            SDVariable l;
            if (posWeight == 1.0) {
                l = sd.nn().relu(x, 0).sub(x.mul(y)).add(softplusOfMinusAbs);
            } else {
                SDVariable logWeight = y.mul(posWeight - 1).add(1.0);
                SDVariable minusLogSigmoid = softplusOfMinusAbs.add(sd.nn().relu(x.neg(), 0));
                l = y.rsub(1.0).mul(x).add(logWeight.mul(minusLogSigmoid));
            }
            return l.mean();
        }

        /** The static shape of a variable (-1 for an unknown batch), or null if SameDiff does not know it yet. */
        private static long[] shape(SDVariable v) {
            try {
                return v.getShape();
            } catch (RuntimeException e) {
                return null;
            }
        }

        /** The static rank of a variable, or -1 if SameDiff does not know it yet. */
        private static int rank(SDVariable v) {
            long[] s = shape(v);
            return s == null ? -1 : s.length;
        }

        @Override
        public SDVariable predictions(SameDiff sd, SDVariable output) {
            return sd.nn().sigmoid(output);
        }

        @Override
        public String checkOutput(dev.graft.api.Shape output, Target target) {
            if (target instanceof Target.Classes) {
                return output.rank() == 1 && output.dim(0) == 1 ? null
                        : "the model output has shape " + output + "; " + id + " on two classes needs one logit per example, [1]"
                        + " (e.g. dense with units: 1)";
            }
            return Loss.super.checkOutput(output, target);
        }

        @Override
        public String checkTarget(Target target) {
            if (target instanceof Target.Classes c) {
                if (c.count() != 2) {
                    return id + " fits 2 classes (one output unit) or 0/1 regression targets, the dataset has "
                            + c.count() + " classes; use softmax-cross-entropy";
                }
                twoClasses = true;
            } else {
                twoClasses = false;
            }
            return null;
        }
    }
}
