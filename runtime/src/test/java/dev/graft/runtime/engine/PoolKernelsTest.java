package dev.graft.runtime.engine;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class PoolKernelsTest {

    /** ND4J's max-pooling rule, written out: the first value (row by row) above all before it, starting from -Float.MAX_VALUE. */
    private static void reference(float[] x, PoolKernels.Geometry g, int[] index, float[] out) {
        for (int p = 0; p < g.planes(); p++) {
            for (int oy = 0; oy < g.oH(); oy++) {
                for (int ox = 0; ox < g.oW(); ox++) {
                    float best = -Float.MAX_VALUE;
                    int at = -1;
                    for (int ky = 0; ky < g.kH(); ky++) {
                        for (int kx = 0; kx < g.kW(); kx++) {
                            int y = oy * g.sH() - g.pH() + ky;
                            int xx = ox * g.sW() - g.pW() + kx;
                            if (y < 0 || y >= g.iH() || xx < 0 || xx >= g.iW()) {
                                continue;
                            }
                            int i = p * g.iH() * g.iW() + y * g.iW() + xx;
                            if (at < 0) {
                                at = i; // the window's first place when nothing beats -Float.MAX_VALUE
                            }
                            if (x[i] > best) {
                                best = x[i];
                                at = i;
                            }
                        }
                    }
                    int o = (p * g.oH() + oy) * g.oW() + ox;
                    index[o] = at;
                    out[o] = best;
                }
            }
        }
    }

    @Test
    void notesTheFirstLargestValueOfEveryWindowAsNd4jDoes() {
        SplittableRandom rnd = new SplittableRandom(11);
        // kH, kW, sH, sW, pH, pW, iH, iW: 2x2 stride 2 (the branch-free path, even and odd sizes), overlapping, padded, 1x1
        int[][] cases = {{2, 2, 2, 2, 0, 0, 28, 28}, {2, 2, 2, 2, 0, 0, 5, 7}, {3, 3, 2, 2, 1, 1, 7, 6}, {3, 2, 1, 2, 0, 1, 4, 5}, {1, 1, 1, 1, 0, 0, 3, 3}, {2, 2, 1, 1, 1, 1, 3, 4}};
        for (int[] c : cases) {
            int oH = (c[6] - c[0] + 2 * c[4]) / c[2] + 1;
            int oW = (c[7] - c[1] + 2 * c[5]) / c[3] + 1;
            PoolKernels.Geometry g = new PoolKernels.Geometry(6, c[6], c[7], c[0], c[1], c[2], c[3], c[4], c[5], oH, oW);
            PoolKernels.Argmax a = new PoolKernels.Argmax(g);
            float[] x = new float[g.planes() * g.inPlane()];
            for (int i = 0; i < x.length; i++) {
                // ties (ReLU's zeros, repeated values), signed zeros, infinities and NaN
                double u = rnd.nextDouble();
                x[i] = u < 0.3 ? 0f : u < 0.35 ? -0f : u < 0.5 ? 0.25f : u < 0.53 ? Float.NEGATIVE_INFINITY : u < 0.55 ? Float.NaN
                        : u < 0.56 ? Float.POSITIVE_INFINITY : u < 0.57 ? -Float.MAX_VALUE : (float) rnd.nextDouble(-1, 1);
            }
            // whole planes of NaN and of -inf: nothing in such a window beats -Float.MAX_VALUE
            java.util.Arrays.fill(x, 0, g.inPlane(), Float.NaN);
            java.util.Arrays.fill(x, g.inPlane(), 2 * g.inPlane(), Float.NEGATIVE_INFINITY);
            int[] index = new int[a.index.length];
            float[] out = new float[a.out.length];
            reference(x, g, index, out);
            // planes 0 and 1 from the whole input; the rest from a window starting at plane 2
            a.pool(x, 0, 0, 2);
            a.pool(java.util.Arrays.copyOfRange(x, 2 * g.inPlane(), x.length), 2, 2, g.planes());
            assertThat(a.index).as(java.util.Arrays.toString(c)).containsExactly(index);
            for (int o = 0; o < out.length; o++) {
                // the same value; the sign of a zero maximum may differ (+0 == -0)
                assertThat(a.out[o] == out[o] || (Float.isNaN(a.out[o]) && Float.isNaN(out[o]))).as("%s output %d: %s vs %s", java.util.Arrays.toString(c), o, a.out[o], out[o]).isTrue();
            }
        }
    }

    @Test
    void reluMaskIsXAboveZeroForEverySpecialValue() {
        float[] xs = {0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, 1f, -1f, Float.MAX_VALUE, -Float.MAX_VALUE, Float.POSITIVE_INFINITY,
                Float.NEGATIVE_INFINITY, Float.NaN, Float.intBitsToFloat(0x7fc00001), Float.intBitsToFloat(0xffc00000), Float.intBitsToFloat(0x7f800001)};
        for (float x : xs) {
            assertThat(GraphPlan.reluMask(Float.floatToRawIntBits(x))).as("bits %08x", Float.floatToRawIntBits(x)).isEqualTo(x > 0 ? -1 : 0);
        }
    }

    /** The sparse ReLU gradient against ND4J's own thresholdedrelu_bp on the same arrays, with threshold 0 and 0.25. */
    @Test
    void sparseReluGradientMatchesNd4jsOpAtTheNotedPlaces() {
        SplittableRandom rnd = new SplittableRandom(5);
        PoolKernels.Geometry g = new PoolKernels.Geometry(4, 6, 6, 2, 2, 2, 2, 0, 0, 3, 3);
        PoolKernels.Argmax a = new PoolKernels.Argmax(g);
        float[] x0 = new float[g.planes() * g.inPlane()];
        for (int i = 0; i < x0.length; i++) {
            x0[i] = (float) rnd.nextDouble(-1, 1);
        }
        a.pool(x0, 0, 0, g.planes());
        float[] xv = new float[x0.length];
        float[] dzv = new float[x0.length];
        float[] special = {0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, 0.25f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
        for (int o = 0; o < a.index.length; o++) {
            int at = a.index[o];
            xv[at] = o < special.length ? special[o] : (float) rnd.nextDouble(-1, 1);
            dzv[at] = (float) rnd.nextDouble(-1, 1);
        }
        for (float threshold : new float[]{0f, 0.25f}) {
            org.nd4j.linalg.api.ndarray.INDArray x = org.nd4j.linalg.factory.Nd4j.createFromArray(xv).reshape(g.planes(), g.iH(), g.iW());
            org.nd4j.linalg.api.ndarray.INDArray dz = org.nd4j.linalg.factory.Nd4j.createFromArray(dzv).reshape(g.planes(), g.iH(), g.iW());
            org.nd4j.linalg.api.ndarray.INDArray dx = org.nd4j.linalg.factory.Nd4j.valueArrayOf(x.shape(), 7f, org.nd4j.linalg.api.buffer.DataType.FLOAT);
            org.nd4j.linalg.api.ndarray.INDArray want = org.nd4j.linalg.factory.Nd4j.create(org.nd4j.linalg.api.buffer.DataType.FLOAT, x.shape());
            org.nd4j.linalg.factory.Nd4j.exec(org.nd4j.linalg.api.ops.DynamicCustomOp.builder("thresholdedrelu_bp").addInputs(x, dz).addOutputs(want)
                    .addFloatingPointArguments((double) threshold).build());
            java.util.List<Object> retain = new java.util.ArrayList<>();
            GraphPlan.Kernel k = PoolKernels.sparseReluGradient(a, threshold, x, dz, dx, false, retain);
            assertThat(k).isNotNull();
            k.exec();
            assertThat(dx.data().asFloat()).as("threshold %s", threshold).containsExactly(want.data().asFloat());
        }
    }

    /** Pooling from native memory through heap windows: several windows per part, parts not on window bounds. */
    @Test
    void poolsNativeInputThroughWindowsAsFromTheWholeInput() {
        SplittableRandom rnd = new SplittableRandom(9);
        for (int[] c : new int[][] {{2, 2, 2, 2, 0, 0}, {3, 3, 2, 2, 1, 1}}) {
            int iH = 28;
            int iW = 28;
            int oH = (iH - c[0] + 2 * c[4]) / c[2] + 1;
            int oW = (iW - c[1] + 2 * c[5]) / c[3] + 1;
            PoolKernels.Geometry g = new PoolKernels.Geometry(25, iH, iW, c[0], c[1], c[2], c[3], c[4], c[5], oH, oW);
            float[] x = new float[g.planes() * g.inPlane()];
            for (int i = 0; i < x.length; i++) {
                x[i] = rnd.nextDouble() < 0.3 ? 0f : (float) rnd.nextDouble(-1, 1);
            }
            int[] index = new int[g.planes() * g.outPlane()];
            float[] out = new float[index.length];
            reference(x, g, index, out);
            PoolKernels.Argmax a = new PoolKernels.Argmax(g);
            assertThat(a.windowPlanes()).isLessThan(13);
            org.nd4j.linalg.api.ndarray.INDArray native_ = org.nd4j.linalg.factory.Nd4j.createFromArray(x);
            float[] w = a.window();
            org.bytedeco.javacpp.FloatPointer px = new org.bytedeco.javacpp.FloatPointer(native_.data().addressPointer());
            a.poolNative(px, 0, 13, w);
            a.poolNative(px, 13, 25, w);
            assertThat(a.index).as(java.util.Arrays.toString(c)).containsExactly(index);
            assertThat(a.out).containsExactly(out);
        }
    }
}
