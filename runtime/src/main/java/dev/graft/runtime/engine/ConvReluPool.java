package dev.graft.runtime.engine;

import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;

/**
 * A first-layer convolution, its ReLU and a 2x2 max pooling of stride 2 in one pass per example, in
 * training and inference plans ({@link GraphPlan}): the convolution ({@link DirectConv#forwardQuarters}) leaves its
 * output in quarters, one entry of every pooling window in each, so the ReLU, the window's maximum
 * and where it came from are computed in loops the JIT vectorises, on values still in the
 * first-level cache. Neither the convolution's output nor the ReLU's is written: the plan fuses only
 * when nothing else reads them, the pooling's gradient step knows the maxima's places ({@link
 * PoolKernels.Argmax}), and the ReLU's gradient needs the convolution's output only there, where it
 * is above 0 exactly when the pooled value is ({@link PoolKernels#sparseReluGradient}).
 *
 * <p>Values: the convolution's sums are {@link DirectConv}'s, bit for bit, and the maxima and their
 * places follow ND4J's rule (the first largest of the window, row by row). One difference: a window
 * whose entries are all at most 0 pools to +0, where ND4J's ReLU keeps a -0 input as -0 and the
 * pooling may pass it on. An example with a NaN or infinite convolution output is pooled the
 * general way ({@link PoolKernels.Argmax#pool}), with ND4J's ReLU ({@code x < 0 ? 0 : x}).
 * {@code -Dgraft.plan.fuse=off} keeps the three steps apart.
 *
 * <p>The gradient side uses the maxima too: with a 5x5 kernel, the convolution's weight and bias
 * gradients are summed over the windows' maxima alone ({@link #weightGradient}), and the ReLU's
 * gradient, when only that step reads it, is not written.
 */
final class ConvReluPool {
    /** System property: {@code on} (the default) fuses, {@code off} keeps the steps apart. */
    static final String PROPERTY = "graft.plan.fuse";

    static boolean enabled() {
        return GraphPlan.choice(PROPERTY, "a setting (on: fuse a first-layer convolution, its ReLU and its 2x2 max pooling)", "on", "off").equals("on");
    }

    /** A fused chain's state: whether the fused step is in use (the plan turns it off when some step reads what it leaves unwritten). */
    static final class Slot {
        volatile boolean active;
        /** The convolution's input, weights and bias (null when it has none), noted when the convolution is compiled. */
        INDArray x;
        INDArray w;
        INDArray b;
        ConvKernels.Geometry conv;
        /** The ReLU's output (the pooling's input, never written while the slot is active). */
        INDArray relu;
        /** The convolution's input as the fused step loads it. */
        ConvKernels.Input input;
        /** Set by each run of the fused step: whether every example's convolution output was finite. */
        volatile boolean finite;
        /**
         * Set when the convolution's weight gradient step reads the maxima ({@link #weightGradient}):
         * a ReLU gradient whose only reader is that step then need not write its output.
         */
        volatile boolean sparseGradient;
    }

    /** 2^126: {@code (v - m) * BIG * BIG} is 0 when {@code v == m} and at most -1 when {@code v < m}, for finite floats. */
    private static final float BIG = 0x1p126f;

    private ConvReluPool() {
    }

    /** Whether a pooling of {@code pool}'s geometry over a convolution of {@code conv}'s can be fused. */
    static boolean suits(ConvKernels.Geometry conv, PoolKernels.Geometry pool) {
        return conv != null && pool != null && ConvKernels.direct(conv) && new DirectConv(conv).quarters()
                && pool.kH() == 2 && pool.kW() == 2 && pool.sH() == 2 && pool.sW() == 2 && pool.pH() == 0 && pool.pW() == 0
                && pool.iH() == conv.oH() && pool.iW() == conv.oW() && pool.planes() == conv.bS() * conv.oC();
    }

    /**
     * The fused step: reads {@code slot}'s input and weights, writes the pooled output {@code p}
     * and what the gradient steps read into {@code a} (the maxima's places and values).
     */
    static GraphPlan.Kernel kernel(Slot slot, ConvKernels.Input input, PoolKernels.Argmax a, INDArray p, List<Object> retain) {
        ConvKernels.Geometry g = slot.conv;
        DirectConv dc = new DirectConv(g);
        int oC = g.oC();
        int qLen = dc.qLen;
        int wq = dc.wq;
        int oH = g.oH();
        int oW = g.oW();
        int pH = oH / 2;
        int pW = oW / 2;
        int xStride = g.iC() * g.iH() * g.iW();
        int pooled = oC * pH * pW;
        int parts = Parallel.parts(g.bS());
        FloatPointer pw = new FloatPointer(slot.w.data().addressPointer());
        FloatPointer pb = slot.b == null ? null : new FloatPointer(slot.b.data().addressPointer());
        FloatPointer[] ps = new FloatPointer[g.bS()];
        for (int i = 0; i < ps.length; i++) {
            ps[i] = new FloatPointer(p.data().addressPointer()).position((long) i * pooled);
        }
        retain.addAll(slot.b == null ? List.of(slot.x, slot.w, p) : List.of(slot.x, slot.w, slot.b, p));
        DirectConv.Weights weights = dc.new Weights(pw, pb);
        float[] w = weights.w;
        float[] b = weights.b;
        Part[] work = new Part[parts];
        for (int q = 0; q < parts; q++) {
            work[q] = new Part(dc.quarterBuffer(), new float[oC][4 * qLen], dc.quarterRowBuffers(), new float[4][oC * qLen], new float[oC * qLen], new float[oC * qLen], new float[oC * qLen],
                    new float[oC * oH * oW], new float[oC * oH * oW]);
        }
        boolean[] finite = new boolean[parts];
        return () -> {
            input.load();
            weights.load();
            Parallel.run(parts, part -> {
                Part t = work[part];
                boolean all = true;
                for (int i = (int) Parallel.start(part, parts, g.bS()), end = (int) Parallel.start(part + 1, parts, g.bS()); i < end; i++) {
                    dc.padQuarters(input.values, i * xStride, t.xq);
                    dc.forwardQuarters(t.xq, w, b, t.acc, t.rows);
                    if (!pool(t, oC, qLen, wq, pH, pW, oW, a, i * pooled, i * oC * oH * oW)) {
                        // a NaN or an infinity in this example's output: ND4J's ReLU and pooling rule
                        general(dc, t, a, i);
                        all = false;
                    }
                    ps[i].put(a.out, i * pooled, pooled);
                }
                finite[part] = all;
            });
            boolean all = true;
            for (boolean f : finite) {
                all &= f;
            }
            slot.finite = all;
            a.fresh = true;
            return true;
        };
    }

    /** Whether {@link #weightGradient} suits the fused chain's convolution: a 5x5 kernel. */
    static boolean sparseGradientSuits(ConvKernels.Geometry g) {
        return g.kH() == 5 && g.kW() == 5;
    }

    /**
     * The convolution's weight and bias gradients from the pooling's maxima, for a fused chain whose
     * examples were all finite in this run ({@link Slot#finite}). After the 2x2 pooling and the ReLU,
     * the convolution's output gradient is zero except at each window's maximum, where it is the
     * pooled gradient ({@link PoolKernels.Argmax#grad}) if the pooled value is above 0: a quarter of
     * the entries or fewer. So {@code dW[ky, kx, c, o]} sums, over the examples and the windows of
     * channel {@code o}, that gradient times the padded input at the maximum's place shifted by
     * {@code (ky, kx)}, and {@code db[o]} sums the gradient: 25 multiply-adds per window into 25
     * accumulators, instead of a dense product over every output position (oneDNN's, which ran
     * the benchmark CNN's first layer at about 20 GFLOP/s). Each example's sums are added up in
     * double. With finite inputs the result is the dense product's up to the order of the sums;
     * {@code dw} is in ND4J's {@code [kH, kW, iC, oC]} layout, {@code db} (or null) {@code [oC]}.
     */
    static GraphPlan.Kernel weightGradient(Slot slot, PoolKernels.Argmax a, INDArray dw, INDArray db, List<Object> retain) {
        ConvKernels.Geometry g = slot.conv;
        DirectConv dc = new DirectConv(g);
        ConvKernels.Input input = slot.input;
        int oC = g.oC();
        int iC = g.iC();
        int oW = g.oW();
        int pH = g.oH() / 2;
        int pW = oW / 2;
        int wp = dc.wp;
        int plane = dc.plane;
        int xStride = iC * g.iH() * g.iW();
        int zPlane = g.oH() * oW;
        int parts = Parallel.parts(g.bS());
        float[][] xp = new float[parts][];
        float[][] v = new float[parts][];
        int[][] at = new int[parts][];
        double[][] sums = new double[parts][];
        for (int q = 0; q < parts; q++) {
            xp[q] = dc.paddedBuffer();
            v[q] = new float[pH * pW];
            at[q] = new int[pH * pW];
            sums[q] = new double[oC * iC * 25 + oC];
        }
        FloatPointer pdw = new FloatPointer(dw.data().addressPointer());
        FloatPointer pdb = db == null ? null : new FloatPointer(db.data().addressPointer());
        float[] dwOut = new float[oC * iC * 25];
        float[] dbOut = new float[oC];
        retain.addAll(db == null ? List.of(dw) : List.of(dw, db));
        return () -> {
            Parallel.run(parts, part -> {
                double[] acc = sums[part];
                java.util.Arrays.fill(acc, 0);
                float[] vs = v[part];
                int[] ats = at[part];
                float[] x = xp[part];
                for (int i = (int) Parallel.start(part, parts, g.bS()), end = (int) Parallel.start(part + 1, parts, g.bS()); i < end; i++) {
                    dc.pad(input.values, i * xStride, x);
                    for (int o = 0; o < oC; o++) {
                        int n = windows(a, (i * oC + o) * pH * pW, (i * oC + o) * zPlane, pH, pW, oW, wp, vs, ats);
                        float bias = 0f;
                        for (int j = 0; j < n; j++) {
                            bias += vs[j];
                        }
                        acc[oC * iC * 25 + o] += bias;
                        for (int c = 0; c < iC; c++) {
                            taps(x, c * plane, wp, vs, ats, n, acc, (o * iC + c) * 25);
                        }
                    }
                }
            });
            for (int o = 0; o < oC; o++) {
                for (int c = 0; c < iC; c++) {
                    for (int t = 0; t < 25; t++) {
                        double sum = 0;
                        for (double[] acc : sums) {
                            sum += acc[(o * iC + c) * 25 + t];
                        }
                        dwOut[(t * iC + c) * oC + o] = (float) sum;
                    }
                }
                double sum = 0;
                for (double[] acc : sums) {
                    sum += acc[oC * iC * 25 + o];
                }
                dbOut[o] = (float) sum;
            }
            pdw.put(dwOut, 0, dwOut.length);
            if (pdb != null) {
                pdb.put(dbOut, 0, oC);
            }
            return true;
        };
    }

    /**
     * The windows of one example's channel whose gradient is not 0, from output {@code out} of the
     * pooling: their gradients into {@code v}, the places of their maxima in a padded plane of rows
     * {@code wp} wide into {@code at}; returns how many. The convolution's output plane of that
     * channel starts at {@code z0} in the maxima's indices.
     */
    private static int windows(PoolKernels.Argmax a, int out, int z0, int pH, int pW, int oW, int wp, float[] v, int[] at) {
        float[] pooled = a.out;
        float[] grad = a.grad;
        int[] index = a.index;
        int n = 0;
        for (int py = 0; py < pH; py++) {
            int row = z0 + 2 * py * oW;
            for (int px = 0; px < pW; px++, out++) {
                // the ReLU's gradient passes where the pooled value (the ReLU of the maximum) is above 0
                int bits = Float.floatToRawIntBits(grad[out]) & GraphPlan.reluMask(Float.floatToRawIntBits(pooled[out]));
                int r = index[out] - row;
                int dy = (oW - 1 - r) >>> 31;
                v[n] = Float.intBitsToFloat(bits);
                at[n] = (2 * py + dy) * wp + r - dy * oW;
                n += bits == 0 ? 0 : 1;
            }
        }
        return n;
    }

    /**
     * Adds {@code v[j]} times the 5x5 patch of {@code x} at {@code base + at[j]} (rows {@code wp}
     * apart), over {@code j < n}, to {@code acc[a0 ..]} (row by row), with one accumulator per tap,
     * written out: the JIT keeps the 25 locals in registers, where the same sums into an array took
     * 1.0 to 2.2 ms against 0.39 for 64 examples of the benchmark CNN.
     */
    private static void taps(float[] x, int base, int wp, float[] v, int[] at, int n, double[] acc, int a0) {
        float s00 = 0, s01 = 0, s02 = 0, s03 = 0, s04 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0, s14 = 0;
        float s20 = 0, s21 = 0, s22 = 0, s23 = 0, s24 = 0, s30 = 0, s31 = 0, s32 = 0, s33 = 0, s34 = 0;
        float s40 = 0, s41 = 0, s42 = 0, s43 = 0, s44 = 0;
        for (int j = 0; j < n; j++) {
            float g = v[j];
            int b = base + at[j];
            s00 = Math.fma(g, x[b], s00);
            s01 = Math.fma(g, x[b + 1], s01);
            s02 = Math.fma(g, x[b + 2], s02);
            s03 = Math.fma(g, x[b + 3], s03);
            s04 = Math.fma(g, x[b + 4], s04);
            b += wp;
            s10 = Math.fma(g, x[b], s10);
            s11 = Math.fma(g, x[b + 1], s11);
            s12 = Math.fma(g, x[b + 2], s12);
            s13 = Math.fma(g, x[b + 3], s13);
            s14 = Math.fma(g, x[b + 4], s14);
            b += wp;
            s20 = Math.fma(g, x[b], s20);
            s21 = Math.fma(g, x[b + 1], s21);
            s22 = Math.fma(g, x[b + 2], s22);
            s23 = Math.fma(g, x[b + 3], s23);
            s24 = Math.fma(g, x[b + 4], s24);
            b += wp;
            s30 = Math.fma(g, x[b], s30);
            s31 = Math.fma(g, x[b + 1], s31);
            s32 = Math.fma(g, x[b + 2], s32);
            s33 = Math.fma(g, x[b + 3], s33);
            s34 = Math.fma(g, x[b + 4], s34);
            b += wp;
            s40 = Math.fma(g, x[b], s40);
            s41 = Math.fma(g, x[b + 1], s41);
            s42 = Math.fma(g, x[b + 2], s42);
            s43 = Math.fma(g, x[b + 3], s43);
            s44 = Math.fma(g, x[b + 4], s44);
        }
        acc[a0] += s00;
        acc[a0 + 1] += s01;
        acc[a0 + 2] += s02;
        acc[a0 + 3] += s03;
        acc[a0 + 4] += s04;
        acc[a0 + 5] += s10;
        acc[a0 + 6] += s11;
        acc[a0 + 7] += s12;
        acc[a0 + 8] += s13;
        acc[a0 + 9] += s14;
        acc[a0 + 10] += s20;
        acc[a0 + 11] += s21;
        acc[a0 + 12] += s22;
        acc[a0 + 13] += s23;
        acc[a0 + 14] += s24;
        acc[a0 + 15] += s30;
        acc[a0 + 16] += s31;
        acc[a0 + 17] += s32;
        acc[a0 + 18] += s33;
        acc[a0 + 19] += s34;
        acc[a0 + 20] += s40;
        acc[a0 + 21] += s41;
        acc[a0 + 22] += s42;
        acc[a0 + 23] += s43;
        acc[a0 + 24] += s44;
    }

    /** One thread's buffers. */
    private record Part(float[] xq, float[][] acc, float[][] rows, float[][] quarter, float[] max, float[] k, float[] u, float[] z, float[] r) {
    }

    /**
     * Pools one example's channels from their quarters ({@code t.acc}) into {@code a}, from output
     * {@code out}, the example's convolution output starting at {@code z0}; returns false when a
     * maximum is NaN or infinite.
     */
    private static boolean pool(Part t, int oC, int qLen, int wq, int pH, int pW, int oW, PoolKernels.Argmax a, int out, int z0) {
        float[][] q = t.quarter;
        // the channels' quarters side by side in four arrays (not at offsets of one: the JIT vectorises
        // maxima's loops only then), so that those loops run over all channels at once
        for (int o = 0; o < oC; o++) {
            for (int s = 0; s < 4; s++) {
                System.arraycopy(t.acc[o], s * qLen, q[s], o * qLen, qLen);
            }
        }
        float[] mx = t.max;
        float[] kf = t.k;
        maxima(q[0], q[1], q[2], q[3], mx, kf, t.u, oC * qLen, oW - 1);
        int bad = 0;
        int[] index = a.index;
        float[] values = a.out;
        int plane = 2 * pH * oW;
        for (int o = 0; o < oC; o++) {
            for (int qy = 0; qy < pH; qy++) {
                int row = z0 + o * plane + 2 * qy * oW;
                for (int qx = 0, j = o * qLen + qy * wq; qx < pW; qx++, j++, out++) {
                    float m = mx[j];
                    // the sign bit set for an infinite or NaN maximum
                    bad |= (Float.floatToRawIntBits(m) & 0x7FFFFFFF) + 0x00800000;
                    values[out] = m;
                    index[out] = row + 2 * qx + (int) kf[j];
                }
            }
        }
        return bad >= 0;
    }

    /**
     * For windows {@code j < n} whose entries are {@code q0[j]} (top left) to {@code q3[j]} (bottom
     * right): into {@code mx} the maximum after the ReLU (the ReLU of the maximum; NaN when an entry is
     * NaN), into {@code k} the offset of the first entry equal to it in an output whose rows are
     * {@code rowMinusOne + 1} wide (ND4J's rule; 0 when all are at most 0), as a float. Several short
     * loops of {@code Math.max} and arithmetic, each of which the JIT vectorises: written as one loop,
     * or with {@code Math.min} or a comparison, it does not (0.6 against 0.1 ms for 64 examples of
     * the benchmark CNN). {@code u} is scratch.
     */
    private static void maxima(float[] q0, float[] q1, float[] q2, float[] q3, float[] mx, float[] k, float[] u, int n, float rowMinusOne) {
        for (int j = 0; j < n; j++) {
            mx[j] = Math.max(Math.max(Math.max(q0[j], q1[j]), Math.max(q2[j], q3[j])), 0f);
        }
        // the offset of the first entry equal to the maximum in the window (0, 1, w, w + 1 for a row
        // width w): n0 (1 + n1 (w - 1 + n2)), n the 1-below-the-maximum flags, built from the last on
        below(q2, mx, u, n);
        for (int j = 0; j < n; j++) {
            k[j] = rowMinusOne + u[j];
        }
        below(q1, mx, u, n);
        for (int j = 0; j < n; j++) {
            k[j] = 1f + u[j] * k[j];
        }
        below(q0, mx, u, n);
        for (int j = 0; j < n; j++) {
            k[j] = u[j] * k[j];
        }
    }

    /** {@code u[j]}: 1 when the ReLU of {@code q[j]} is below {@code mx[j]} (its maximum), 0 when equal; finite values. */
    private static void below(float[] q, float[] mx, float[] u, int n) {
        for (int j = 0; j < n; j++) {
            u[j] = -Math.max(-1f, (Math.max(q[j], 0f) - mx[j]) * BIG * BIG);
        }
    }

    /** Example {@code i} by ND4J's rules: its convolution output from the quarters, ND4J's ReLU, {@link PoolKernels.Argmax#pool}. */
    private static void general(DirectConv dc, Part t, PoolKernels.Argmax a, int i) {
        ConvKernels.Geometry g = dc.g;
        int oH = g.oH();
        int oW = g.oW();
        int plane = oH * oW;
        float[] z = t.z;
        for (int o = 0; o < g.oC(); o++) {
            for (int y = 0; y < oH; y++) {
                for (int x = 0; x < oW; x++) {
                    z[o * plane + y * oW + x] = t.acc[o][((y & 1) * 2 + (x & 1)) * dc.qLen + (y >> 1) * dc.wq + (x >> 1)];
                }
            }
        }
        float[] r = t.r;
        for (int j = 0; j < z.length; j++) {
            r[j] = z[j] < 0f ? 0f : z[j];
        }
        int c0 = i * g.oC();
        a.pool(r, c0, c0, c0 + g.oC());
    }
}
