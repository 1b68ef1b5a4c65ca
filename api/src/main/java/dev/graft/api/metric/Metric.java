package dev.graft.api.metric;

import dev.graft.api.data.Target;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Scores predictions against labels. */
public interface Metric {

    /** Whether a larger value is better (accuracy) or worse (MSE). */
    boolean higherIsBetter();

    /** Null if the metric applies to the target, else why not. */
    String checkTarget(Target target);

    /**
     * @param predictions {@code [n, classes]} probabilities or scores, or regression outputs
     * @param labels      {@code [n]} class indices, or regression targets
     */
    double compute(INDArray predictions, INDArray labels, Target target);
}
