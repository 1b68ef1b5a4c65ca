package dev.graft.api.data;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A set of examples held in memory.
 *
 * @param features float array {@code [n, ...featureShape]}
 * @param labels   for classes, {@code [n]} class indices (stored as float); for regression
 *                 {@code [n, ...targetShape]}
 */
public record Examples(INDArray features, INDArray labels) {
    public Examples {
        if (features.size(0) != labels.size(0)) {
            throw new IllegalArgumentException("features have " + features.size(0) + " rows but labels have " + labels.size(0));
        }
    }

    public long size() {
        return features.size(0);
    }
}
