package dev.graft.runtime.engine;

import dev.graft.runtime.util.DenseArrays;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.indexer.FloatIndexer;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * 2-D max pooling whose gradient the same plan computes ({@link GraphPlan}), NCHW, explicit padding,
 * no dilation. The forward step notes, for every output, the input it came from (the first largest in
 * the window, row by row, as ND4J's own kernels choose); the gradient step then only clears the
 * input's gradient and adds each output's gradient at that place. Such a gradient is zero everywhere
 * else, which the ReLU gradient before it uses ({@link #sparseReluGradient}); when that ReLU
 * gradient is its only reader and windows do not overlap, the gradient step leaves its array unfilled
 * and the ReLU gradient reads the output gradient by output. Benchmark CNN, first layer (600,000
 * activations, batch 128, one thread), per training step: oneDNN's pooling forward, its gradient and
 * the ReLU gradient took 0.5, 1.4 and 1.0 ms; these kernels about 0.9, 0.07 and 0.4 (the
 * forward step reads its input through small heap windows, {@link Argmax#poolNative}). Poolings
 * whose gradient is not computed (inference) stay ND4J's op, which is faster alone.
 */
final class PoolKernels {
    private PoolKernels() {
    }

    /** System property choosing who runs planned max pooling with its gradient: {@code graft} (the default) or {@code nd4j}. */
    static final String PROPERTY = "graft.plan.pool";

    static boolean enabled() {
        return GraphPlan.choice(PROPERTY, "a pooling implementation", "graft", "nd4j").equals("graft");
    }

    /** A pooling's shape: iArgs {@code [kH, kW, sH, sW, pH, pW, dH, dW, same, extra, nhwc]}. */
    record Geometry(int planes, int iH, int iW, int kH, int kW, int sH, int sW, int pH, int pW, int oH, int oW) {
        int inPlane() {
            return iH * iW;
        }

        int outPlane() {
            return oH * oW;
        }
    }

    static Geometry geometry(long[] ia, INDArray x, INDArray out) {
        if (ia.length < 9 || x.rank() != 4 || out.rank() != 4 || !DenseArrays.floats(x) || !DenseArrays.floats(out)
                || ia[8] != 0 || (ia.length > 10 && ia[10] != 0) || ia[6] != 1 || ia[7] != 1 || x.length() >= Integer.MAX_VALUE) {
            return null; // SAME padding, NHWC or dilation: the op itself
        }
        int kH = (int) ia[0];
        int kW = (int) ia[1];
        int sH = (int) ia[2];
        int sW = (int) ia[3];
        int pH = (int) ia[4];
        int pW = (int) ia[5];
        int iH = (int) x.size(2);
        int iW = (int) x.size(3);
        if (kH <= 0 || kW <= 0 || sH <= 0 || sW <= 0 || pH < 0 || pW < 0 || pH >= kH || pW >= kW) {
            return null;
        }
        int oH = (iH - kH + 2 * pH) / sH + 1;
        int oW = (iW - kW + 2 * pW) / sW + 1;
        if (oH <= 0 || oW <= 0 || !Arrays.equals(out.shape(), new long[] {x.size(0), x.size(1), oH, oW})) {
            return null;
        }
        return new Geometry((int) (x.size(0) * x.size(1)), iH, iW, kH, kW, sH, sW, pH, pW, oH, oW);
    }

    /** What the forward step leaves for the gradient step: where each output came from. */
    static final class Argmax {
        final Geometry g;
        final int[] index;
        final float[] out;
        /** The output gradient of the last gradient step, by output (read by {@link #sparseReluGradient} when it is the only reader). */
        final float[] grad;
        /** Set by a forward step, cleared by the gradient step that used it. */
        volatile boolean fresh;
        /**
         * Set when the ReLU gradient reads {@link #grad} instead of the pooling's input gradient, which
         * nothing else reads: the gradient step then leaves that array as it is.
         */
        volatile boolean gradOnly;
        /**
         * Set when {@link ConvReluPool} computes this pooling with the convolution and ReLU before it;
         * while its slot is active, neither the pooling's input (the ReLU's output) nor the ReLU's
         * input was written.
         */
        ConvReluPool.Slot fused;

        Argmax(Geometry g) {
            this.g = g;
            this.index = new int[g.planes() * g.outPlane()];
            this.out = new float[g.planes() * g.outPlane()];
            this.grad = new float[g.planes() * g.outPlane()];
        }

        /** Whether a fused step ({@link ConvReluPool}) computes this pooling now. */
        boolean fusedNow() {
            return fused != null && fused.active;
        }

        /** Whether windows overlap (an input can be the maximum of several): its gradient then adds up. */
        boolean overlapping() {
            return g.sH() < g.kH() || g.sW() < g.kW();
        }

        /** Input planes copied to the heap at a time: about 32 KB, so that the window stays in the first-level cache. */
        int windowPlanes() {
            return Math.max(1, 8192 / g.inPlane());
        }

        /** A heap window for {@link #poolNative}. */
        float[] window() {
            return new float[windowPlanes() * g.inPlane()];
        }

        /**
         * Pools planes {@code [p0, p1)} of the input at {@code x} (native memory, plane 0 at position 0;
         * its position is moved) through the heap window {@code w}, a few planes at a time: one copy of
         * the whole input to the heap first made the pooling read it back from the second-level cache
         * (benchmark CNN, first layer, 64 examples: 0.42 to 0.63 ms, 0.39 to 0.42 by windows).
         */
        void poolNative(FloatPointer x, int p0, int p1, float[] w) {
            int step = windowPlanes();
            for (int c0 = p0; c0 < p1; c0 += step) {
                int c1 = Math.min(p1, c0 + step);
                x.position((long) c0 * g.inPlane()).get(w, 0, (c1 - c0) * g.inPlane());
                pool(w, c0, c0, c1);
            }
        }

        /**
         * Pools planes {@code [p0, p1)} into {@link #out}, noting in {@link #index} where each output
         * came from (an index into the whole input); {@code x} holds the input's planes from plane
         * {@code c0} on.
         */
        void pool(float[] x, int c0, int p0, int p1) {
            if (g.kH() == 2 && g.kW() == 2 && g.sH() == 2 && g.sW() == 2 && g.pH() == 0 && g.pW() == 0) {
                pool2x2(x, c0, p0, p1);
                return;
            }
            int oH = g.oH();
            int oW = g.oW();
            int shift = c0 * g.inPlane();
            for (int p = p0; p < p1; p++) {
                int o = p * g.outPlane();
                for (int oy = 0; oy < oH; oy++) {
                    for (int ox = 0; ox < oW; ox++, o++) {
                        int at = first(x, p - c0, oy, ox);
                        index[o] = at + shift;
                        // ND4J's value for a window without a value above -Float.MAX_VALUE (all -inf or NaN)
                        out[o] = x[at] > -Float.MAX_VALUE ? x[at] : -Float.MAX_VALUE;
                    }
                }
            }
        }

        /**
         * ND4J's rule for one window of plane {@code p} of {@code x}: the first value larger than all
         * before it, starting below every float; an index into {@code x}.
         */
        private int first(float[] x, int p, int oy, int ox) {
            int iH = g.iH();
            int iW = g.iW();
            int in0 = p * g.inPlane();
            int y0 = Math.max(0, oy * g.sH() - g.pH());
            int y1 = Math.min(iH, oy * g.sH() - g.pH() + g.kH());
            int x0 = Math.max(0, ox * g.sW() - g.pW());
            int x1 = Math.min(iW, ox * g.sW() - g.pW() + g.kW());
            float best = -Float.MAX_VALUE;
            int at = in0 + y0 * iW + x0;
            for (int y = y0; y < y1; y++) {
                int row = in0 + y * iW;
                for (int xx = x0; xx < x1; xx++) {
                    float v = x[row + xx];
                    if (v > best) {
                        best = v;
                        at = row + xx;
                    }
                }
            }
            return at;
        }

        /**
         * {@link #pool} for 2x2 windows with stride 2 and no padding, without a branch on the data (a
         * branch per comparison mispredicts on activations: four times slower on the benchmark CNN):
         * the window's maximum, then the first of its four values equal to it. A window whose maximum
         * is NaN, infinite or {@code -Float.MAX_VALUE} takes the general rule.
         */
        private void pool2x2(float[] x, int c0, int p0, int p1) {
            int iW = g.iW();
            int oH = g.oH();
            int oW = g.oW();
            int shift = c0 * g.inPlane();
            for (int p = p0; p < p1; p++) {
                int in0 = (p - c0) * g.inPlane();
                int o = p * g.outPlane();
                for (int oy = 0; oy < oH; oy++, o += oW) {
                    int r0 = in0 + 2 * oy * iW;
                    for (int ox = 0; ox < oW; ox++) {
                        int i = r0 + 2 * ox;
                        float a = x[i];
                        float b = x[i + 1];
                        float c = x[i + iW];
                        float m = Math.max(Math.max(a, b), Math.max(c, x[i + iW + 1]));
                        if (m > -Float.MAX_VALUE && m <= Float.MAX_VALUE) {
                            // k: 0 when the top left value is the maximum, else 1 for the top right, 2 for the bottom left, 3
                            int k = (1 - same(m, a)) * (1 + (1 - same(m, b)) * (1 + (1 - same(m, c))));
                            index[o + ox] = i + shift + k + (k >> 1) * (iW - 2);
                            out[o + ox] = m;
                        } else {
                            int at = first(x, p - c0, oy, ox);
                            index[o + ox] = at + shift;
                            out[o + ox] = x[at] > -Float.MAX_VALUE ? x[at] : -Float.MAX_VALUE;
                        }
                    }
                }
            }
        }

        /** 1 when {@code v == m} (+0 and -0 alike) for a maximum {@code m >= v}, else 0; no branch. */
        private static int same(float m, float v) {
            return ((Float.floatToRawIntBits(m - v) & 0x7FFFFFFF) - 1) >>> 31;
        }
    }

    /** Byte pointers at the parts' first planes ({@link Pointer#memset} counts a pointer's position in bytes). */
    private static org.bytedeco.javacpp.BytePointer[] byteParts(INDArray a, int parts, int planes, long planeSize) {
        org.bytedeco.javacpp.BytePointer[] p = new org.bytedeco.javacpp.BytePointer[parts];
        for (int i = 0; i < parts; i++) {
            p[i] = new org.bytedeco.javacpp.BytePointer(a.data().addressPointer()).position(Parallel.start(i, parts, planes) * planeSize * Float.BYTES);
        }
        return p;
    }

    /** Float pointers at the parts' first planes (with {@code planes} 0, each part's pointer at the array's start). */
    private static FloatPointer[] parts(INDArray a, int parts, int planes, long planeSize) {
        FloatPointer[] p = new FloatPointer[parts];
        for (int i = 0; i < parts; i++) {
            p[i] = new FloatPointer(a.data().addressPointer()).position(Parallel.start(i, parts, planes) * planeSize);
        }
        return p;
    }

    /** The forward step, or null when the arrays do not fit this kernel; records what it notes in {@code shared} under {@code x}. */
    static GraphPlan.Kernel forward(long[] ia, INDArray x, INDArray out, Map<INDArray, Argmax> shared, List<Object> retain) {
        Geometry g = geometry(ia, x, out);
        if (g == null || shared.containsKey(x)) {
            return null;
        }
        Argmax a = new Argmax(g);
        shared.put(x, a);
        int parts = Parallel.parts(g.planes());
        FloatPointer[] xs = parts(x, parts, 0, 0);
        float[][] windows = new float[parts][];
        for (int p = 0; p < parts; p++) {
            windows[p] = a.window();
        }
        FloatPointer[] os = parts(out, parts, g.planes(), g.outPlane());
        retain.addAll(List.of(x, out));
        return () -> {
            Parallel.run(parts, part -> {
                int p0 = (int) Parallel.start(part, parts, g.planes());
                int p1 = (int) Parallel.start(part + 1, parts, g.planes());
                a.poolNative(xs[part], p0, p1, windows[part]);
                os[part].put(a.out, p0 * g.outPlane(), (p1 - p0) * g.outPlane());
            });
            a.fresh = true;
            return true;
        };
    }

    /**
     * The gradient step {@code dx} from {@code dOut} for a pooling whose forward step is {@link
     * #forward} in the same plan ({@code shared}), or null when there is none or the arrays do not
     * fit; records {@code dx} in {@code sparse} (its only non-zero entries are at the noted indices).
     */
    static GraphPlan.Kernel backward(long[] ia, INDArray x, INDArray dOut, INDArray dx, Map<INDArray, Argmax> shared,
                                     Map<INDArray, Argmax> sparse, List<Object> retain) {
        Geometry g = geometry(ia, x, dOut);
        Argmax a = shared.get(x);
        if (g == null || a == null || !a.g.equals(g) || !DenseArrays.floats(dx) || !Arrays.equals(dx.shape(), x.shape())
                || !(dx.data().indexer() instanceof FloatIndexer dxi)) {
            return null;
        }
        int parts = Parallel.parts(g.planes());
        FloatPointer[] xs = parts(x, parts, 0, 0);
        float[][] windows = new float[parts][];
        for (int p = 0; p < parts; p++) {
            windows[p] = a.window();
        }
        org.bytedeco.javacpp.BytePointer[] dxs = byteParts(dx, parts, g.planes(), g.inPlane());
        FloatPointer[] ds = parts(dOut, parts, g.planes(), g.outPlane());
        float[] d = a.grad;
        boolean overlapping = a.overlapping();
        retain.addAll(List.of(x, dOut, dx));
        sparse.put(dx, a);
        return () -> {
            boolean noted = a.fresh;
            a.fresh = false;
            Parallel.run(parts, part -> {
                int p0 = (int) Parallel.start(part, parts, g.planes());
                int p1 = (int) Parallel.start(part + 1, parts, g.planes());
                if (!noted) {
                    if (a.fusedNow()) {
                        throw new IllegalStateException("a fused convolution, ReLU and pooling step did not run before the pooling's gradient");
                    }
                    // no forward step ran since the last gradient step: note the maxima of the input as it is
                    a.poolNative(xs[part], p0, p1, windows[part]);
                }
                ds[part].get(d, p0 * g.outPlane(), (p1 - p0) * g.outPlane());
                if (a.gradOnly) {
                    return; // the ReLU gradient reads d and the maxima's places; nothing reads dx
                }
                Pointer.memset(dxs[part], 0, (long) (p1 - p0) * g.inPlane() * Float.BYTES);
                int[] index = a.index;
                for (int o = p0 * g.outPlane(), end = p1 * g.outPlane(); o < end; o++) {
                    int at = index[o];
                    dxi.put(at, overlapping ? dxi.get(at) + d[o] : d[o]);
                }
            });
            return true;
        };
    }

    /**
     * {@code dx = x > t ? dz : 0} for a {@code dz} made by {@link #backward}: only the noted indices
     * can be non-zero, so {@code dx} is cleared and those are computed. Null when the arrays do not
     * fit. With {@code soleReader} (nothing else in the plan reads {@code dz}, and it is not an
     * output) and windows that do not overlap, it reads the output gradient the pooling's gradient
     * step noted by output ({@link Argmax#grad}) instead of gathering it from {@code dz}, and that
     * step stops clearing and filling {@code dz} (benchmark CNN, first layer, 64 examples: the two
     * steps took 0.13 and 0.21 ms).
     */
    static GraphPlan.Kernel sparseReluGradient(Argmax a, float threshold, INDArray x, INDArray dz, INDArray dx, boolean soleReader,
                                               List<Object> retain) {
        if (!Arrays.equals(x.shape(), dz.shape()) || !Arrays.equals(dx.shape(), dz.shape()) || !DenseArrays.floats(x) || !DenseArrays.floats(dx)
                || x.length() != (long) a.g.planes() * a.g.inPlane()
                || !(x.data().indexer() instanceof FloatIndexer xi) || !(dz.data().indexer() instanceof FloatIndexer dzi)
                || !(dx.data().indexer() instanceof FloatIndexer dxi)) {
            return null;
        }
        Geometry g = a.g;
        int parts = Parallel.parts(g.planes());
        org.bytedeco.javacpp.BytePointer[] dxs = byteParts(dx, parts, g.planes(), g.inPlane());
        retain.addAll(List.of(x, dz, dx));
        boolean noted = soleReader && !a.overlapping() && threshold == 0f;
        if (noted) {
            a.gradOnly = true;
        }
        float[] d = a.grad;
        return () -> {
            boolean fused = a.fusedNow();
            Parallel.run(parts, part -> {
                int p0 = (int) Parallel.start(part, parts, g.planes());
                int p1 = (int) Parallel.start(part + 1, parts, g.planes());
                Pointer.memset(dxs[part], 0, (long) (p1 - p0) * g.inPlane() * Float.BYTES);
                int[] index = a.index;
                int from = p0 * g.outPlane();
                int end = p1 * g.outPlane();
                if (fused) {
                    // x was not written; with threshold 0 (checked by the plan) x > 0 at a maximum exactly
                    // when the pooled value there (the ReLU of x) is above 0
                    float[] pooled = a.out;
                    for (int o = from; o < end; o++) {
                        int mask = GraphPlan.reluMask(Float.floatToRawIntBits(pooled[o]));
                        float grad = noted ? d[o] : dzi.get(index[o]);
                        dxi.put(index[o], Float.intBitsToFloat(Float.floatToRawIntBits(grad) & mask));
                    }
                } else if (noted) {
                    // the gradient by output, as the pooling's gradient step read it (dz is left unfilled)
                    for (int o = from; o < end; o++) {
                        int at = index[o];
                        int mask = GraphPlan.reluMask(Float.floatToRawIntBits(xi.get(at)));
                        dxi.put(at, Float.intBitsToFloat(Float.floatToRawIntBits(d[o]) & mask));
                    }
                } else if (threshold == 0f) {
                    // without a branch (GraphPlan.reluMask): the branch mispredicted on half the entries,
                    // 0.46 against 0.14 ms for 75,000 of them
                    for (int o = from; o < end; o++) {
                        int at = index[o];
                        int mask = GraphPlan.reluMask(Float.floatToRawIntBits(xi.get(at)));
                        dxi.put(at, Float.intBitsToFloat(Float.floatToRawIntBits(dzi.get(at)) & mask));
                    }
                } else {
                    for (int o = from; o < end; o++) {
                        int at = index[o];
                        dxi.put(at, xi.get(at) > threshold ? dzi.get(at) : 0f);
                    }
                }
            });
            return true;
        };
    }
}
