package dev.graft.plugins.init;

import dev.graft.api.config.NoConfig;
import dev.graft.api.init.Fan;
import dev.graft.api.init.Initializer;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Initializer statistics on large draws, bounds, determinism and config validation. */
class InitializersTest {
    static final int N = 200_000;
    static final Fan FAN = new Fan(300, 100);

    static double[] draw(Initializer init) {
        return init.values(N, FAN, new SplittableRandom(7));
    }

    static double mean(double[] v) {
        return Arrays.stream(v).average().orElseThrow();
    }

    static double std(double[] v) {
        double m = mean(v);
        return Math.sqrt(Arrays.stream(v).map(x -> (x - m) * (x - m)).sum() / v.length);
    }

    /** Checks mean 0 and the given std within 1.5 %, and that all values lie within +-bound (if bound > 0). */
    static void assertCentred(double[] v, double std, double bound) {
        assertThat(v).hasSize(N);
        assertThat(mean(v)).isCloseTo(0, within(0.01 * std));
        assertThat(std(v)).isCloseTo(std, within(0.015 * std));
        if (bound > 0) {
            assertThat(Arrays.stream(v).allMatch(x -> x >= -bound && x < bound)).isTrue();
            assertThat(Arrays.stream(v).max().orElseThrow()).isGreaterThan(0.99 * bound);
        }
    }

    @Test
    void xavierUniform() {
        double a = Math.sqrt(6.0 / 400);
        assertCentred(draw(new XavierUniformProvider().create(new XavierUniformProvider.Config(1.0))), a / Math.sqrt(3), a);
        double a2 = 2 * a;
        assertCentred(draw(new XavierUniformProvider().create(new XavierUniformProvider.Config(2.0))), a2 / Math.sqrt(3), a2);
    }

    @Test
    void xavierNormal() {
        assertCentred(draw(new XavierNormalProvider().create(new XavierNormalProvider.Config(1.0))), Math.sqrt(2.0 / 400), 0);
    }

    @Test
    void heUniform() {
        double a = Math.sqrt(6.0 / 300);
        assertCentred(draw(new HeUniformProvider().create(NoConfig.INSTANCE)), a / Math.sqrt(3), a);
    }

    @Test
    void heNormal() {
        assertCentred(draw(new HeNormalProvider().create(NoConfig.INSTANCE)), Math.sqrt(2.0 / 300), 0);
    }

    @Test
    void normalMeanAndStd() {
        double[] v = draw(new NormalProvider().create(new NormalProvider.Config(3.0, 0.5)));
        assertThat(mean(v)).isCloseTo(3.0, within(0.005));
        assertThat(std(v)).isCloseTo(0.5, within(0.0075));
        // the tails of a normal distribution: about 4.55 % of values beyond two standard deviations
        long beyond = Arrays.stream(v).filter(x -> Math.abs(x - 3.0) > 1.0).count();
        assertThat((double) beyond / N).isCloseTo(0.0455, within(0.003));
    }

    @Test
    void uniformRange() {
        double[] v = draw(new UniformProvider().create(new UniformProvider.Config(-2, 4)));
        assertThat(mean(v)).isCloseTo(1.0, within(0.02));
        assertThat(std(v)).isCloseTo(6 / Math.sqrt(12), within(0.02));
        assertThat(Arrays.stream(v).allMatch(x -> x >= -2 && x < 4)).isTrue();
    }

    @Test
    void constants() {
        assertThat(new ZerosProvider().create(NoConfig.INSTANCE).values(5, FAN, new SplittableRandom(1)))
                .containsExactly(0, 0, 0, 0, 0);
        assertThat(new OnesProvider().create(NoConfig.INSTANCE).values(3, FAN, new SplittableRandom(1)))
                .containsExactly(1, 1, 1);
        assertThat(new ConstantProvider().create(new ConstantProvider.Config(0.1)).values(2, FAN, new SplittableRandom(1)))
                .containsExactly(0.1, 0.1);
        assertThat(new ZerosProvider().create(NoConfig.INSTANCE).values(0, FAN, new SplittableRandom(1))).isEmpty();
    }

    @Test
    void sameSeedSameValuesOtherSeedOtherValues() {
        Initializer init = new HeNormalProvider().create(NoConfig.INSTANCE);
        double[] a = init.values(101, FAN, new SplittableRandom(42));
        double[] b = init.values(101, FAN, new SplittableRandom(42));
        double[] c = init.values(101, FAN, new SplittableRandom(43));
        assertThat(a).isEqualTo(b);
        assertThat(a).isNotEqualTo(c);
        // an odd count uses half of the last polar pair; the values are still all finite
        assertThat(Arrays.stream(a).allMatch(Double::isFinite)).isTrue();
    }

    @Test
    void lecunNormal() {
        assertCentred(draw(new LecunNormalProvider().create(NoConfig.INSTANCE)), 1 / Math.sqrt(300), 0);
    }

    /** {@code a [r, k]} times {@code b^T} where {@code b} is {@code [c, k]}, both row-major. */
    static double[][] timesTransposed(double[] a, double[] b, int r, int c, int k) {
        double[][] out = new double[r][c];
        for (int i = 0; i < r; i++) {
            for (int j = 0; j < c; j++) {
                double s = 0;
                for (int t = 0; t < k; t++) {
                    s += a[i * k + t] * b[j * k + t];
                }
                out[i][j] = s;
            }
        }
        return out;
    }

    static double[] transpose(double[] a, int rows, int cols) {
        double[] t = new double[a.length];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                t[j * rows + i] = a[i * cols + j];
            }
        }
        return t;
    }

    static void assertIdentityTimes(double[][] m, double scale) {
        for (int i = 0; i < m.length; i++) {
            for (int j = 0; j < m.length; j++) {
                assertThat(m[i][j]).as("[%d][%d]", i, j).isCloseTo(i == j ? scale : 0, within(1e-10));
            }
        }
    }

    @Test
    void orthogonalRowsWhenThereAreFewerRowsThanColumns() {
        Initializer init = new OrthogonalProvider().create(new OrthogonalProvider.Config(1.0));
        // a dense weight [in = 5, out = 12] is viewed as a 5 x 12 matrix: its rows are orthonormal
        double[] w = init.values(60, new Fan(5, 12), new SplittableRandom(3));
        assertIdentityTimes(timesTransposed(w, w, 5, 5, 12), 1);
        // an LSTM recurrent weight [units, 4 * units] the same, with a gain
        Initializer scaled = new OrthogonalProvider().create(new OrthogonalProvider.Config(2.0));
        double[] r = scaled.values(4 * 16, new Fan(4, 16), new SplittableRandom(4));
        assertIdentityTimes(timesTransposed(r, r, 4, 4, 16), 4);
    }

    @Test
    void orthogonalColumnsWhenThereAreMoreRowsThanColumns() {
        Initializer init = new OrthogonalProvider().create(new OrthogonalProvider.Config(1.0));
        double[] w = init.values(30 * 7, new Fan(30, 7), new SplittableRandom(5));
        double[] t = transpose(w, 30, 7);
        assertIdentityTimes(timesTransposed(t, t, 7, 7, 30), 1);
        // square: both
        double[] q = init.values(64, new Fan(8, 8), new SplittableRandom(6));
        assertIdentityTimes(timesTransposed(q, q, 8, 8, 8), 1);
        double[] qt = transpose(q, 8, 8);
        assertIdentityTimes(timesTransposed(qt, qt, 8, 8, 8), 1);
    }

    @Test
    void orthogonalConvolutionWeightsAreFlattenedLikePyTorch() {
        // conv2d weight [out = 4, in = 3, 3, 3]: fan-in 27, fan-out 36, viewed as [4, 27]
        assertThat(OrthogonalProvider.matrixView(4 * 27, new Fan(27, 36))).containsExactly(4, 27);
        assertThat(OrthogonalProvider.matrixView(60, new Fan(5, 12))).containsExactly(5, 12);
        assertThat(OrthogonalProvider.matrixView(7, new Fan(3, 7))).containsExactly(1, 7);
        Initializer init = new OrthogonalProvider().create(new OrthogonalProvider.Config(1.0));
        double[] w = init.values(4 * 27, new Fan(27, 36), new SplittableRandom(7));
        assertIdentityTimes(timesTransposed(w, w, 4, 4, 27), 1);
    }

    @Test
    void orthogonalIsTheSignCorrectedQOfAGaussianMatrix() {
        // Q^T A = R must be upper triangular with a positive diagonal, A being the Gaussian matrix drawn first
        int m = 9;
        int n = 4;
        double[] q = OrthogonalProvider.orthogonal(m, n, 1.0, new SplittableRandom(11));
        double[] a = Values.normal((long) m * n, 0, 1, new SplittableRandom(11));
        double[] qt = transpose(q, m, n);
        double[] at = transpose(a, m, n);
        double[][] r = timesTransposed(qt, at, n, n, m);
        for (int i = 0; i < n; i++) {
            assertThat(r[i][i]).isPositive();
            for (int j = 0; j < i; j++) {
                assertThat(r[i][j]).isCloseTo(0, within(1e-10));
            }
        }
    }

    @Test
    void orthogonalStatisticsAndDeterminism() {
        Initializer init = new OrthogonalProvider().create(new OrthogonalProvider.Config(1.0));
        int n = 200;
        double[] w = init.values((long) n * n, new Fan(n, n), new SplittableRandom(8));
        // the entries of a uniformly random orthogonal n x n matrix have mean 0 and variance 1 / n
        assertThat(mean(w)).isCloseTo(0, within(0.01 / Math.sqrt(n)));
        assertThat(std(w)).isCloseTo(1 / Math.sqrt(n), within(0.01 / Math.sqrt(n)));
        assertThat(init.values(60, new Fan(5, 12), new SplittableRandom(9)))
                .isEqualTo(init.values(60, new Fan(5, 12), new SplittableRandom(9)))
                .isNotEqualTo(init.values(60, new Fan(5, 12), new SplittableRandom(10)));
        assertThat(init.values(0, new Fan(1, 1), new SplittableRandom(1))).isEmpty();
        assertThatThrownBy(() -> new OrthogonalProvider.Config(0)).hasMessage("gain must be a finite positive number, got 0.0");
    }

    @Test
    void configsAreValidated() {
        assertThatThrownBy(() -> new NormalProvider.Config(0, 0))
                .hasMessage("std must be a finite positive number, got 0.0");
        assertThatThrownBy(() -> new UniformProvider.Config(1, 1))
                .hasMessage("high must be greater than low, got low = 1.0, high = 1.0");
        assertThatThrownBy(() -> new XavierUniformProvider.Config(-1))
                .hasMessage("gain must be a finite positive number, got -1.0");
        assertThatThrownBy(() -> new ConstantProvider.Config(Double.NaN))
                .hasMessage("value must be a finite number, got NaN");
        assertThatThrownBy(() -> new ZerosProvider().create(NoConfig.INSTANCE).values(-1, FAN, new SplittableRandom(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
