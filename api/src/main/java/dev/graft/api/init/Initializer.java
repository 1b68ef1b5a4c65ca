package dev.graft.api.init;

import java.util.SplittableRandom;

/** Computes the initial values of one parameter. */
public interface Initializer {
    /**
     * Returns {@code count} initial values, in the parameter's C (row-major) order.
     *
     * @param count number of values
     * @param fan   fan-in and fan-out of the parameter
     * @param rng   a generator seeded for this parameter; use only it for randomness
     */
    double[] values(long count, Fan fan, SplittableRandom rng);
}
