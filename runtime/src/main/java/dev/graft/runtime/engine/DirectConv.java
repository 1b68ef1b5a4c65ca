package dev.graft.runtime.engine;

import org.bytedeco.javacpp.FloatPointer;

import java.util.Arrays;

/**
 * A direct 2-D convolution (forward step and weight gradient) for convolutions with few inputs per
 * output (the first layer of an image network: one or three channels) and few output channels, with
 * unit strides and dilations. Unfolding such an input (im2col) makes a column matrix {@code iC kH kW}
 * times larger than the input, and the product that follows has a handful of rows, which BLAS runs
 * far below its speed; here every kernel tap is instead one shifted copy of the zero-padded input
 * (a few KB, in the first-level cache) and a multiply-add over whole output rows, in loops the JIT
 * compiles to vector instructions. Benchmark CNN, first layer (1 to 6 channels, 5x5, padding 2,
 * batch 128), one thread: forward 2.0 ms by im2col and BLAS against 1.07 here, and no batch of
 * columns is kept between the two steps (12 MB). The weight gradient here serves only when oneDNN
 * is off: in the plan it took 3.1 to 3.5 ms (its accumulators, one row per output channel and tap,
 * do not fit the first-level cache) against 1.2 for {@link ConvKernels}' oneDNN convolution.
 *
 * <p>Layout: each input channel is padded into a plane of {@code hp x wp} plus {@code kW} spare
 * floats; an output row is computed {@code wp} wide (the last {@code kW - 1} entries of each row are
 * discarded), so a tap {@code (c, ky, kx)} reads one contiguous run of the plane starting at
 * {@code c plane + ky wp + kx}.
 */
final class DirectConv {
    /** Largest number of inputs per output ({@code iC kH kW}) run here. */
    static final int MAX_TAPS = 75;
    /** Largest number of output channels run here. */
    static final int MAX_OUT = 16;

    final ConvKernels.Geometry g;
    final int wp;
    final int plane;
    final int len;
    final int taps;
    /** Quarter planes ({@link #padQuarters}): width, floats per quarter plane, output floats per quarter. */
    final int wq;
    final int quarter;
    final int qLen;

    DirectConv(ConvKernels.Geometry g) {
        this.g = g;
        int hp = g.iH() + 2 * g.pH();
        this.wp = g.iW() + 2 * g.pW();
        this.plane = hp * wp + g.kW();
        this.len = g.oH() * wp;
        this.taps = g.k();
        this.wq = (wp + 1) / 2;
        this.quarter = ((hp + 1) / 2 + 1) * wq + g.kW();
        this.qLen = g.oH() / 2 * wq;
    }

    /** Whether the convolution suits this kernel: unit strides and dilations, few taps and outputs. */
    static boolean suits(ConvKernels.Geometry g) {
        return g.sH() == 1 && g.sW() == 1 && g.dH() == 1 && g.dW() == 1 && g.k() <= MAX_TAPS && g.oC() <= MAX_OUT
                && (long) g.iC() * ((long) (g.iH() + 2 * g.pH()) * (g.iW() + 2 * g.pW()) + g.kW()) < (1 << 28)
                && (long) g.oH() * (g.iW() + 2 * g.pW()) < (1 << 28);
    }

    /** A zeroed buffer for one example's padded input. */
    float[] paddedBuffer() {
        return new float[g.iC() * plane];
    }

    /** Copies example {@code xOff} of {@code x} (NCHW, on the heap) into {@code xp}, whose padding stays 0. */
    void pad(float[] x, int xOff, float[] xp) {
        int iH = g.iH();
        int iW = g.iW();
        for (int c = 0; c < g.iC(); c++) {
            for (int y = 0; y < iH; y++) {
                System.arraycopy(x, xOff + (c * iH + y) * iW, xp, c * plane + (y + g.pH()) * wp + g.pW(), iW);
            }
        }
    }

    /**
     * Whether {@link #forwardQuarters} suits: an even output size (each quarter then holds one entry
     * of every 2x2 window).
     */
    boolean quarters() {
        return g.oH() % 2 == 0 && g.oW() % 2 == 0;
    }

    /** A zeroed buffer for one example's padded input in quarter planes. */
    float[] quarterBuffer() {
        return new float[g.iC() * 4 * quarter];
    }

    /**
     * Copies example {@code xOff} of {@code x} (NCHW, on the heap) into quarter planes: the padded
     * plane's entry {@code (py, px)} goes to quarter {@code (py mod 2, px mod 2)} of its channel at
     * {@code (py / 2, px / 2)}, rows {@link #wq} wide. The padding stays 0.
     */
    void padQuarters(float[] x, int xOff, float[] xq) {
        int iH = g.iH();
        int iW = g.iW();
        for (int c = 0; c < g.iC(); c++) {
            for (int y = 0; y < iH; y++) {
                int py = y + g.pH();
                int from = xOff + (c * iH + y) * iW;
                int row = (c * 4 + (py & 1) * 2) * quarter + (py >> 1) * wq;
                for (int xx = 0; xx < iW; xx++) {
                    int px = xx + g.pW();
                    xq[row + (px & 1) * quarter + (px >> 1)] = x[from + xx];
                }
            }
        }
    }

    /**
     * {@link #forward} with the output in quarters: {@code acc[o]} holds four runs of {@link #qLen}
     * floats, quarter {@code s = 2 ry + rx} holding the outputs {@code (2 qy + ry, 2 qx + rx)} at
     * {@code qy wq + qx} (entries with {@code qx >= oW / 2} are discarded). Each tap reads a
     * contiguous run of one input quarter, so the loops stay as long as {@link #forward}'s and the
     * sums are the same, term by term and in the same order: the values equal {@link #forward}'s
     * bit for bit. {@code rows} is {@link #rowBuffers}' shape with runs of {@code 4 qLen}.
     */
    void forwardQuarters(float[] xq, float[] w, float[] b, float[][] acc, float[][] rows) {
        int oC = g.oC();
        int kW = g.kW();
        int n = 4 * qLen;
        for (int o = 0; o < oC; o++) {
            Arrays.fill(acc[o], 0, n, b == null ? 0f : b[o]);
        }
        for (int c = 0; c < g.iC(); c++) {
            for (int ky = 0; ky < g.kH(); ky++) {
                for (int s = 0; s < 4; s++) {
                    int py = (s >> 1) + ky;
                    int rx = s & 1;
                    int base = (c * 4 + (py & 1) * 2) * quarter + (py >> 1) * wq;
                    for (int kx = 0; kx < kW; kx++) {
                        System.arraycopy(xq, base + ((rx + kx) & 1) * quarter + ((rx + kx) >> 1), rows[kx], s * qLen, qLen);
                    }
                }
                addKernelRow(acc, rows, w, (c * g.kH() + ky) * kW, n);
            }
        }
    }

    /** Buffers for {@link #forwardQuarters}' shifted copies. */
    float[][] quarterRowBuffers() {
        return new float[g.kW()][4 * qLen];
    }

    private int offset(int t) {
        int kk = g.kH() * g.kW();
        int c = t / kk;
        int ky = (t % kk) / g.kW();
        int kx = t % g.kW();
        return c * plane + ky * wp + kx;
    }

    /** Buffers for one kernel row's shifted copies of the input ({@code kW} of {@link #len} floats). */
    float[][] rowBuffers() {
        return new float[g.kW()][len];
    }

    /**
     * One example's output {@code out[o][y][x]} ({@code oC x oH x oW}, from {@code outOff}) for
     * weights {@code w[o][t]} ({@code oC x taps}, tap {@code t = (c kH + ky) kW + kx}) and bias
     * {@code b} (or null); {@code acc} is {@code oC} rows of {@link #len} floats, {@code rows} from
     * {@link #rowBuffers}. A kernel row's taps are copied once and added up to five at a time, so
     * that each pass over an output channel's row loads and stores it once for several taps (30%
     * faster than a pass per tap on the benchmark CNN's first layer).
     */
    void forward(float[] xp, float[] w, float[] b, float[][] acc, float[][] rows, float[] out, int outOff) {
        int oC = g.oC();
        int kW = g.kW();
        for (int o = 0; o < oC; o++) {
            Arrays.fill(acc[o], 0, len, b == null ? 0f : b[o]);
        }
        for (int c = 0; c < g.iC(); c++) {
            for (int ky = 0; ky < g.kH(); ky++) {
                int base = c * plane + ky * wp;
                for (int kx = 0; kx < kW; kx++) {
                    System.arraycopy(xp, base + kx, rows[kx], 0, len);
                }
                addKernelRow(acc, rows, w, (c * g.kH() + ky) * kW, len);
            }
        }
        int oH = g.oH();
        int oW = g.oW();
        for (int o = 0; o < oC; o++) {
            for (int y = 0; y < oH; y++) {
                System.arraycopy(acc[o], y * wp, out, outOff + (o * oH + y) * oW, oW);
            }
        }
    }

    /**
     * Adds one kernel row's taps ({@code t0 .. t0 + kW}, their shifted inputs in {@code rows}) to every
     * output channel's {@code acc}, over {@code n} floats, up to five taps a pass: {@link #forward}
     * and {@link #forwardQuarters} both sum through here, term by term in the same order.
     */
    private void addKernelRow(float[][] acc, float[][] rows, float[] w, int t0, int n) {
        int kW = g.kW();
        for (int o = 0; o < g.oC(); o++) {
            for (int kx = 0; kx < kW; ) {
                int m = kW - kx >= 5 ? 5 : kW - kx >= 3 ? 3 : kW - kx >= 2 ? 2 : 1;
                multiplyAdd(acc[o], rows, kx, m, w, o * taps + t0 + kx, n);
                kx += m;
            }
        }
    }

    /** {@code a[j] += sum of w[wi + q] rows[kx + q][j]} for {@code q < m} (m is 1, 2, 3 or 5), {@code j < n}. */
    private static void multiplyAdd(float[] a, float[][] rows, int kx, int m, float[] w, int wi, int n) {
        float[] q0 = rows[kx];
        float w0 = w[wi];
        if (m == 1) {
            for (int j = 0; j < n; j++) {
                a[j] += w0 * q0[j];
            }
            return;
        }
        float[] q1 = rows[kx + 1];
        float w1 = w[wi + 1];
        if (m == 2) {
            for (int j = 0; j < n; j++) {
                a[j] += w0 * q0[j] + w1 * q1[j];
            }
            return;
        }
        float[] q2 = rows[kx + 2];
        float w2 = w[wi + 2];
        if (m == 3) {
            for (int j = 0; j < n; j++) {
                a[j] += w0 * q0[j] + w1 * q1[j] + w2 * q2[j];
            }
            return;
        }
        float[] q3 = rows[kx + 3];
        float[] q4 = rows[kx + 4];
        float w3 = w[wi + 3];
        float w4 = w[wi + 4];
        for (int j = 0; j < n; j++) {
            a[j] += w0 * q0[j] + w1 * q1[j] + w2 * q2[j] + w3 * q3[j] + w4 * q4[j];
        }
    }

    /**
     * Spreads one example's output gradient {@code dz[o][y][x]} (from {@code dzOff}) over rows of
     * {@link #len} floats ({@code dzp[o]}); the entries past {@code oW} in each row are left as they
     * are (0 when {@code dzp} starts zeroed, as only this method writes it).
     */
    void spread(float[] dz, int dzOff, float[][] dzp) {
        int oH = g.oH();
        int oW = g.oW();
        for (int o = 0; o < g.oC(); o++) {
            for (int y = 0; y < oH; y++) {
                System.arraycopy(dz, dzOff + (o * oH + y) * oW, dzp[o], y * wp, oW);
            }
        }
    }

    /**
     * Adds one example's weight gradient, entry by output position, into {@code acc[o taps + t]}
     * ({@link #len} floats each): {@link #reduce} sums them.
     */
    void weightGradient(float[] xp, float[][] dzp, float[][] acc, float[] r) {
        int oC = g.oC();
        for (int t = 0; t < taps; t++) {
            System.arraycopy(xp, offset(t), r, 0, len);
            for (int o = 0; o < oC; o++) {
                float[] a = acc[o * taps + t];
                float[] d = dzp[o];
                for (int j = 0; j < len; j++) {
                    a[j] += d[j] * r[j];
                }
            }
        }
    }

    /** {@code into[o taps + t] += sum of acc[o taps + t]}. */
    void reduce(float[][] acc, double[] into) {
        for (int q = 0; q < acc.length; q++) {
            double s = 0;
            for (float v : acc[q]) {
                s += v;
            }
            into[q] += s;
        }
    }

    /** For each entry {@code o taps + t} of a {@code [oC][taps]} array, its index in ND4J's {@code [kH, kW, iC, oC]} weight layout. */
    private int[] nd4jIndex() {
        int[] idx = new int[g.oC() * taps];
        for (int c = 0; c < g.iC(); c++) {
            for (int ky = 0; ky < g.kH(); ky++) {
                for (int kx = 0; kx < g.kW(); kx++) {
                    int t = (c * g.kH() + ky) * g.kW() + kx;
                    for (int o = 0; o < g.oC(); o++) {
                        idx[o * taps + t] = ((ky * g.kW() + kx) * g.iC() + c) * g.oC() + o;
                    }
                }
            }
        }
        return idx;
    }

    /** The weights (and bias) in this kernel's layout, read from ND4J's arrays on every {@link #load}. */
    final class Weights {
        private final FloatPointer pw;
        private final FloatPointer pb;
        private final float[] raw = new float[g.oC() * taps];
        private final int[] index = nd4jIndex();
        /** {@code [oC][taps]}, tap {@code (c kH + ky) kW + kx}. */
        final float[] w = new float[g.oC() * taps];
        /** Null without a bias. */
        final float[] b;

        Weights(FloatPointer pw, FloatPointer pb) {
            this.pw = pw;
            this.pb = pb;
            this.b = pb == null ? null : new float[g.oC()];
        }

        void load() {
            // ND4J's weights are [kH, kW, iC, oC]; here [oC][iC][kH][kW]
            pw.get(raw, 0, raw.length);
            for (int i = 0; i < w.length; i++) {
                w[i] = raw[index[i]];
            }
            if (pb != null) {
                pb.get(b, 0, g.oC());
            }
        }
    }

    /** The forward kernel for {@link ConvKernels#forward}: {@code input} is loaded by the caller's plan step. */
    GraphPlan.Kernel forwardKernel(ConvKernels.Input input, FloatPointer pw, FloatPointer pb, FloatPointer[] outs) {
        int oC = g.oC();
        int xStride = g.iC() * g.iH() * g.iW();
        int outSize = oC * g.oH() * g.oW();
        int parts = Parallel.parts(g.bS());
        Weights weights = new Weights(pw, pb);
        float[] w = weights.w;
        float[] b = weights.b;
        float[][] xp = new float[parts][];
        float[][][] acc = new float[parts][][];
        float[][][] rows = new float[parts][][];
        float[][] out = new float[parts][];
        for (int p = 0; p < parts; p++) {
            xp[p] = paddedBuffer();
            acc[p] = new float[oC][len];
            rows[p] = rowBuffers();
            out[p] = new float[outSize];
        }
        return () -> {
            input.load();
            weights.load();
            Parallel.run(parts, part -> {
                for (int i = (int) Parallel.start(part, parts, g.bS()), end = (int) Parallel.start(part + 1, parts, g.bS()); i < end; i++) {
                    pad(input.values, i * xStride, xp[part]);
                    forward(xp[part], w, b, acc[part], rows[part], out[part], 0);
                    outs[i].put(out[part], 0, outSize);
                }
            });
            return true;
        };
    }

    /**
     * The weight-gradient kernel for {@link ConvKernels#backward} ({@code dw} in ND4J's {@code [kH,
     * kW, iC, oC]} layout); {@code loadInput} when no forward step of this plan loads the input.
     */
    GraphPlan.Kernel weightGradientKernel(ConvKernels.Input input, boolean loadInput, FloatPointer[] dzs, FloatPointer pdw) {
        int oC = g.oC();
        int xStride = g.iC() * g.iH() * g.iW();
        int dzSize = oC * g.oH() * g.oW();
        int parts = Parallel.parts(g.bS());
        float[][] xp = new float[parts][];
        float[][][] acc = new float[parts][][];
        float[][] r = new float[parts][];
        float[][] dz = new float[parts][];
        float[][][] dzp = new float[parts][][];
        for (int p = 0; p < parts; p++) {
            xp[p] = paddedBuffer();
            acc[p] = new float[oC * taps][len];
            r[p] = new float[len];
            dz[p] = new float[dzSize];
            dzp[p] = new float[oC][len];
        }
        double[] sums = new double[oC * taps];
        float[] dwRaw = new float[oC * taps];
        int[] idx = nd4jIndex();
        return () -> {
            if (loadInput) {
                input.load();
            }
            Parallel.run(parts, part -> {
                for (float[] a : acc[part]) {
                    Arrays.fill(a, 0f);
                }
                for (int i = (int) Parallel.start(part, parts, g.bS()), end = (int) Parallel.start(part + 1, parts, g.bS()); i < end; i++) {
                    pad(input.values, i * xStride, xp[part]);
                    dzs[i].get(dz[part], 0, dzSize);
                    spread(dz[part], 0, dzp[part]);
                    weightGradient(xp[part], dzp[part], acc[part], r[part]);
                }
            });
            Arrays.fill(sums, 0);
            for (int p = 0; p < parts; p++) {
                reduce(acc[p], sums);
            }
            for (int i = 0; i < sums.length; i++) {
                dwRaw[idx[i]] = (float) sums[i];
            }
            pdw.put(dwRaw, 0, dwRaw.length);
            return true;
        };
    }
}
