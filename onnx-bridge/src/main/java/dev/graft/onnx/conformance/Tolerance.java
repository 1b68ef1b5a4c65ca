package dev.graft.onnx.conformance;

/**
 * How close a floating-point output must be to its reference: numpy.testing's {@code assert_allclose}
 * rule, {@code |actual - expected| <= atol + rtol * |expected|} for every element, where NaN matches
 * NaN and an infinity matches the same infinity. Integer and bool outputs are always compared exactly.
 *
 * @param rtol relative tolerance (default 1e-3, as the ONNX backend tests)
 * @param atol absolute tolerance (default 1e-5)
 */
public record Tolerance(double rtol, double atol) {
    public static final Tolerance DEFAULT = new Tolerance(1e-3, 1e-5);

    public Tolerance {
        if (!(rtol >= 0) || !(atol >= 0) || Double.isInfinite(rtol) || Double.isInfinite(atol)) {
            throw new IllegalArgumentException("tolerances must be finite and non-negative, got rtol " + rtol + ", atol " + atol);
        }
    }

    /** Whether {@code actual} is close enough to {@code expected}. */
    public boolean close(double actual, double expected) {
        if (Double.isNaN(expected) || Double.isNaN(actual)) {
            return Double.isNaN(expected) && Double.isNaN(actual);
        }
        if (Double.isInfinite(expected) || Double.isInfinite(actual)) {
            return actual == expected;
        }
        return Math.abs(actual - expected) <= atol + rtol * Math.abs(expected);
    }
}
