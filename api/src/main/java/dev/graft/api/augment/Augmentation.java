package dev.graft.api.augment;

import dev.graft.api.Shape;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.SplittableRandom;

/** Randomly alters a training batch. */
public interface Augmentation {

    /**
     * Null if the augmentation works on examples of this shape, else why not (e.g. "random-flip
     * needs images [channels, height, width], got [64]").
     */
    String checkShape(Shape exampleShape);

    /**
     * Returns an augmented copy of {@code batch} ({@code [n, ...exampleShape]}); must not modify its
     * argument. Use only {@code rng} for randomness so runs repeat.
     */
    INDArray apply(INDArray batch, SplittableRandom rng);
}
