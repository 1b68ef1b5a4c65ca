package dev.graft.runtime.engine;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_nolapack;
import dev.graft.runtime.util.DenseArrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastAddOp;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.Map;

/**
 * 2-D convolution and its gradient for planned graphs ({@link GraphPlan}): per example, the input is
 * unfolded (im2col, in Java on a heap copy of the batch) into a column buffer, and one BLAS product
 * ({@code cblas_sgemm}) makes the output; the forward step keeps the batch's columns (native memory,
 * up to 64 MB) and the gradient step multiplies them in place for the weight gradient, and folds the
 * column gradient back (col2im) for the input's, only when something reads it. ND4J's plain build
 * runs its {@code conv2d} / {@code conv2d_bp} ops through a slow generic matrix path and a native
 * {@code im2col} of several nanoseconds per element (10 to 25 times slower on the benchmark CNN). Its
 * oneDNN build, which Graft ships, is faster for the forward step and for a gradient step that needs
 * the input's gradient, but always computes that gradient; {@link #ownForward} and
 * {@link #ownBackward} choose. A first layer's convolution (few channels, unit strides: {@link
 * DirectConv#suits}) runs {@link DirectConv} instead of im2col, and its weight gradient, with
 * oneDNN, as one oneDNN convolution ({@link #weightGradientByConvolution}). Used for float NCHW
 * convolutions with weights in ND4J's {@code [kH, kW, in, out]} layout and explicit padding;
 * anything else runs the op itself.
 */
final class ConvKernels {
    private ConvKernels() {
    }

    /**
     * System property choosing who runs planned convolutions: {@code auto} (the default), {@code graft}
     * (these kernels) or {@code nd4j} (ND4J's own ops).
     */
    static final String PROPERTY = "graft.plan.conv";

    private static String choice() {
        return GraphPlan.choice(PROPERTY, "a convolution implementation", "auto", "graft", "nd4j");
    }

    /**
     * Whether a planned {@code conv2d} runs {@link #forward}: by default when ND4J has no oneDNN, or
     * when the same plan runs this convolution's gradient step here without the input's gradient
     * ({@code gradientStepHereWithoutDx}: a first layer; its forward step runs {@link DirectConv}
     * when that suits, as fast as oneDNN's, 1.0 to 1.3 ms on the benchmark CNN's first layer, batch
     * 128, one thread; by im2col it keeps the batch's columns for the gradient step). Otherwise
     * oneDNN's forward is faster (second layer: 0.7 against 2.0 ms by im2col).
     */
    static boolean ownForward(boolean gradientStepHereWithoutDx) {
        String c = choice();
        return c.equals("graft") || (c.equals("auto") && (!OneDnn.enabled() || gradientStepHereWithoutDx));
    }

    /**
     * Whether a planned {@code conv2d_bp} runs {@link #backward}: by default when ND4J has no oneDNN,
     * or when nothing reads the input's gradient (ND4J's op always computes it: 9.3 against 1.4 ms for
     * the benchmark CNN's first layer, whose input is the data). With the input's gradient needed,
     * oneDNN is faster (2.8 against 3.8 ms for the second layer).
     */
    static boolean ownBackward(boolean needDx) {
        String c = choice();
        return c.equals("graft") || (c.equals("auto") && (!OneDnn.enabled() || !needDx));
    }

    /** System property: {@code false} runs the first-layer convolutions {@link DirectConv} suits by im2col instead. */
    static final String DIRECT_PROPERTY = "graft.plan.conv.direct";

    /** Whether this convolution runs on {@link DirectConv} (when these kernels run it at all). */
    static boolean direct(Geometry g) {
        return DirectConv.suits(g) && !"false".equalsIgnoreCase(System.getProperty(DIRECT_PROPERTY, "true").trim());
    }

    /** The geometry of one convolution: iArgs {@code [kH, kW, sH, sW, pH, pW, dH, dW, same, format, wFormat]}. */
    record Geometry(int kH, int kW, int sH, int sW, int pH, int pW, int dH, int dW, int bS, int iC, int iH, int iW, int oC, int oH, int oW) {
        int k() {
            return iC * kH * kW;
        }

        int n() {
            return oH * oW;
        }
    }

    static Geometry geometry(long[] iArgs, INDArray x, INDArray w) {
        if (iArgs.length < 9 || x.rank() != 4 || w.rank() != 4) {
            return null;
        }
        int format = iArgs.length > 9 ? (int) iArgs[9] : 0;
        int wFormat = iArgs.length > 10 ? (int) iArgs[10] : 0;
        if (iArgs[8] != 0 || format != 0 || wFormat != 0) {
            return null; // SAME padding, NHWC or other weight layouts: the op itself
        }
        int kH = (int) iArgs[0];
        int kW = (int) iArgs[1];
        if (kH <= 0 || kW <= 0 || w.size(0) != kH || w.size(1) != kW || w.size(2) != x.size(1)) {
            return null;
        }
        int sH = (int) iArgs[2];
        int sW = (int) iArgs[3];
        int pH = (int) iArgs[4];
        int pW = (int) iArgs[5];
        int dH = (int) iArgs[6];
        int dW = (int) iArgs[7];
        int iH = (int) x.size(2);
        int iW = (int) x.size(3);
        int oH = (iH + 2 * pH - dH * (kH - 1) - 1) / sH + 1;
        int oW = (iW + 2 * pW - dW * (kW - 1) - 1) / sW + 1;
        if (oH <= 0 || oW <= 0) {
            return null;
        }
        return new Geometry(kH, kW, sH, sW, pH, pW, dH, dW, (int) x.size(0), (int) x.size(1), iH, iW, (int) w.size(3), oH, oW);
    }

    private static FloatPointer[] slices(INDArray a, int count, long stride) {
        FloatPointer base = new FloatPointer(a.data().addressPointer());
        FloatPointer[] p = new FloatPointer[count];
        for (int i = 0; i < count; i++) {
            p[i] = new FloatPointer(base).position(i * stride);
        }
        return p;
    }

    /**
     * Unfolds example {@code xOff} of {@code x} (NCHW, on the heap) into {@code col} ({@code [iC kH kW,
     * oH oW]}, row-major): row {@code (c, ky, kx)} holds the input pixel each output position sees
     * through that kernel tap, 0 in the padding. Unit horizontal stride copies whole runs.
     */
    static void im2col(float[] x, int xOff, Geometry g, float[] col, int colOff) {
        if (g.sH() == 1 && g.sW() == 1 && g.dH() == 1 && g.dW() == 1 && g.iW() == g.oW()) {
            im2colRows(x, xOff, g, col, colOff);
            return;
        }
        int oH = g.oH();
        int oW = g.oW();
        int n = oH * oW;
        int r = 0;
        for (int c = 0; c < g.iC(); c++) {
            for (int ky = 0; ky < g.kH(); ky++) {
                for (int kx = 0; kx < g.kW(); kx++, r++) {
                    int base = colOff + r * n;
                    int ix0 = kx * g.dW() - g.pW();
                    int lo = g.sW() == 1 ? Math.max(0, -ix0) : 0;
                    int hi = g.sW() == 1 ? Math.max(lo, Math.min(oW, g.iW() - ix0)) : 0;
                    for (int oy = 0; oy < oH; oy++) {
                        int dst = base + oy * oW;
                        int iy = oy * g.sH() - g.pH() + ky * g.dH();
                        if (iy < 0 || iy >= g.iH()) {
                            java.util.Arrays.fill(col, dst, dst + oW, 0f);
                            continue;
                        }
                        int src = xOff + (c * g.iH() + iy) * g.iW();
                        if (g.sW() == 1) {
                            if (lo > 0) {
                                java.util.Arrays.fill(col, dst, dst + lo, 0f);
                            }
                            if (hi > lo) {
                                System.arraycopy(x, src + lo + ix0, col, dst + lo, hi - lo);
                            }
                            if (hi < oW) {
                                java.util.Arrays.fill(col, dst + hi, dst + oW, 0f);
                            }
                        } else {
                            for (int ox = 0; ox < oW; ox++) {
                                int ix = ox * g.sW() + ix0;
                                col[dst + ox] = ix >= 0 && ix < g.iW() ? x[src + ix] : 0f;
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * {@link #im2col} for unit strides and dilations when a row of the output is as wide as a row of
     * the input (padding that keeps the width, e.g. 5x5 with padding 2): the rows a kernel tap sees
     * are then one block of the input, shifted by the tap's column offset, so each tap is one copy
     * plus zeros where the shift wrapped across a row edge (twice as fast as a copy per row on the
     * benchmark CNN's first layer).
     */
    private static void im2colRows(float[] x, int xOff, Geometry g, float[] col, int colOff) {
        int oH = g.oH();
        int oW = g.oW();
        int n = oH * oW;
        int r = 0;
        for (int c = 0; c < g.iC(); c++) {
            for (int ky = 0; ky < g.kH(); ky++) {
                for (int kx = 0; kx < g.kW(); kx++, r++) {
                    int base = colOff + r * n;
                    int shift = kx - g.pW();
                    // output rows whose input row is inside the image
                    int oy0 = Math.min(oH, Math.max(0, g.pH() - ky));
                    int oy1 = Math.max(oy0, Math.min(oH, g.iH() + g.pH() - ky));
                    java.util.Arrays.fill(col, base, base + oy0 * oW, 0f);
                    java.util.Arrays.fill(col, base + oy1 * oW, base + n, 0f);
                    if (oy1 == oy0) {
                        continue;
                    }
                    int dst = base + oy0 * oW;
                    int src = xOff + (c * g.iH() + oy0 - g.pH() + ky) * g.iW();
                    int len = (oy1 - oy0) * oW;
                    // col[dst + j] = x[src + j + shift] where that stays inside the block, else 0
                    int a = Math.min(len, Math.max(0, -shift));
                    int b = Math.max(a, Math.min(len, len - shift));
                    java.util.Arrays.fill(col, dst, dst + a, 0f);
                    if (b > a) {
                        System.arraycopy(x, src + a + shift, col, dst + a, b - a);
                    }
                    java.util.Arrays.fill(col, dst + b, dst + len, 0f);
                    // the entries that wrapped into the neighbouring row are padding
                    if (shift > 0) {
                        for (int row = dst; row < dst + len; row += oW) {
                            java.util.Arrays.fill(col, row + Math.max(0, oW - shift), row + oW, 0f);
                        }
                    } else if (shift < 0) {
                        for (int row = dst; row < dst + len; row += oW) {
                            java.util.Arrays.fill(col, row, row + Math.min(oW, -shift), 0f);
                        }
                    }
                }
            }
        }
    }

    /** The adjoint of {@link #im2col}: adds each column entry into the input pixel it came from. */
    static void col2imAdd(float[] col, Geometry g, float[] dx, int xOff) {
        int oH = g.oH();
        int oW = g.oW();
        int n = oH * oW;
        int r = 0;
        for (int c = 0; c < g.iC(); c++) {
            for (int ky = 0; ky < g.kH(); ky++) {
                for (int kx = 0; kx < g.kW(); kx++, r++) {
                    int base = r * n;
                    int ix0 = kx * g.dW() - g.pW();
                    int lo = g.sW() == 1 ? Math.max(0, -ix0) : 0;
                    int hi = g.sW() == 1 ? Math.max(lo, Math.min(oW, g.iW() - ix0)) : 0;
                    for (int oy = 0; oy < oH; oy++) {
                        int iy = oy * g.sH() - g.pH() + ky * g.dH();
                        if (iy < 0 || iy >= g.iH()) {
                            continue;
                        }
                        int src = base + oy * oW;
                        int dst = xOff + (c * g.iH() + iy) * g.iW();
                        if (g.sW() == 1) {
                            int d = dst + ix0;
                            for (int ox = lo; ox < hi; ox++) {
                                dx[d + ox] += col[src + ox];
                            }
                        } else {
                            for (int ox = 0; ox < oW; ox++) {
                                int ix = ox * g.sW() + ix0;
                                if (ix >= 0 && ix < g.iW()) {
                                    dx[dst + ix] += col[src + ox];
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /** Heap copy of a batch's input, shared by a convolution's forward and gradient steps. */
    static final class Input {
        final float[] values;
        final FloatPointer source;
        final INDArray array;

        Input(INDArray x) {
            this.array = x;
            this.values = new float[(int) x.length()];
            this.source = new FloatPointer(x.data().addressPointer());
        }

        void load() {
            source.get(values, 0, values.length);
        }
    }

    /**
     * What a forward step leaves for its gradient step: with {@code cols} (native, {@code [bS, k, n]}),
     * the batch's columns, which the gradient step reads in place.
     */
    record Shared(INDArray x, INDArray w, Geometry g, Input input, INDArray wMat, INDArray cols) {
    }

    private static boolean fits(Geometry g) {
        return (long) g.bS() * g.iC() * g.iH() * g.iW() < Integer.MAX_VALUE && (long) g.k() * g.n() < Integer.MAX_VALUE;
    }

    /** Largest batch of columns (in floats) a forward step keeps, in native memory, for its gradient step: 64 MB. */
    private static final long KEEP_COLUMNS = 16L << 20;

    /**
     * The forward step {@code z = conv(x, w) + b}, or {@code null} when the arrays do not fit this
     * kernel. Records its buffers in {@code shared} under {@code x}.
     */
    static GraphPlan.Kernel forward(long[] iArgs, INDArray x, INDArray w, INDArray b, INDArray z, Map<INDArray, Shared> shared,
                                    java.util.List<Object> retain) {
        Geometry g = geometry(iArgs, x, w);
        if (g == null || !fits(g) || !DenseArrays.floats(x) || !DenseArrays.floats(z) || w.dataType() != DataType.FLOAT
                || !Arrays.equals(z.shape(), new long[] {g.bS(), g.oC(), g.oH(), g.oW()})
                || (b != null && (b.dataType() != DataType.FLOAT || b.length() != g.oC()))) {
            return null;
        }
        int k = g.k();
        int n = g.n();
        int oC = g.oC();
        int xStride = g.iC() * g.iH() * g.iW();
        Input input = new Input(x);
        if (direct(g)) {
            retain.addAll(b == null ? java.util.List.of(x, w, z) : java.util.List.of(x, w, z, b));
            shared.put(x, new Shared(x, w, g, input, null, null));
            return new DirectConv(g).forwardKernel(input, new FloatPointer(w.data().addressPointer()),
                    b == null ? null : new FloatPointer(b.data().addressPointer()), slices(z, g.bS(), (long) oC * n));
        }
        // the columns of the whole batch when they are not too large: the gradient step then reads them
        long all = (long) g.bS() * k * n;
        INDArray cols = all <= KEEP_COLUMNS ? Nd4j.create(DataType.FLOAT, new long[] {g.bS(), k, n}, 'c') : null;
        int parts = Parallel.parts(g.bS());
        float[][] col = new float[parts][k * n];
        INDArray colBuf = cols != null ? cols : Nd4j.create(DataType.FLOAT, new long[] {parts, k, n}, 'c');
        FloatPointer[] pcols = slices(colBuf, cols != null ? g.bS() : parts, (long) k * n);
        INDArray wMat = Nd4j.create(DataType.FLOAT, new long[] {oC, g.iC(), g.kH(), g.kW()}, 'c');
        // the raw pointers below do not keep their arrays alive: the plan does
        retain.addAll(java.util.List.of(x, w, z, colBuf, wMat));
        FloatPointer[] outs = slices(z, g.bS(), (long) oC * n);
        FloatPointer pw = new FloatPointer(wMat.data().addressPointer());
        INDArray z3 = z.reshape('c', g.bS(), oC, n);
        INDArray b1 = b == null ? null : b.reshape(oC);
        BroadcastAddOp addBias = b == null ? null : new BroadcastAddOp(z3, b1, z3, 1);
        shared.put(x, new Shared(x, w, g, input, wMat, cols));
        return () -> {
            input.load();
            wMat.assign(w.permute(3, 2, 0, 1));
            // the examples split over the threads; each part has its own column buffers
            Parallel.run(parts, part -> {
                float[] c = col[part];
                for (int i = (int) Parallel.start(part, parts, g.bS()), end = (int) Parallel.start(part + 1, parts, g.bS()); i < end; i++) {
                    FloatPointer pcol = pcols[cols != null ? i : part];
                    im2col(input.values, i * xStride, g, c, 0);
                    pcol.put(c, 0, k * n);
                    openblas_nolapack.cblas_sgemm(openblas_nolapack.CblasRowMajor, openblas_nolapack.CblasNoTrans, openblas_nolapack.CblasNoTrans,
                            oC, n, k, 1f, pw, k, pcol, n, 0f, outs[i], n);
                }
            });
            if (addBias != null) {
                Nd4j.exec(addBias);
            }
            return true;
        };
    }

    /**
     * The weight gradient of a unit-stride convolution as one convolution on oneDNN: {@code dW[o, c,
     * ky, kx]} sums {@code x[n, c, y + ky, x + kx] dz[n, o, y, x]} over examples and positions, which
     * is the convolution of the input, with the examples as channels and the input channels as the
     * batch ({@code [iC, bS, iH, iW]}: a view when {@code iC} is 1), by the output gradient as
     * weights ({@code [oC, bS, oH, oW]}), with the same padding: its output is {@code [iC, oC, kH,
     * kW]}. Benchmark CNN, first layer, batch 128, one thread: 1.0 ms plus 0.2 to lay the output
     * gradient out (0.4 by ND4J's permuted assign), against 3.1 to 3.5 for {@link DirectConv}'s and 9.5 for ND4J's {@code conv2d_bp},
     * which computes the input's gradient too. The bias gradient {@code db} (or null) is then one
     * matrix-vector product on the laid-out gradient (ND4J's sum over two axes took 0.45 ms).
     */
    private static GraphPlan.Kernel weightGradientByConvolution(Geometry g, INDArray x, INDArray dz, INDArray dw, INDArray db,
                                                              java.util.List<Object> retain) {
        INDArray in = g.iC() == 1 ? x.reshape('c', 1, g.bS(), g.iH(), g.iW())
                : Nd4j.create(DataType.FLOAT, new long[] {g.iC(), g.bS(), g.iH(), g.iW()}, 'c');
        INDArray weights = Nd4j.create(DataType.FLOAT, new long[] {g.oC(), g.bS(), g.oH(), g.oW()}, 'c');
        INDArray out = Nd4j.create(DataType.FLOAT, new long[] {g.iC(), g.oC(), g.kH(), g.kW()}, 'c');
        org.nd4j.linalg.api.ops.DynamicCustomOp conv = org.nd4j.linalg.api.ops.DynamicCustomOp.builder("conv2d").build();
        // kernel oH x oW, stride 1, the convolution's padding, dilation 1, explicit padding, NCHW, weights [oC, iC, kH, kW]
        org.nd4j.linalg.api.ops.OpContext oc = OneDnn.context(new INDArray[] {in, weights}, out, g.oH(), g.oW(), 1, 1, g.pH(), g.pW(), 1, 1, 0, 0, 1);
        retain.addAll(java.util.List.of(in, weights, out, oc));
        // the output gradient [bS, oC, n] laid out as [oC, bS, n], and the input [bS, iC, iH iW] as [iC, bS, iH iW]:
        // one copy of each (example, channel) plane (ND4J's permuted assign took 0.18 ms for the second layer's input)
        long plane = (long) g.n() * Float.BYTES;
        org.bytedeco.javacpp.BytePointer from = new org.bytedeco.javacpp.BytePointer(dz.data().addressPointer());
        org.bytedeco.javacpp.BytePointer to = new org.bytedeco.javacpp.BytePointer(weights.data().addressPointer());
        long inPlane = (long) g.iH() * g.iW() * Float.BYTES;
        org.bytedeco.javacpp.BytePointer xFrom = g.iC() == 1 ? null : new org.bytedeco.javacpp.BytePointer(x.data().addressPointer());
        org.bytedeco.javacpp.BytePointer xTo = g.iC() == 1 ? null : new org.bytedeco.javacpp.BytePointer(in.data().addressPointer());
        // [iC, oC, kH, kW] into ND4J's [kH, kW, iC, oC]: through an index map for weights of a usual size (no ND4J op to dispatch)
        GraphPlan.Kernel layOut = SmallKernels.permute(out, new long[] {2, 3, 0, 1}, dw, retain);
        INDArray dwT = layOut == null ? dw.permute(2, 3, 0, 1) : null;
        int cols = g.bS() * g.n();
        INDArray ones = db == null ? null : Nd4j.ones(DataType.FLOAT, cols);
        if (db != null) {
            retain.addAll(java.util.List.of(db, ones));
        }
        FloatPointer pw = new FloatPointer(weights.data().addressPointer());
        FloatPointer pones = ones == null ? null : new FloatPointer(ones.data().addressPointer());
        // the callers take db only dense: the product writes it in place
        FloatPointer pdb = db == null ? null : new FloatPointer(db.data().addressPointer());
        return () -> {
            transposePlanes(from, to, g.bS(), g.oC(), plane);
            if (xFrom != null) {
                transposePlanes(xFrom, xTo, g.bS(), g.iC(), inPlane);
            }
            OneDnn.exec(conv, oc);
            if (layOut != null) {
                layOut.exec();
            } else {
                dwT.assign(out);
            }
            if (pdb != null) {
                openblas_nolapack.cblas_sgemv(openblas_nolapack.CblasRowMajor, openblas_nolapack.CblasNoTrans, g.oC(), cols, 1f, pw, cols,
                        pones, 1, 0f, pdb, 1);
            }
            return true;
        };
    }

    /** {@code to[b][a] = from[a][b]} for {@code a < rows}, {@code b < cols}, each entry a plane of {@code bytes}. */
    private static void transposePlanes(org.bytedeco.javacpp.BytePointer from, org.bytedeco.javacpp.BytePointer to, int rows, int cols, long bytes) {
        for (int a = 0; a < rows; a++) {
            for (int b = 0; b < cols; b++) {
                org.bytedeco.javacpp.Pointer.memcpy(to.position(((long) b * rows + a) * bytes), from.position(((long) a * cols + b) * bytes), bytes);
            }
        }
    }

    /**
     * The gradient step of a unit-stride convolution whose input's gradient is needed, on oneDNN as
     * two ops instead of ND4J's {@code conv2d_bp}: the weight and bias gradients by {@link
     * #weightGradientByConvolution}, the input's gradient by ND4J's {@code deconv2d} (oneDNN's
     * backward-data convolution, the same weights in the same layout, as exact as {@code conv2d_bp}'s).
     * Benchmark CNN, second layer (6 to 16 channels, 5x5, 14x14 input), one thread: batch 128, 2.33 ms
     * for {@code conv2d_bp} against 0.74 + 1.07 for the two ops; batch 64, 1.23 against 0.40 + 0.57.
     * Null when the convolution does not suit (strides, dilations, SAME padding, layouts, or an input
     * larger than the transposed convolution gives back); {@code -Dgraft.plan.conv=nd4j} keeps {@code
     * conv2d_bp}.
     */
    static GraphPlan.Kernel oneDnnBackward(long[] iArgs, INDArray x, INDArray w, INDArray dz, INDArray dx, INDArray dw, INDArray db,
                                           java.util.List<Object> retain) {
        if (!choice().equals("auto") || !OneDnn.enabled()) {
            return null;
        }
        Geometry g = geometry(iArgs, x, w);
        if (g == null || !fits(g) || g.sH() != 1 || g.sW() != 1 || g.dH() != 1 || g.dW() != 1
                || g.oH() + g.kH() - 1 - 2 * g.pH() != g.iH() || g.oW() + g.kW() - 1 - 2 * g.pW() != g.iW()
                || !DenseArrays.floats(x) || !DenseArrays.floats(w) || !DenseArrays.floats(dz) || !DenseArrays.floats(dx) || !DenseArrays.floats(dw)
                || !Arrays.equals(dz.shape(), new long[] {g.bS(), g.oC(), g.oH(), g.oW()}) || !Arrays.equals(dx.shape(), x.shape())
                || !Arrays.equals(dw.shape(), w.shape()) || (db != null && (!DenseArrays.floats(db) || db.length() != g.oC()))) {
            return null;
        }
        GraphPlan.Kernel weights = weightGradientByConvolution(g, x, dz, dw, db, retain);
        org.nd4j.linalg.api.ops.DynamicCustomOp deconv = org.nd4j.linalg.api.ops.DynamicCustomOp.builder("deconv2d").build();
        // conv2d's weights [kH, kW, iC, oC] are deconv2d's [kH, kW, its oC, its iC]; explicit padding, NCHW
        org.nd4j.linalg.api.ops.OpContext oc = OneDnn.context(new INDArray[] {dz, w}, dx, g.kH(), g.kW(), 1, 1, g.pH(), g.pW(), 1, 1, 0, 0, 0);
        retain.addAll(java.util.List.of(x, w, dz, dx, dw, oc));
        return () -> {
            weights.exec();
            OneDnn.exec(deconv, oc);
            return true;
        };
    }

    /**
     * The gradient step: from {@code dz}, the gradients {@code dx} (when {@code needDx}), {@code dw}
     * and (with a bias) {@code db}; {@code null} when the arrays do not fit this kernel.
     */
    static GraphPlan.Kernel backward(long[] iArgs, INDArray x, INDArray w, INDArray dz, INDArray dx, INDArray dw, INDArray db,
                                     boolean needDx, Map<INDArray, Shared> shared, java.util.List<Object> retain) {
        Geometry g = geometry(iArgs, x, w);
        if (g == null || !fits(g) || !DenseArrays.floats(x) || !DenseArrays.floats(dz) || !DenseArrays.floats(dx) || !DenseArrays.floats(dw) || w.dataType() != DataType.FLOAT
                || !Arrays.equals(dz.shape(), new long[] {g.bS(), g.oC(), g.oH(), g.oW()}) || !Arrays.equals(dx.shape(), x.shape())
                || !Arrays.equals(dw.shape(), w.shape()) || (db != null && (!DenseArrays.floats(db) || db.length() != g.oC()))) {
            return null;
        }
        int k = g.k();
        int n = g.n();
        int oC = g.oC();
        int xStride = g.iC() * g.iH() * g.iW();
        Shared f = shared.get(x);
        if (!needDx && direct(g)) {
            boolean loaded = f != null && f.g().equals(g);
            retain.addAll(java.util.List.of(x, w, dz, dx, dw));
            if (OneDnn.enabled()) {
                return weightGradientByConvolution(g, x, dz, dw, db, retain);
            }
            GraphPlan.Kernel dW = new DirectConv(g).weightGradientKernel(loaded ? f.input() : new Input(x), !loaded,
                    slices(dz, g.bS(), (long) oC * n), new FloatPointer(dw.data().addressPointer()));
            INDArray db1 = db == null ? null : db.reshape(oC);
            INDArray dz3 = dz.reshape('c', g.bS(), oC, n);
            return () -> {
                dW.exec();
                if (db1 != null) {
                    dz3.sum(db1, 0, 2);
                }
                return true;
            };
        }
        // the forward step's weights and columns, when it ran here by im2col
        boolean reuse = f != null && f.w() == w && f.g().equals(g) && f.wMat() != null;
        Input input = reuse ? f.input() : new Input(x);
        INDArray wMat = reuse ? f.wMat() : Nd4j.create(DataType.FLOAT, new long[] {oC, g.iC(), g.kH(), g.kW()}, 'c');
        INDArray kept = reuse ? f.cols() : null;
        FloatPointer[] pkept = kept != null ? slices(kept, g.bS(), (long) k * n) : null;
        int parts = Parallel.parts(g.bS());
        float[][] col = new float[parts][k * n];
        INDArray colBuf = Nd4j.create(DataType.FLOAT, new long[] {parts, k, n}, 'c');
        FloatPointer[] pcols = slices(colBuf, parts, (long) k * n);
        float[] dxHeap = needDx ? new float[(int) dx.length()] : null;
        FloatPointer pdx = new FloatPointer(dx.data().addressPointer());
        // the weight gradient: each part sums its examples' into its own slice; with several parts they are added up after
        INDArray dwParts = Nd4j.create(DataType.FLOAT, new long[] {parts, oC, g.iC(), g.kH(), g.kW()}, 'c');
        INDArray dwMat = parts > 1 ? Nd4j.create(DataType.FLOAT, new long[] {oC, g.iC(), g.kH(), g.kW()}, 'c')
                : dwParts.reshape('c', oC, g.iC(), g.kH(), g.kW());
        FloatPointer[] pdws = slices(dwParts, parts, (long) oC * k);
        // the raw pointers below do not keep their arrays alive: the plan does
        retain.addAll(java.util.List.of(x, w, dz, dx, dw, colBuf, wMat, dwParts, dwMat));
        if (kept != null) {
            retain.add(kept);
        }
        FloatPointer[] dzs = slices(dz, g.bS(), (long) oC * n);
        FloatPointer pw = new FloatPointer(wMat.data().addressPointer());
        INDArray dwView = dw.permute(3, 2, 0, 1);
        INDArray dwSum = parts > 1 ? dwParts.reshape('c', new long[] {parts, (long) oC * k}) : null;
        INDArray dwFlat = dwMat.reshape('c', new long[] {(long) oC * k});
        INDArray db1 = db == null ? null : db.reshape(oC);
        INDArray dz3 = dz.reshape('c', g.bS(), oC, n);
        return () -> {
            if (!reuse) {
                input.load();
                wMat.assign(w.permute(3, 2, 0, 1));
            }
            if (needDx) {
                java.util.Arrays.fill(dxHeap, 0f);
            }
            // the examples split over the threads; the input gradients of different examples are disjoint
            Parallel.run(parts, part -> {
                float[] c = col[part];
                FloatPointer pcol = pcols[part];
                FloatPointer pdw = pdws[part];
                int first = (int) Parallel.start(part, parts, g.bS());
                for (int i = first, end = (int) Parallel.start(part + 1, parts, g.bS()); i < end; i++) {
                    FloatPointer ci = pcol;
                    if (pkept != null) {
                        ci = pkept[i];
                    } else {
                        im2col(input.values, i * xStride, g, c, 0);
                        pcol.put(c, 0, c.length);
                    }
                    // dW += dz_i [oC, n] . col_i^T [n, k]
                    openblas_nolapack.cblas_sgemm(openblas_nolapack.CblasRowMajor, openblas_nolapack.CblasNoTrans, openblas_nolapack.CblasTrans,
                            oC, k, n, 1f, dzs[i], n, ci, n, i == first ? 0f : 1f, pdw, k);
                    if (needDx) {
                        // dcol_i [k, n] = W^T [k, oC] . dz_i [oC, n], then folded back onto the input's pixels
                        openblas_nolapack.cblas_sgemm(openblas_nolapack.CblasRowMajor, openblas_nolapack.CblasTrans, openblas_nolapack.CblasNoTrans,
                                k, n, oC, 1f, pw, k, dzs[i], n, 0f, pcol, n);
                        pcol.get(c, 0, c.length);
                        col2imAdd(c, g, dxHeap, i * xStride);
                    }
                }
            });
            if (dwSum != null) {
                dwSum.sum(dwFlat, 0);
            }
            dwView.assign(dwMat);
            if (needDx) {
                pdx.put(dxHeap, 0, dxHeap.length);
            }
            if (db1 != null) {
                dz3.sum(db1, 0, 2);
            }
            return true;
        };
    }
}
