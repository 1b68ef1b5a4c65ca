package dev.graft.runtime.engine;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class ConvKernelsTest {

    /** im2col by its definition: row (c, ky, kx), column (oy, ox) holds x[c, oy*sH - pH + ky*dH, ox*sW - pW + kx*dW], 0 outside. */
    private static float[] naive(float[] x, int xOff, ConvKernels.Geometry g) {
        float[] col = new float[g.k() * g.n()];
        int r = 0;
        for (int c = 0; c < g.iC(); c++) {
            for (int ky = 0; ky < g.kH(); ky++) {
                for (int kx = 0; kx < g.kW(); kx++, r++) {
                    for (int oy = 0; oy < g.oH(); oy++) {
                        for (int ox = 0; ox < g.oW(); ox++) {
                            int iy = oy * g.sH() - g.pH() + ky * g.dH();
                            int ix = ox * g.sW() - g.pW() + kx * g.dW();
                            boolean in = iy >= 0 && iy < g.iH() && ix >= 0 && ix < g.iW();
                            col[r * g.n() + oy * g.oW() + ox] = in ? x[xOff + (c * g.iH() + iy) * g.iW() + ix] : 0f;
                        }
                    }
                }
            }
        }
        return col;
    }

    @Test
    void im2colMatchesItsDefinitionForEveryPaddingStrideAndDilation() {
        SplittableRandom rnd = new SplittableRandom(9);
        // kH, kW, sH, sW, pH, pW, dH, dW, iC, iH, iW: the first three keep the width (the block copy), the others do not
        int[][] cases = {
            {5, 5, 1, 1, 2, 2, 1, 1, 1, 28, 28}, {3, 3, 1, 1, 1, 1, 1, 1, 2, 7, 6}, {3, 5, 1, 1, 0, 2, 1, 1, 3, 4, 5},
            {5, 5, 1, 1, 0, 0, 1, 1, 6, 14, 14}, {3, 2, 2, 1, 1, 0, 1, 2, 2, 6, 5}, {2, 2, 2, 2, 0, 0, 1, 1, 1, 5, 5},
            {3, 3, 1, 1, 3, 3, 1, 1, 1, 2, 2}, {1, 7, 1, 1, 0, 3, 1, 1, 2, 3, 4}, {5, 5, 1, 1, 2, 2, 1, 1, 2, 1, 3}, {3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1}, {7, 7, 1, 1, 3, 3, 1, 1, 2, 1, 1}, {7, 3, 1, 1, 3, 1, 1, 1, 1, 2, 2},
        };
        for (int[] c : cases) {
            int oH = (c[9] + 2 * c[4] - c[6] * (c[0] - 1) - 1) / c[2] + 1;
            int oW = (c[10] + 2 * c[5] - c[7] * (c[1] - 1) - 1) / c[3] + 1;
            ConvKernels.Geometry g = new ConvKernels.Geometry(c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], 2, c[8], c[9], c[10], 4, oH, oW);
            float[] x = new float[2 * c[8] * c[9] * c[10]];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) rnd.nextDouble(-1, 1);
            }
            int stride = c[8] * c[9] * c[10];
            for (int e = 0; e < 2; e++) {
                float[] col = new float[g.k() * g.n() + 3];
                java.util.Arrays.fill(col, 7f); // stale values must all be overwritten
                ConvKernels.im2col(x, e * stride, g, col, 3);
                assertThat(java.util.Arrays.copyOfRange(col, 3, col.length)).as(java.util.Arrays.toString(c) + " example " + e)
                        .containsExactly(naive(x, e * stride, g));
            }
        }
    }
}
