package dev.graft.onnx.imports.ops;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;
import java.util.function.LongBinaryOperator;

/**
 * A constant tensor folded at import time: its shape and its values, either integers ({@code long},
 * for shape arithmetic) or reals ({@code double}, remembering whether the model had float or double).
 * Immutable; every operation returns a new constant.
 *
 * <p>{@link #BATCH} stands for the batch size inside folded shapes: {@code Shape} of a computed value
 * gives {@code [BATCH, d1, d2, ...]}. It may travel through {@code Gather}, {@code Unsqueeze},
 * {@code Concat} and the like into a {@code Reshape}'s target shape, where it means "keep the batch";
 * anything that would compute with it (arithmetic, a cast to reals, a constant parameter) is refused,
 * because native import keeps the batch size dynamic.
 */
final class Const {
    /** The batch size, whatever it will be, inside a folded shape. */
    static final long BATCH = -987_654_321L;

    final long[] shape;
    final long[] ints;
    final double[] reals;
    final DataType type;

    private Const(long[] shape, long[] ints, double[] reals, DataType type) {
        this.shape = shape;
        this.ints = ints;
        this.reals = reals;
        this.type = type;
    }

    static Const ints(long[] shape, long[] values) {
        return new Const(shape.clone(), values, null, DataType.LONG);
    }

    static Const reals(long[] shape, double[] values, DataType type) {
        return new Const(shape.clone(), null, values, type == DataType.DOUBLE ? DataType.DOUBLE : DataType.FLOAT);
    }

    /** Reads an ND4J constant as the importer holds it (FLOAT, DOUBLE or LONG; other integers are read as LONG). */
    static Const of(INDArray a) {
        long[] shape = a.shape();
        int n = (int) a.length();
        INDArray flat = n == 0 ? a : a.dup('c').reshape(new long[] {n});
        if (a.dataType().isIntType() || a.dataType() == DataType.BOOL) {
            long[] v = new long[n];
            for (int i = 0; i < n; i++) {
                v[i] = flat.getLong(i);
            }
            return ints(shape, v);
        }
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = flat.getDouble(i);
        }
        return reals(shape, v, a.dataType());
    }

    INDArray toArray() {
        if (size() == 0) {
            return Nd4j.create(isInt() ? DataType.LONG : type, shape);
        }
        INDArray flat = isInt() ? Nd4j.createFromArray(ints) : type == DataType.DOUBLE ? Nd4j.createFromArray(reals)
                : Nd4j.createFromArray(toFloats(reals));
        return shape.length == 0 ? flat.reshape() : flat.reshape('c', shape);
    }

    private static float[] toFloats(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }

    boolean isInt() {
        return ints != null;
    }

    int size() {
        return isInt() ? ints.length : reals.length;
    }

    int rank() {
        return shape.length;
    }

    boolean hasBatch() {
        return isInt() && Arrays.stream(ints).anyMatch(v -> v != 0 && v % BATCH == 0);
    }

    /** Refuses a constant that stands for (or contains) the batch size. */
    Const noBatch(String what) {
        if (hasBatch()) {
            throw new IllegalArgumentException(what + " depends on the batch size (it comes from a Shape of the model's data), which"
                    + " native import keeps dynamic; only Reshape targets may use it");
        }
        return this;
    }

    /** The values as longs; reals must be whole numbers. */
    long[] longs(String what) {
        if (isInt()) {
            return ints.clone();
        }
        long[] out = new long[reals.length];
        for (int i = 0; i < out.length; i++) {
            if (reals[i] != Math.rint(reals[i])) {
                throw new IllegalArgumentException(what + " must hold integers, got " + Arrays.toString(reals));
            }
            out[i] = (long) reals[i];
        }
        return out;
    }

    /** The values as doubles; refuses the batch size. */
    double[] doubles(String what) {
        noBatch(what);
        if (!isInt()) {
            return reals.clone();
        }
        return Arrays.stream(ints).asDoubleStream().toArray();
    }

    /** The value of a constant holding one element. */
    double scalar(String what) {
        if (size() != 1) {
            throw new IllegalArgumentException(what + " must be a single value, got shape " + Arrays.toString(shape));
        }
        return doubles(what)[0];
    }

    Const reshape(long... newShape) {
        if (Arrays.stream(newShape).reduce(1, Math::multiplyExact) != size()) {
            throw new IllegalArgumentException("cannot reshape a constant of shape " + Arrays.toString(shape) + " to " + Arrays.toString(newShape));
        }
        return new Const(newShape.clone(), ints, reals, type);
    }

    /** A cast to an ONNX element type (1 float, 11 double, 6/7 int32/int64, other integers and bool). */
    Const cast(int onnxType) {
        switch (onnxType) {
            case 1, 10, 16 -> {
                return reals(shape, doubles("a Cast to a real type"), DataType.FLOAT);
            }
            case 11 -> {
                return reals(shape, doubles("a Cast to a real type"), DataType.DOUBLE);
            }
            case 2, 3, 4, 5, 6, 7, 12, 13 -> {
                if (isInt()) {
                    return this;
                }
                long[] v = new long[reals.length];
                for (int i = 0; i < v.length; i++) {
                    v[i] = (long) reals[i];    // ONNX casts truncate toward zero
                }
                return ints(shape, v);
            }
            case 9 -> {
                long[] v = new long[size()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = (isInt() ? ints[i] != 0 : reals[i] != 0) ? 1 : 0;
                }
                return ints(shape, v);
            }
            default -> throw new IllegalArgumentException("Cast to ONNX element type " + onnxType + " is not supported by native import");
        }
    }

    /** numpy.take along {@code axis} (negative indices count from the end). */
    Const gather(Const indices, int axis) {
        long[] idx = indices.longs("Gather indices");
        long n = shape[axis];
        long outer = 1;
        for (int i = 0; i < axis; i++) {
            outer *= shape[i];
        }
        long inner = 1;
        for (int i = axis + 1; i < shape.length; i++) {
            inner *= shape[i];
        }
        long[] outShape = new long[shape.length - 1 + indices.rank()];
        System.arraycopy(shape, 0, outShape, 0, axis);
        System.arraycopy(indices.shape, 0, outShape, axis, indices.rank());
        System.arraycopy(shape, axis + 1, outShape, axis + indices.rank(), shape.length - axis - 1);
        int total = (int) (outer * idx.length * inner);
        long[] li = isInt() ? new long[total] : null;
        double[] di = isInt() ? null : new double[total];
        int k = 0;
        for (long o = 0; o < outer; o++) {
            for (long j : idx) {
                long jj = j < 0 ? j + n : j;
                if (jj < 0 || jj >= n) {
                    throw new IllegalArgumentException("Gather index " + j + " is out of range for an axis of size " + n);
                }
                for (long i = 0; i < inner; i++) {
                    int src = (int) ((o * n + jj) * inner + i);
                    if (li != null) {
                        li[k++] = ints[src];
                    } else {
                        di[k++] = reals[src];
                    }
                }
            }
        }
        return new Const(outShape, li, di, type);
    }

    /** Concatenation along {@code axis}; the result is real if any part is. */
    static Const concat(List<Const> parts, int axis) {
        Const first = parts.get(0);
        boolean ints = parts.stream().allMatch(Const::isInt);
        DataType type = parts.stream().anyMatch(p -> p.type == DataType.DOUBLE) ? DataType.DOUBLE : DataType.FLOAT;
        long[] outShape = first.shape.clone();
        outShape[axis] = 0;
        for (Const p : parts) {
            if (p.rank() != first.rank()) {
                throw new IllegalArgumentException("Concat of constants of ranks " + first.rank() + " and " + p.rank());
            }
            outShape[axis] += p.shape[axis];
        }
        long outer = 1;
        for (int i = 0; i < axis; i++) {
            outer *= first.shape[i];
        }
        List<Long> li = new ArrayList<>();
        List<Double> di = new ArrayList<>();
        for (long o = 0; o < outer; o++) {
            for (Const p : parts) {
                long chunk = p.size() / Math.max(outer, 1);
                for (long i = 0; i < chunk; i++) {
                    int src = (int) (o * chunk + i);
                    if (ints) {
                        li.add(p.ints[src]);
                    } else {
                        di.add(p.isInt() ? p.doubles("a Concat with real values")[src] : p.reals[src]);
                    }
                }
            }
        }
        return ints ? ints(outShape, li.stream().mapToLong(Long::longValue).toArray())
                : reals(outShape, di.stream().mapToDouble(Double::doubleValue).toArray(), type);
    }

    /** Axes permuted: output axis i is input axis perm[i]. */
    Const transpose(int[] perm) {
        int r = rank();
        long[] outShape = new long[r];
        for (int i = 0; i < r; i++) {
            outShape[i] = shape[perm[i]];
        }
        long[] inStrides = strides(shape);
        int n = size();
        long[] li = isInt() ? new long[n] : null;
        double[] di = isInt() ? null : new double[n];
        long[] idx = new long[r];
        for (int k = 0; k < n; k++) {
            long src = 0;
            for (int i = 0; i < r; i++) {
                src += idx[i] * inStrides[perm[i]];
            }
            if (li != null) {
                li[k] = ints[(int) src];
            } else {
                di[k] = reals[(int) src];
            }
            for (int i = r - 1; i >= 0; i--) {
                if (++idx[i] < outShape[i]) {
                    break;
                }
                idx[i] = 0;
            }
        }
        return new Const(outShape, li, di, type);
    }

    /**
     * Elements {@code starts[i]:ends[i]:steps[i]} along {@code axes[i]}, bounds already clamped (to
     * {@code [0, dim]} for a positive step, {@code [-1, dim - 1]} for a negative one).
     */
    Const slice(int[] axes, long[] starts, long[] ends, long[] steps) {
        long[] lo = new long[rank()];
        long[] step = new long[rank()];
        long[] outShape = shape.clone();
        Arrays.fill(step, 1);
        for (int i = 0; i < axes.length; i++) {
            int a = axes[i];
            lo[a] = starts[i];
            step[a] = steps[i];
            outShape[a] = steps[i] > 0 ? Math.max(0, (ends[i] - starts[i] + steps[i] - 1) / steps[i])
                    : Math.max(0, (starts[i] - ends[i] - steps[i] - 1) / -steps[i]);
        }
        long[] st = strides(shape);
        int n = (int) Arrays.stream(outShape).reduce(1, Math::multiplyExact);
        long[] li = isInt() ? new long[n] : null;
        double[] di = isInt() ? null : new double[n];
        long[] idx = new long[rank()];
        for (int k = 0; k < n; k++) {
            long src = 0;
            for (int i = 0; i < rank(); i++) {
                src += (lo[i] + idx[i] * step[i]) * st[i];
            }
            if (li != null) {
                li[k] = ints[(int) src];
            } else {
                di[k] = reals[(int) src];
            }
            for (int i = rank() - 1; i >= 0; i--) {
                if (++idx[i] < outShape[i]) {
                    break;
                }
                idx[i] = 0;
            }
        }
        return new Const(outShape, li, di, type);
    }

    /** An element-wise function of reals; integers become float. */
    Const map(DoubleUnaryOperator f, String what) {
        double[] v = doubles(what);
        for (int i = 0; i < v.length; i++) {
            v[i] = f.applyAsDouble(v[i]);
        }
        return reals(shape, v, isInt() ? DataType.FLOAT : type);
    }

    /** An element-wise binary operation with NumPy broadcasting; integers stay integers when both are. */
    static Const binary(Const a, Const b, DoubleBinaryOperator real, LongBinaryOperator integer, String what) {
        a.noBatch(what);
        b.noBatch(what);
        int r = Math.max(a.rank(), b.rank());
        long[] as = pad(a.shape, r);
        long[] bs = pad(b.shape, r);
        long[] outShape = new long[r];
        for (int i = 0; i < r; i++) {
            if (as[i] != bs[i] && as[i] != 1 && bs[i] != 1) {
                throw new IllegalArgumentException(what + ": shapes " + Arrays.toString(a.shape) + " and " + Arrays.toString(b.shape)
                        + " do not broadcast");
            }
            outShape[i] = as[i] == 1 ? bs[i] : as[i];
        }
        long[] ast = broadcastStrides(as);
        long[] bst = broadcastStrides(bs);
        int n = (int) Arrays.stream(outShape).reduce(1, Math::multiplyExact);
        boolean ints = a.isInt() && b.isInt() && integer != null;
        long[] li = ints ? new long[n] : null;
        double[] di = ints ? null : new double[n];
        double[] ad = ints ? null : a.doubles(what);
        double[] bd = ints ? null : b.doubles(what);
        long[] idx = new long[r];
        for (int k = 0; k < n; k++) {
            int ia = 0;
            int ib = 0;
            for (int i = 0; i < r; i++) {
                ia += idx[i] * ast[i];
                ib += idx[i] * bst[i];
            }
            if (ints) {
                li[k] = integer.applyAsLong(a.ints[ia], b.ints[ib]);
            } else {
                di[k] = real.applyAsDouble(ad[ia], bd[ib]);
            }
            for (int i = r - 1; i >= 0; i--) {
                if (++idx[i] < outShape[i]) {
                    break;
                }
                idx[i] = 0;
            }
        }
        if (ints) {
            return ints(outShape, li);
        }
        DataType t = a.type == DataType.DOUBLE || b.type == DataType.DOUBLE ? DataType.DOUBLE : DataType.FLOAT;
        return reals(outShape, di, t);
    }

    static long[] pad(long[] shape, int rank) {
        long[] out = new long[rank];
        Arrays.fill(out, 1);
        System.arraycopy(shape, 0, out, rank - shape.length, shape.length);
        return out;
    }

    static long[] strides(long[] shape) {
        long[] s = new long[shape.length];
        long acc = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= shape[i];
        }
        return s;
    }

    private static long[] broadcastStrides(long[] shape) {
        long[] s = strides(shape);
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] == 1) {
                s[i] = 0;
            }
        }
        return s;
    }

    @Override
    public String toString() {
        return Arrays.toString(shape) + (isInt() ? Arrays.toString(ints) : Arrays.toString(reals));
    }
}
