package dev.graft.runtime.engine;

import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;

/**
 * A first-layer convolution, its ReLU and a 2x2 max pooling of stride 2 in one pass per example, for
 * training plans ({@link GraphPlan}): the convolution ({@link DirectConv#forwardQuarters}) leaves its
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
        return () -> {
            input.load();
            weights.load();
            Parallel.run(parts, part -> {
                Part t = work[part];
                for (int i = (int) Parallel.start(part, parts, g.bS()), end = (int) Parallel.start(part + 1, parts, g.bS()); i < end; i++) {
                    dc.padQuarters(input.values, i * xStride, t.xq);
                    dc.forwardQuarters(t.xq, w, b, t.acc, t.rows);
                    boolean finite = pool(t, oC, qLen, wq, pH, pW, oW, a, i * pooled, i * oC * oH * oW);
                    if (!finite) {
                        // a NaN or an infinity in this example's output: ND4J's ReLU and pooling rule
                        general(dc, t, a, i);
                    }
                    ps[i].put(a.out, i * pooled, pooled);
                }
            });
            a.fresh = true;
            return true;
        };
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
