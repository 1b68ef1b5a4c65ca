package dev.graft.runtime.train;

import dev.graft.api.Shape;
import dev.graft.api.data.Examples;
import dev.graft.api.data.Target;
import dev.graft.runtime.util.DenseArrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Train, validation and test examples, and the seeded helpers that make them: stratified splits
 * (class proportions kept), shuffled batch orders and row selection.
 *
 * @param train      training examples
 * @param validation validation examples (may be empty)
 * @param test       test examples (may be empty)
 */
public record Splits(Examples train, Examples validation, Examples test) {

    /** Selects rows of examples by index, keeping the order given. */
    public static Examples rows(Examples ex, long[] idx) {
        return new Examples(select(ex.features(), idx), select(ex.labels(), idx));
    }

    /**
     * Selects rows of an array of any rank into {@code dest} (shape {@code [idx.length, ...]}, c-ordered
     * and contiguous), allocating nothing. Returns {@code dest}.
     */
    public static INDArray selectInto(INDArray a, long[] idx, INDArray dest) {
        long[] shape = a.shape();
        if (dest.size(0) != idx.length || dest.rank() != shape.length || dest.ordering() != 'c' || dest.dataType() != a.dataType()) {
            throw new IllegalArgumentException("destination " + java.util.Arrays.toString(dest.shape()) + " " + dest.dataType()
                    + " does not fit " + idx.length + " rows of " + java.util.Arrays.toString(shape) + " " + a.dataType());
        }
        if (idx.length == 0) {
            return dest;
        }
        long rest = 1;
        for (int i = 1; i < shape.length; i++) {
            rest *= shape[i];
        }
        if (rowCopies(a, dest)) {
            copyRows(a, idx, 0, idx.length, dest);
            return dest;
        }
        INDArray flat = a.rank() == 2 ? a : a.reshape('c', shape[0], rest);
        if (flat.rank() == 1) {
            flat = flat.reshape(shape[0], 1);
        }
        int[] ii = new int[idx.length];
        for (int i = 0; i < idx.length; i++) {
            ii[i] = (int) idx[i];
        }
        Nd4j.pullRows(flat, dest.reshape('c', idx.length, rest), 1, ii);
        return dest;
    }

    /**
     * Whether {@link #copyRows} can select rows of {@code a} into {@code dest}: both dense and
     * row-major, of one type, {@code dest} shaped as rows of {@code a}.
     */
    public static boolean rowCopies(INDArray a, INDArray dest) {
        long[] shape = a.shape();
        if (!DenseArrays.rowMajor(a) || !DenseArrays.rowMajor(dest) || dest.dataType() != a.dataType() || dest.rank() != shape.length || shape.length == 0) {
            return false;
        }
        for (int i = 1; i < shape.length; i++) {
            if (dest.size(i) != shape[i]) {
                return false;
            }
        }
        return a.length() / Math.max(1, shape[0]) > 0;
    }

    /**
     * Copies rows {@code idx[from]} to {@code idx[to - 1]} of {@code a} into rows {@code from} to
     * {@code to - 1} of {@code dest} ({@link #rowCopies} must hold), one memory copy per row (ND4J's
     * pullRows costs several times more per batch). Calls for disjoint ranges may run at once.
     */
    public static void copyRows(INDArray a, long[] idx, int from, int to, INDArray dest) {
        long[] shape = a.shape();
        if (from < 0 || to > idx.length || from > to || to > dest.size(0)) {
            throw new IndexOutOfBoundsException("rows " + from + " to " + to + " of " + idx.length + " into " + dest.size(0));
        }
        long row = a.length() / shape[0] * a.dataType().width();
        long srcBase = a.data().addressPointer().address();
        long dstBase = dest.data().addressPointer().address();
        MovablePointer src = ROW_SRC.get();
        MovablePointer dst = ROW_DST.get();
        for (int i = from; i < to; i++) {
            if (idx[i] < 0 || idx[i] >= shape[0]) {
                throw new IndexOutOfBoundsException("row " + idx[i] + " of " + shape[0]);
            }
            org.bytedeco.javacpp.Pointer.memcpy(dst.address(dstBase + i * row).capacity(row).limit(row),
                    src.address(srcBase + idx[i] * row).capacity(row).limit(row), row);
        }
    }

    /** Reusable pointer objects for the row copies (their addresses are set before each copy). */
    private static final ThreadLocal<MovablePointer> ROW_SRC = ThreadLocal.withInitial(MovablePointer::new);
    private static final ThreadLocal<MovablePointer> ROW_DST = ThreadLocal.withInitial(MovablePointer::new);

    /** A pointer that owns nothing and can be pointed anywhere. */
    private static final class MovablePointer extends org.bytedeco.javacpp.Pointer {
        MovablePointer address(long a) {
            this.address = a;
            return this;
        }
    }

    /** Selects rows of an array of any rank. */
    public static INDArray select(INDArray a, long[] idx) {
        long[] shape = a.shape();
        long rest = 1;
        for (int i = 1; i < shape.length; i++) {
            rest *= shape[i];
        }
        if (idx.length == 0) {
            long[] s = shape.clone();
            s[0] = 0;
            return Nd4j.create(a.dataType(), s);
        }
        INDArray flat = a.rank() == 2 ? a : a.reshape('c', shape[0], rest);
        int[] ii = new int[idx.length];
        for (int i = 0; i < idx.length; i++) {
            ii[i] = (int) idx[i];
        }
        INDArray rows = Nd4j.pullRows(flat.rank() == 1 ? flat.reshape(shape[0], 1) : flat, 1, ii);
        long[] out = shape.clone();
        out[0] = idx.length;
        return rows.reshape('c', out);
    }

    /**
     * Splits indices {@code 0..n-1} into (kept, held out) with about {@code fraction} held out, per
     * class when {@code labels} are class indices and {@code stratify} is set.
     */
    public static long[][] split(long n, INDArray labels, Target target, double fraction, boolean stratify, long seed) {
        if (fraction <= 0 || n == 0) {
            return new long[][] {range(n), new long[0]};
        }
        List<List<Long>> groups = new ArrayList<>();
        if (stratify && target instanceof Target.Classes) {
            Map<Integer, List<Long>> byClass = new TreeMap<>();
            for (long i = 0; i < n; i++) {
                byClass.computeIfAbsent((int) labels.getDouble(i), k -> new ArrayList<>()).add(i);
            }
            groups.addAll(byClass.values());
        } else {
            List<Long> all = new ArrayList<>();
            for (long i = 0; i < n; i++) {
                all.add(i);
            }
            groups.add(all);
        }
        SplittableRandom rng = new SplittableRandom(seed);
        List<Long> kept = new ArrayList<>();
        List<Long> held = new ArrayList<>();
        for (List<Long> g : groups) {
            shuffle(g, rng);
            long h = Math.round(g.size() * fraction);
            for (int i = 0; i < g.size(); i++) {
                (i < h ? held : kept).add(g.get(i));
            }
        }
        kept.sort(null);
        held.sort(null);
        return new long[][] {kept.stream().mapToLong(Long::longValue).toArray(), held.stream().mapToLong(Long::longValue).toArray()};
    }

    /** A seeded permutation of {@code 0..n-1}. */
    public static long[] permutation(long n, SplittableRandom rng) {
        long[] p = range(n);
        for (int i = p.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            long t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    private static void shuffle(List<Long> l, SplittableRandom rng) {
        for (int i = l.size() - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            Long t = l.get(i);
            l.set(i, l.get(j));
            l.set(j, t);
        }
    }

    private static long[] range(long n) {
        long[] r = new long[(int) n];
        for (int i = 0; i < n; i++) {
            r[i] = i;
        }
        return r;
    }

    /** Labels as the loss sees them: one-hot rows or class indices for classes, unchanged for regression. */
    public static INDArray lossLabels(INDArray labels, Target target, dev.graft.api.loss.Loss.LabelFormat format) {
        if (target instanceof Target.Classes c && format == dev.graft.api.loss.Loss.LabelFormat.INDEX) {
            INDArray idx = labels.castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).reshape(labels.size(0));
            for (long i = 0; i < idx.length(); i++) {
                double y = idx.getDouble(i);
                if (y < 0 || y >= c.count() || y != Math.rint(y)) {
                    throw new dev.graft.runtime.GraftException(dev.graft.runtime.GraftException.Code.DATA,
                            "label " + y + " of example " + i + " is not a class index in [0, " + c.count() + ")");
                }
            }
            return idx;
        }
        if (target instanceof Target.Classes c) {
            int n = (int) labels.size(0);
            int k = c.count();
            float[] v = new float[n * k];
            for (int i = 0; i < n; i++) {
                int y = (int) labels.getDouble(i);
                if (y < 0 || y >= k) {
                    throw new dev.graft.runtime.GraftException(dev.graft.runtime.GraftException.Code.DATA,
                            "label " + y + " of example " + i + " is not a class index in [0, " + k + ")");
                }
                v[i * k + y] = 1f;
            }
            return Nd4j.createFromArray(v).reshape('c', n, k);
        }
        return labels.castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT);
    }

    /** Checks that examples have the declared feature shape. */
    public static void checkShape(Examples ex, Shape shape, String what) {
        long[] s = ex.features().shape();
        long[] expect = shape.withBatch(s[0]);
        if (!java.util.Arrays.equals(s, expect)) {
            throw new dev.graft.runtime.GraftException(dev.graft.runtime.GraftException.Code.DATA,
                    what + " features have shape " + java.util.Arrays.toString(s) + " but the dataset declares " + shape + " per example");
        }
    }
}
