package dev.graft.runtime.engine;

import dev.graft.runtime.util.DenseArrays;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.indexer.FloatIndexer;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

/**
 * Kernels for the small ops of a dense network's step, where ND4J's fixed cost per op (tens of
 * microseconds on a batch of 128, much of it temporaries) outweighs the work: the bias gradient of an
 * addition, and softmax cross-entropy with its gradient. Each returns {@code null} when the op's
 * arguments are outside what it handles exactly; the plan then runs ND4J's op.
 */
final class SmallKernels {
    private SmallKernels() {
    }

    /** ND4J's {@code LossReduce.MEAN_BY_NONZERO_WEIGHT_COUNT}. */
    static final int MEAN_BY_NONZERO_WEIGHT_COUNT = 3;

    /**
     * Whether {@code add_bp(x, y, dz)} adds a bias: {@code x} and {@code dz} dense float {@code [n, f]},
     * {@code y} {@code [f]} or {@code [1, f]}. Its {@code dx} is then {@code dz} itself (the plan
     * aliases it, no copy) and {@code dy} the column sums of {@code dz} ({@link #biasGradient}).
     */
    static boolean isBiasAdd(INDArray x, INDArray y, INDArray dz) {
        return x.rank() == 2 && DenseArrays.floats(x) && DenseArrays.floats(dz) && java.util.Arrays.equals(x.shape(), dz.shape())
                && y.dataType() == DataType.FLOAT && y.length() == x.size(1) && (y.rank() == 1 || (y.rank() == 2 && y.size(0) == 1))
                && x.size(0) > 0 && x.length() < Integer.MAX_VALUE;
    }

    /** {@code dy = dz^T 1}: the column sums of {@code dz [n, f]}, one BLAS matrix-vector product. */
    static GraphPlan.Kernel biasGradient(INDArray dz, INDArray dy, List<Object> retain) {
        if (!DenseArrays.floats(dy) || dy.length() != dz.size(1)) {
            return null;
        }
        int n = (int) dz.size(0);
        int f = (int) dz.size(1);
        INDArray ones = Nd4j.ones(DataType.FLOAT, n);
        retain.addAll(List.of(dz, dy, ones));
        FloatPointer pdz = new FloatPointer(dz.data().addressPointer());
        FloatPointer pdy = new FloatPointer(dy.data().addressPointer());
        FloatPointer pones = new FloatPointer(ones.data().addressPointer());
        return () -> {
            openblas_nolapack.cblas_sgemv(openblas_nolapack.CblasRowMajor, openblas_nolapack.CblasTrans, n, f, 1f, pdz, f, pones, 1, 0f, pdy, 1);
            return true;
        };
    }

    /**
     * Whether {@code softmax_cross_entropy_loss(logits, weights, labels)} is the plain case handled
     * here: dense float {@code [n, c]} logits and labels, one weight, the mean over examples with a
     * nonzero weight, no label smoothing.
     */
    static boolean plainSoftmaxCrossEntropy(long[] iArgs, double[] tArgs, INDArray logits, INDArray weights, INDArray labels) {
        return iArgs != null && iArgs.length >= 1 && iArgs[0] == MEAN_BY_NONZERO_WEIGHT_COUNT
                && (tArgs == null || tArgs.length == 0 || tArgs[0] == 0.0)
                && logits.rank() == 2 && DenseArrays.floats(logits) && DenseArrays.floats(labels) && java.util.Arrays.equals(logits.shape(), labels.shape())
                && weights.length() == 1 && DenseArrays.floats(weights) && logits.size(0) > 0 && logits.size(1) > 0 && logits.length() < Integer.MAX_VALUE
                && logits.data().indexer() instanceof FloatIndexer && labels.data().indexer() instanceof FloatIndexer
                && weights.data().indexer() instanceof FloatIndexer;
    }

    /**
     * What both softmax cross-entropy kernels read: the logits {@code z} and labels {@code y}
     * ({@code [n, c]}) and the weight {@code w}, through their buffers' indexers.
     */
    private record Rows(FloatIndexer z, FloatIndexer y, FloatIndexer w, int n, int c) {
        /** The arrays, already checked by {@link #plainSoftmaxCrossEntropy}; {@code out} is kept alive with them. */
        static Rows of(INDArray logits, INDArray weights, INDArray labels, INDArray out, List<Object> retain) {
            retain.addAll(List.of(logits, weights, labels, out));
            return new Rows((FloatIndexer) logits.data().indexer(), (FloatIndexer) labels.data().indexer(),
                    (FloatIndexer) weights.data().indexer(), (int) logits.size(0), (int) logits.size(1));
        }
    }

    /**
     * The loss: {@code w * sum_i CE_i / n} with {@code CE_i = -sum_c y_ic log softmax(z_i)_c} (0 when
     * {@code w} is 0: no example has a nonzero weight), each log-softmax taken from the row's maximum.
     */
    static GraphPlan.Kernel softmaxCrossEntropy(INDArray logits, INDArray weights, INDArray labels, INDArray loss, List<Object> retain) {
        if (loss.length() != 1 || !DenseArrays.floats(loss) || !(loss.data().indexer() instanceof FloatIndexer out)) {
            return null;
        }
        Rows r = Rows.of(logits, weights, labels, loss, retain);
        float[] e = new float[r.c()];
        return () -> {
            float wv = r.w().get(0);
            double sum = 0;
            for (int i = 0; i < r.n(); i++) {
                long row = (long) i * r.c();
                float max = shiftedExp(r.z(), row, e);
                float s = 0;
                for (float v : e) {
                    s += v;
                }
                float logS = (float) Math.log(s);
                float ce = 0;
                for (int k = 0; k < e.length; k++) {
                    ce -= r.y().get(row + k) * (r.z().get(row + k) - max - logS);
                }
                sum += ce;
            }
            out.put(0, wv == 0f ? 0f : (float) (wv * sum / r.n()));
            return true;
        };
    }

    /** {@code e[k] = exp(z[row + k] - max)} over the row's {@code e.length} logits; returns the row's maximum. */
    private static float shiftedExp(FloatIndexer z, long row, float[] e) {
        float max = Float.NEGATIVE_INFINITY;
        for (int k = 0; k < e.length; k++) {
            max = Math.max(max, z.get(row + k));
        }
        for (int k = 0; k < e.length; k++) {
            e[k] = (float) Math.exp(z.get(row + k) - max);
        }
        return max;
    }

    /**
     * The loss's gradient with respect to the logits: {@code w * (softmax(z_i) * sum_c y_ic - y_i) / n}
     * (0 when {@code w} is 0).
     */
    static GraphPlan.Kernel softmaxCrossEntropyGradient(INDArray logits, INDArray weights, INDArray labels, INDArray dLogits, List<Object> retain) {
        if (!DenseArrays.floats(dLogits) || !java.util.Arrays.equals(dLogits.shape(), logits.shape())
                || !(dLogits.data().indexer() instanceof FloatIndexer dz)) {
            return null;
        }
        Rows r = Rows.of(logits, weights, labels, dLogits, retain);
        float[] e = new float[r.c()];
        return () -> {
            float wv = r.w().get(0);
            float scale = wv == 0f ? 0f : wv / r.n();
            for (int i = 0; i < r.n(); i++) {
                long row = (long) i * r.c();
                shiftedExp(r.z(), row, e);
                float s = 0;
                float ySum = 0;
                for (int k = 0; k < e.length; k++) {
                    s += e[k];
                    ySum += r.y().get(row + k);
                }
                for (int k = 0; k < e.length; k++) {
                    dz.put(row + k, scale * (e[k] / s * ySum - r.y().get(row + k)));
                }
            }
            return true;
        };
    }

    /** Largest array {@link #permute} takes (elements): a layer's weights, not activations. */
    static final int PERMUTE_MAX = 1 << 16;

    /**
     * {@code out = permute(in, perm)} for a small dense float array (a convolution's weights laid out
     * for ND4J's op, and their gradient back): one copy through a precomputed index map on the heap.
     * ND4J's {@code permute} op took 15 to 30 µs for 150 to 2,400 elements, four times per step of the
     * benchmark CNN. Null when the arrays or the permutation do not fit.
     */
    static GraphPlan.Kernel permute(INDArray in, long[] perm, INDArray out, List<Object> retain) {
        int rank = in.rank();
        if (!DenseArrays.floats(in) || !DenseArrays.floats(out) || in.length() > PERMUTE_MAX || perm.length != rank || out.rank() != rank
                || out.length() != in.length()) {
            return null;
        }
        long[] shape = in.shape();
        boolean[] seen = new boolean[rank];
        long[] outShape = new long[rank];
        for (int k = 0; k < rank; k++) {
            if (perm[k] < 0 || perm[k] >= rank || seen[(int) perm[k]]) {
                return null;
            }
            seen[(int) perm[k]] = true;
            outShape[k] = shape[(int) perm[k]];
        }
        if (!java.util.Arrays.equals(outShape, out.shape())) {
            return null;
        }
        long[] inStride = new long[rank];
        for (int k = rank - 1, st = 1; k >= 0; st *= (int) shape[k], k--) {
            inStride[k] = st;
        }
        int n = (int) in.length();
        // map[i]: the input element at the output's i-th place (row-major), walking the output's index
        int[] map = new int[n];
        int[] idx = new int[rank];
        for (int i = 0; i < n; i++) {
            long from = 0;
            for (int k = 0; k < rank; k++) {
                from += idx[k] * inStride[(int) perm[k]];
            }
            map[i] = (int) from;
            for (int k = rank - 1; k >= 0 && ++idx[k] == outShape[k]; k--) {
                idx[k] = 0;
            }
        }
        float[] a = new float[n];
        float[] b = new float[n];
        FloatPointer pi = new FloatPointer(in.data().addressPointer());
        FloatPointer po = new FloatPointer(out.data().addressPointer());
        retain.add(in);
        retain.add(out);
        return () -> {
            pi.get(a, 0, n);
            for (int i = 0; i < n; i++) {
                b[i] = a[map[i]];
            }
            po.put(b, 0, n);
            return true;
        };
    }
}
