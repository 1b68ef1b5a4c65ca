package dev.graft.plugins.init;

import dev.graft.api.GraftApi;
import dev.graft.api.config.Default;
import dev.graft.api.config.Doc;
import dev.graft.api.init.Fan;
import dev.graft.api.init.Initializer;
import dev.graft.api.init.InitializerProvider;

import java.util.SplittableRandom;

/**
 * {@code orthogonal}: Saxe et al. (2014), as PyTorch's {@code orthogonal_} and Keras' {@code Orthogonal}:
 * a (semi-)orthogonal matrix times {@code gain}. The parameter is viewed as a matrix
 * {@code [rows, cols]}; if {@code rows <= cols} its rows are orthonormal ({@code W W^T = gain^2 I}),
 * otherwise its columns are ({@code W^T W = gain^2 I}).
 *
 * <p>Algorithm (PyTorch's): fill a {@code [max, min]} matrix with standard normal values, take its QR
 * decomposition (Householder, in plain Java), multiply each column of {@code Q} by the sign of the
 * matching diagonal element of {@code R} (so the result is uniformly distributed over orthogonal
 * matrices, not biased by the decomposition), transpose if {@code rows < cols}, and scale by
 * {@code gain}. Deterministic for a given generator.
 *
 * <p>The matrix view. Graft passes the parameter's shape, and the view is PyTorch's
 * {@code [shape[0], product of the other dimensions]}. When only a count is given (the older
 * {@code values(count, fan, rng)} entry point), the view is taken from the fan, matching the layouts
 * of the built-in layers:
 * <ul>
 *   <li>{@code count == fanIn * fanOut}: {@code [fanIn, fanOut]}, the {@code [in, out]} layout of
 *       {@code dense} weights and of {@code lstm}'s {@code W} and {@code R};</li>
 *   <li>otherwise, if {@code fanIn} divides {@code count}: {@code [count / fanIn, fanIn]}, the
 *       {@code [out, in * kh * kw]} flattening PyTorch uses for convolution weights
 *       {@code [out, in, kh, kw]};</li>
 *   <li>otherwise {@code [1, count]}: one unit vector (times {@code gain}).</li>
 * </ul>
 * Cost: {@code O(max * min^2)}; a 1024 x 1024 matrix takes about a second.
 */
public final class OrthogonalProvider implements InitializerProvider<OrthogonalProvider.Config> {

    /** Options of {@code orthogonal}. */
    public record Config(@Doc("scale factor of the orthogonal matrix") @Default("1.0") double gain) {
        public Config {
            Values.requirePositive("gain", gain);
        }
    }

    public OrthogonalProvider() {
    }

    @Override
    public String id() {
        return "orthogonal";
    }

    @Override
    public String version() {
        return "1.0.0";
    }

    @Override
    public String apiVersion() {
        return GraftApi.VERSION;
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public String description() {
        return "(semi-)orthogonal matrix from the QR decomposition of a Gaussian matrix, times gain";
    }

    @Override
    public Initializer create(Config config) {
        return new Initializer() {
            @Override
            public double[] values(long count, Fan fan, SplittableRandom rng) {
                int[] view = matrixView(count, fan);
                return orthogonal(view[0], view[1], config.gain(), rng);
            }

            /** With the shape known, the view is PyTorch's: {@code [shape[0], product of the rest]}. */
            @Override
            public double[] values(long[] shape, Fan fan, SplittableRandom rng) {
                if (shape.length < 2) {
                    long count = shape.length == 0 ? 1 : shape[0];
                    return orthogonal(1, Math.toIntExact(count), config.gain(), rng);
                }
                long rest = 1;
                for (int i = 1; i < shape.length; i++) {
                    rest *= shape[i];
                }
                return orthogonal(Math.toIntExact(shape[0]), Math.toIntExact(rest), config.gain(), rng);
            }
        };
    }

    /** {@code [rows, cols]} of the matrix view described in the class comment. */
    static int[] matrixView(long count, Fan fan) {
        Values.array(count); // validates the count
        if (count == 0) {
            return new int[] {0, 0};
        }
        if (fan.in() * fan.out() == count) {
            return new int[] {(int) fan.in(), (int) fan.out()};
        }
        if (count % fan.in() == 0) {
            return new int[] {(int) (count / fan.in()), (int) fan.in()};
        }
        return new int[] {1, (int) count};
    }

    /** A {@code rows x cols} (semi-)orthogonal matrix times {@code gain}, row-major. */
    static double[] orthogonal(int rows, int cols, double gain, SplittableRandom rng) {
        double[] out = new double[rows * cols];
        if (out.length == 0) {
            return out;
        }
        int m = Math.max(rows, cols);
        int n = Math.min(rows, cols);
        // a [m, n] Gaussian matrix, column-major for the Householder sweeps: a[j][i] is row i of column j
        double[] flat = Values.normal((long) m * n, 0, 1, rng);
        double[][] a = new double[n][m];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                a[j][i] = flat[i * n + j];
            }
        }
        double[][] v = new double[n][];
        double[] diag = new double[n];
        for (int k = 0; k < n; k++) {
            double[] col = a[k];
            double norm = 0;
            for (int i = k; i < m; i++) {
                norm += col[i] * col[i];
            }
            norm = Math.sqrt(norm);
            double alpha = col[k] >= 0 ? -norm : norm;
            diag[k] = alpha; // R[k][k]
            double[] vk = new double[m];
            for (int i = k; i < m; i++) {
                vk[i] = col[i];
            }
            vk[k] -= alpha;
            double vnorm2 = 0;
            for (int i = k; i < m; i++) {
                vnorm2 += vk[i] * vk[i];
            }
            v[k] = vnorm2 == 0 ? null : vk;
            if (v[k] != null) {
                // apply H = I - 2 v v^T / (v^T v) to the remaining columns
                for (int j = k + 1; j < n; j++) {
                    double dot = 0;
                    for (int i = k; i < m; i++) {
                        dot += vk[i] * a[j][i];
                    }
                    double f = 2 * dot / vnorm2;
                    for (int i = k; i < m; i++) {
                        a[j][i] -= f * vk[i];
                    }
                }
            }
        }
        // Q = H_0 H_1 ... H_{n-1} applied to the first n columns of the identity
        double[][] q = new double[n][m];
        for (int j = 0; j < n; j++) {
            q[j][j] = 1;
            for (int k = n - 1; k >= 0; k--) {
                double[] vk = v[k];
                if (vk == null) {
                    continue;
                }
                double dot = 0;
                double vnorm2 = 0;
                for (int i = k; i < m; i++) {
                    dot += vk[i] * q[j][i];
                    vnorm2 += vk[i] * vk[i];
                }
                double f = 2 * dot / vnorm2;
                for (int i = k; i < m; i++) {
                    q[j][i] -= f * vk[i];
                }
            }
            // sign correction: make R's diagonal positive
            double sign = diag[j] < 0 ? -1 : 1;
            for (int i = 0; i < m; i++) {
                q[j][i] *= sign * gain;
            }
        }
        // q[j][i] is Q[i][j], Q is [m, n]; the result is Q if rows >= cols, else Q^T
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                out[i * cols + j] = rows >= cols ? q[j][i] : q[i][j];
            }
        }
        return out;
    }
}
