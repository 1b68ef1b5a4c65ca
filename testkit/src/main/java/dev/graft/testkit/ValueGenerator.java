package dev.graft.testkit;

import java.util.SplittableRandom;

/**
 * Draws the values the testkit puts into inputs, parameters and labels.
 *
 * <p>The default everywhere is {@link #uniform(double, double) uniform(-1, 1)}. Layers with a kink
 * (ReLU and leaky ReLU at 0, absolute value, max) need inputs that stay away from it, because a
 * central difference that straddles a kink measures the average of the two one-sided slopes:
 * <pre>{@code
 * GradientCheck.layer(relu).inputs(Shape.of(6)).inputValues(ValueGenerator.awayFromZero(0.1, 1)).check();
 * }</pre>
 */
@FunctionalInterface
public interface ValueGenerator {

    /** The next value, drawn from {@code rng} only (so checks repeat for the same seed). */
    double next(SplittableRandom rng);

    /** Uniform on {@code [low, high)}. */
    static ValueGenerator uniform(double low, double high) {
        if (!(low < high)) {
            throw new IllegalArgumentException("uniform needs low < high, got " + low + ", " + high);
        }
        return rng -> low + (high - low) * rng.nextDouble();
    }

    /**
     * A random sign times a magnitude uniform on {@code [min, max)}: values never come closer to 0
     * than {@code min}. Use {@code awayFromZero(0.1, 1)} for ReLU-like layers.
     */
    static ValueGenerator awayFromZero(double min, double max) {
        if (!(0 <= min && min < max)) {
            throw new IllegalArgumentException("awayFromZero needs 0 <= min < max, got " + min + ", " + max);
        }
        return rng -> {
            double magnitude = min + (max - min) * rng.nextDouble();
            return rng.nextBoolean() ? magnitude : -magnitude;
        };
    }

    /** The same value every time; handy for masks or to reproduce a failure by hand. */
    static ValueGenerator constant(double value) {
        return rng -> value;
    }
}
