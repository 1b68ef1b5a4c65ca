package dev.graft.api.loss;

import dev.graft.api.data.Target;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * A training objective written as SameDiff ops.
 *
 * <p>{@link #compute} receives the model output and the labels of a batch and returns a scalar: the
 * mean loss over the batch. For classification targets the labels arrive one-hot encoded, shape
 * {@code [batch, classes]}; for regression they have the model output's shape.
 */
public interface Loss {

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
     * Says whether this loss fits the target, returning null if it does and otherwise what is wrong,
     * e.g. "softmax-cross-entropy needs class labels, the dataset has regression targets".
     */
    String checkTarget(Target target);
}
