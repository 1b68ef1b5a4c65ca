package dev.graft.plugins.init;

import java.util.SplittableRandom;

/** Array allocation and random draws shared by the initializers. */
final class Values {
    private Values() {
    }

    /** A new array of {@code count} values. */
    static double[] array(long count) {
        if (count < 0 || count > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("cannot initialise " + count + " values; a parameter holds at most "
                    + (Integer.MAX_VALUE - 8));
        }
        return new double[(int) count];
    }

    /** {@code count} values uniform on {@code [low, high)}. */
    static double[] uniform(long count, double low, double high, SplittableRandom rng) {
        double[] v = array(count);
        double width = high - low;
        for (int i = 0; i < v.length; i++) {
            v[i] = low + width * rng.nextDouble();
        }
        return v;
    }

    /**
     * {@code count} values from a normal distribution, by Marsaglia's polar method: draw {@code (u, v)}
     * uniform on the square {@code [-1, 1)^2} until {@code s = u^2 + v^2} lies in {@code (0, 1)}; then
     * {@code u * sqrt(-2 ln s / s)} and {@code v * sqrt(-2 ln s / s)} are two independent standard
     * normal values. ({@link SplittableRandom} has no {@code nextGaussian} in Java 17.)
     */
    static double[] normal(long count, double mean, double std, SplittableRandom rng) {
        double[] out = array(count);
        int i = 0;
        while (i < out.length) {
            double u;
            double v;
            double s;
            do {
                u = 2 * rng.nextDouble() - 1;
                v = 2 * rng.nextDouble() - 1;
                s = u * u + v * v;
            } while (s >= 1 || s == 0);
            double factor = Math.sqrt(-2 * Math.log(s) / s);
            out[i++] = mean + std * u * factor;
            if (i < out.length) {
                out[i++] = mean + std * v * factor;
            }
        }
        return out;
    }

    /** {@code count} copies of {@code value}. */
    static double[] constant(long count, double value) {
        double[] v = array(count);
        java.util.Arrays.fill(v, value);
        return v;
    }

    /** Checks a config number is finite; {@code key} names the config key. */
    static void requireFinite(String key, double value) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException(key + " must be a finite number, got " + value);
        }
    }

    /** Checks a config number is finite and positive; {@code key} names the config key. */
    static void requirePositive(String key, double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(key + " must be a finite positive number, got " + value);
        }
    }
}
