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

    /**
     * Returns the initial values of a parameter of the given shape, in C order. Graft calls this
     * method; the default ignores the shape and delegates to {@link #values(long, Fan,
     * SplittableRandom)}. Initializers that need the layout (orthogonal matrices, per-slice values)
     * override it.
     */
    default double[] values(long[] shape, Fan fan, SplittableRandom rng) {
        long count = 1;
        for (long d : shape) {
            count *= d;
        }
        return values(count, fan, rng);
    }
}
