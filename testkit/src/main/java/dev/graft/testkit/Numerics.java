package dev.graft.testkit;

import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;

/** The finite-difference comparison shared by the layer and loss checks. */
final class Numerics {
    private final long seed;
    private final int maxPerArray;
    private final double epsilon;
    private final double maxRelativeError;
    private final double minAbsoluteError;

    Numerics(long seed, int maxPerArray, double epsilon, double maxRelativeError, double minAbsoluteError) {
        this.seed = seed;
        this.maxPerArray = maxPerArray;
        this.epsilon = epsilon;
        this.maxRelativeError = maxRelativeError;
        this.minAbsoluteError = minAbsoluteError;
    }

    /** A float64 array of the given shape filled from the generator. */
    static INDArray fill(long[] shape, ValueGenerator generator, SplittableRandom rng) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        double[] values = new double[Math.toIntExact(n)];
        for (int i = 0; i < values.length; i++) {
            values[i] = generator.next(rng);
        }
        return Nd4j.create(values, shape, DataType.DOUBLE);
    }

    /**
     * Compares analytic and central-difference gradients of {@code objective} for each variable.
     *
     * @param arrays   display name to SameDiff variable name, in order
     * @param analytic SameDiff's gradients by variable name (null entries count as zero)
     */
    GradientCheck.Result compare(String what, SameDiff sd, String objective, Map<String, INDArray> feed,
                                 Map<String, String> arrays, Map<String, INDArray> analytic) {
        List<GradientCheck.Element> failures = new ArrayList<>();
        List<GradientCheck.Element> worstPerArray = new ArrayList<>();
        GradientCheck.Element worst = null;
        int checked = 0;
        SplittableRandom rng = new SplittableRandom(seed ^ 0x9E3779B97F4A7C15L);
        for (var entry : arrays.entrySet()) {
            String label = entry.getKey();
            INDArray value = sd.getVariable(entry.getValue()).getArr();
            INDArray grad = analytic.get(entry.getValue());
            if (grad != null && !Arrays.equals(grad.shape(), value.shape())) {
                throw new AssertionError(what + ": the gradient of " + label + " has shape "
                        + Arrays.toString(grad.shape()) + " but the array has shape " + Arrays.toString(value.shape()));
            }
            GradientCheck.Element arrayWorst = null;
            for (long i : sample(value.length(), rng.split())) {
                double original = value.getDouble(i);
                value.putScalar(i, original + epsilon);
                double plus = evaluate(what, sd, objective, feed);
                value.putScalar(i, original - epsilon);
                double minus = evaluate(what, sd, objective, feed);
                value.putScalar(i, original);
                double numeric = (plus - minus) / (2 * epsilon);
                double ana = grad == null ? 0.0 : grad.getDouble(i);
                double absError = Math.abs(numeric - ana);
                double denominator = Math.abs(numeric) + Math.abs(ana);
                double relError = denominator == 0 ? 0 : absError / denominator;
                boolean tiny = Math.abs(numeric) < minAbsoluteError && Math.abs(ana) < minAbsoluteError;
                double counted = tiny ? 0 : relError;
                var element = new GradientCheck.Element(label, index(i, value.shape()), numeric, ana, relError);
                checked++;
                if (counted > maxRelativeError) {
                    failures.add(element);
                }
                if (arrayWorst == null || counted > arrayWorst.relativeError()) {
                    arrayWorst = new GradientCheck.Element(label, element.index(), numeric, ana, counted);
                }
            }
            if (arrayWorst != null) {
                worstPerArray.add(arrayWorst);
                if (worst == null || arrayWorst.relativeError() > worst.relativeError()) {
                    worst = arrayWorst;
                }
            }
        }
        if (!failures.isEmpty()) {
            StringBuilder m = new StringBuilder();
            m.append("gradient check failed for ").append(what).append(": ").append(failures.size()).append(" of ")
                    .append(checked).append(" checked elements exceed the relative error ").append(maxRelativeError)
                    .append("\n  worst: ").append(worst)
                    .append("\n  worst element of each array:");
            for (var e : worstPerArray) {
                m.append("\n    ").append(e);
            }
            throw new AssertionError(m.toString());
        }
        return new GradientCheck.Result(checked, worst == null ? 0 : worst.relativeError(), worst);
    }

    private static double evaluate(String what, SameDiff sd, String objective, Map<String, INDArray> feed) {
        try {
            return sd.output(feed, objective).get(objective).getDouble(0);
        } catch (RuntimeException e) {
            throw new AssertionError(what + ": evaluating the objective failed: " + e, e);
        }
    }

    /** All indices if there are at most maxPerArray, else a seeded sample of that many, ascending. */
    private long[] sample(long length, SplittableRandom rng) {
        if (length <= maxPerArray) {
            long[] all = new long[(int) length];
            for (int i = 0; i < all.length; i++) {
                all[i] = i;
            }
            return all;
        }
        TreeSet<Long> picked = new TreeSet<>();
        while (picked.size() < maxPerArray) {
            picked.add(rng.nextLong(length));
        }
        return picked.stream().mapToLong(Long::longValue).toArray();
    }

    /** The C-order multi-index of a linear index. */
    static long[] index(long linear, long[] shape) {
        long[] idx = new long[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            idx[d] = linear % shape[d];
            linear /= shape[d];
        }
        return idx;
    }
}
