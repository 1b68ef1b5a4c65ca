package dev.graft.api.loss;

import dev.graft.api.data.Target;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * A training objective written as SameDiff ops.
 *
 * <p>{@link #compute} receives the model output and the labels of a batch and returns a scalar: the
 * mean loss over the batch. For classification targets the labels arrive one-hot encoded, shape
 * {@code [batch, classes]}, or as class indices {@code [batch]} if {@link #labelFormat()} says so;
 * for regression they have the model output's shape.
 */
public interface Loss {

    /** How a loss wants class labels. */
    enum LabelFormat {
        /** {@code [batch, classes]} rows of zeros with a one at the true class. */
        ONE_HOT,
        /** {@code [batch]} class indices, as floats. */
        INDEX
    }

    /**
     * The form in which this loss receives class labels; the default is {@link LabelFormat#ONE_HOT}.
     * Regression labels always arrive as they are.
     */
    default LabelFormat labelFormat() {
        return LabelFormat.ONE_HOT;
    }

    /** The scalar mean loss of the batch. */
    SDVariable compute(SameDiff sd, SDVariable output, SDVariable labels);

    /**
     * Turns raw model output into predictions (for example softmax probabilities when the loss takes
     * logits). The default returns the output unchanged.
     */
    default SDVariable predictions(SameDiff sd, SDVariable output) {
        return output;
    }

    /**
     * Says whether the model output shape fits this loss and the target, returning null if it does
     * and otherwise what the last layer must produce. The default wants {@code [classes]} for class
     * targets and the target's shape for regression; a loss with another convention (one logit for
     * two classes) overrides it.
     */
    default String checkOutput(dev.graft.api.Shape output, Target target) {
        if (target instanceof Target.Classes c) {
            return output.rank() == 1 && output.dim(0) == c.count() ? null
                    : "the model output has shape " + output + " but the dataset has " + c.count() + " classes; the last layer must produce ["
                    + c.count() + "] (e.g. dense with units: " + c.count() + ")";
        }
        dev.graft.api.Shape want = ((Target.Regression) target).shape();
        return output.equals(want) ? null : "the model output has shape " + output + " but the targets have shape " + want;
    }

    /**
     * Says whether this loss fits the target, returning null if it does and otherwise what is wrong,
     * e.g. "softmax-cross-entropy needs class labels, the dataset has regression targets".
     */
    String checkTarget(Target target);
}
