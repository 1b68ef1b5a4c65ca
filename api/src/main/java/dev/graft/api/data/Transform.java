package dev.graft.api.data;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

/** An unfitted transform. */
public interface Transform {
    /** Learns statistics from the training features {@code [n, ...shape]}. */
    Fitted fit(INDArray trainFeatures);

    /** Recreates a fitted transform from {@link Fitted#state()}. */
    Fitted restore(Map<String, INDArray> state);

    /** A fitted transform. */
    interface Fitted {
        /** Returns transformed features; must not modify its argument. */
        INDArray apply(INDArray features);

        /** What {@link Transform#restore(Map)} needs; saved with the model. */
        Map<String, INDArray> state();
    }
}
