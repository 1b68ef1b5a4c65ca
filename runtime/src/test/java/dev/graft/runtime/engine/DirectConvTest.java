package dev.graft.runtime.engine;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class DirectConvTest {

    /** kH, kW, pH, pW, iC, iH, iW, oC: 1 to 3 inputs, square and not, with and without padding, 1 to 16 output channels. */
    private static final int[][] CASES = {
        {5, 5, 2, 2, 1, 28, 28, 6}, {3, 3, 1, 1, 2, 7, 6, 5}, {3, 5, 0, 2, 3, 4, 5, 4}, {5, 5, 0, 0, 1, 9, 8, 1},
        {2, 3, 1, 0, 2, 5, 4, 9}, {1, 1, 0, 0, 3, 3, 4, 16}, {3, 3, 2, 2, 1, 2, 2, 3}, {5, 5, 2, 2, 3, 1, 3, 7},
        // kernel rows of 7, 4 and 6 taps: added 5 + 2, 3 + 1 and 5 + 1 at a time
        {1, 7, 0, 3, 1, 3, 9, 2}, {2, 4, 1, 1, 1, 5, 6, 3}, {3, 6, 1, 2, 2, 4, 7, 2},
    };

    private static ConvKernels.Geometry geometry(int[] c, int batch) {
        int oH = c[5] + 2 * c[2] - c[0] + 1;
        int oW = c[6] + 2 * c[3] - c[1] + 1;
        return new ConvKernels.Geometry(c[0], c[1], 1, 1, c[2], c[3], 1, 1, batch, c[4], c[5], c[6], c[7], oH, oW);
    }

    private static float[] random(SplittableRandom rnd, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) rnd.nextDouble(-1, 1);
        }
        return a;
    }

    /** x at (c, y, x) of one example, 0 in the padding. */
    private static double at(float[] x, int xOff, ConvKernels.Geometry g, int c, int y, int xx) {
        return y >= 0 && y < g.iH() && xx >= 0 && xx < g.iW() ? x[xOff + (c * g.iH() + y) * g.iW() + xx] : 0;
    }

    @Test
    void forwardAndWeightGradientMatchTheirDefinitions() {
        SplittableRandom rnd = new SplittableRandom(5);
        for (int[] c : CASES) {
            ConvKernels.Geometry g = geometry(c, 3);
            assertThat(DirectConv.suits(g)).as(java.util.Arrays.toString(c)).isTrue();
            DirectConv dc = new DirectConv(g);
            int xSize = g.iC() * g.iH() * g.iW();
            int zSize = g.oC() * g.oH() * g.oW();
            float[] x = random(rnd, 3 * xSize);
            float[] w = random(rnd, g.oC() * g.k());
            float[] b = random(rnd, g.oC());
            float[] dz = random(rnd, 3 * zSize);
            float[] xp = dc.paddedBuffer();
            float[][] acc = new float[g.oC()][dc.len];
            float[][] gacc = new float[g.oC() * g.k()][dc.len];
            float[][] dzp = new float[g.oC()][dc.len];
            float[] r = new float[dc.len];
            float[] z = new float[3 * zSize + 2];
            for (int e = 0; e < 3; e++) {
                dc.pad(x, e * xSize, xp);
                dc.forward(xp, w, e == 1 ? null : b, acc, dc.rowBuffers(), z, 2 + e * zSize);
                dc.spread(dz, e * zSize, dzp);
                dc.weightGradient(xp, dzp, gacc, r);
            }
            double[] dw = new double[g.oC() * g.k()];
            dc.reduce(gacc, dw);
            double[] want = new double[dw.length];
            for (int e = 0; e < 3; e++) {
                for (int o = 0; o < g.oC(); o++) {
                    for (int y = 0; y < g.oH(); y++) {
                        for (int xx = 0; xx < g.oW(); xx++) {
                            double s = e == 1 ? 0 : b[o];
                            double d = dz[e * zSize + (o * g.oH() + y) * g.oW() + xx];
                            for (int ch = 0; ch < g.iC(); ch++) {
                                for (int ky = 0; ky < g.kH(); ky++) {
                                    for (int kx = 0; kx < g.kW(); kx++) {
                                        int t = (ch * g.kH() + ky) * g.kW() + kx;
                                        double v = at(x, e * xSize, g, ch, y - g.pH() + ky, xx - g.pW() + kx);
                                        s += w[o * g.k() + t] * v;
                                        want[o * g.k() + t] += d * v;
                                    }
                                }
                            }
                            assertThat((double) z[2 + e * zSize + (o * g.oH() + y) * g.oW() + xx])
                                    .as("%s example %d output (%d, %d, %d)", java.util.Arrays.toString(c), e, o, y, xx).isCloseTo(s, org.assertj.core.data.Offset.offset(1e-5));
                        }
                    }
                }
            }
            for (int i = 0; i < dw.length; i++) {
                assertThat(dw[i]).as("%s weight gradient %d", java.util.Arrays.toString(c), i).isCloseTo(want[i], org.assertj.core.data.Offset.offset(1e-4));
            }
        }
    }

    @Test
    void onlyUnitStridesFewTapsAndFewOutputsSuit() {
        ConvKernels.Geometry first = geometry(CASES[0], 128);
        assertThat(DirectConv.suits(first)).isTrue();
        assertThat(DirectConv.suits(new ConvKernels.Geometry(5, 5, 2, 1, 2, 2, 1, 1, 1, 1, 28, 28, 6, 14, 28))).as("stride 2").isFalse();
        assertThat(DirectConv.suits(new ConvKernels.Geometry(3, 3, 1, 1, 2, 2, 2, 2, 1, 1, 28, 28, 6, 28, 28))).as("dilation 2").isFalse();
        assertThat(DirectConv.suits(new ConvKernels.Geometry(5, 5, 1, 1, 0, 0, 1, 1, 1, 6, 14, 14, 16, 10, 10))).as("150 taps").isFalse();
        assertThat(DirectConv.suits(new ConvKernels.Geometry(3, 3, 1, 1, 1, 1, 1, 1, 1, 3, 32, 32, 32, 32, 32))).as("32 outputs").isFalse();
    }
}
