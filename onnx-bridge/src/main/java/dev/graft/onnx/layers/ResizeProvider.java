package dev.graft.onnx.layers;

import dev.graft.api.GraftApi;
import dev.graft.api.Shape;
import dev.graft.api.config.Default;
import dev.graft.api.config.Doc;
import dev.graft.api.layer.Layer;
import dev.graft.api.layer.LayerContext;
import dev.graft.api.layer.LayerProvider;
import dev.graft.api.layer.ParamSpec;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code onnx-resize}: ONNX's {@code Resize} (and the older {@code Upsample}) in {@code nearest} and
 * {@code linear} modes on the non-batch axes: PyTorch's {@code F.interpolate} / {@code nn.Upsample}
 * ({@code nearest}, {@code bilinear}, {@code linear}, {@code trilinear}) and TensorFlow's
 * {@code resize_nearest_neighbor} / {@code resize_bilinear}.
 *
 * <p>Both modes are separable: each output element along an axis reads one input element (nearest) or
 * mixes two neighbours (linear), so the layer multiplies each resized axis by a fixed
 * {@code [out, in]} interpolation matrix built from the options; the gradient flows through the
 * matrix products. Output coordinate {@code x} maps to input coordinate {@code x'} by the
 * {@code coordinate-transformation}, with {@code scale} the axis's {@code scales} entry and lengths
 * the axis sizes:
 * <ul>
 *   <li>{@code asymmetric}: {@code x / scale} (PyTorch's nearest, TensorFlow 1 without half pixels);</li>
 *   <li>{@code half-pixel}: {@code (x + 0.5) / scale - 0.5};</li>
 *   <li>{@code pytorch-half-pixel}: as {@code half-pixel}, but 0 when the output length is 1
 *       (PyTorch's linear modes with {@code align_corners = False});</li>
 *   <li>{@code align-corners}: {@code x * (in - 1) / (out - 1)}, 0 when the output length is 1.</li>
 * </ul>
 * {@code nearest} then picks the input index by {@code nearest-mode} ({@code round-prefer-floor},
 * {@code round-prefer-ceil}, {@code floor}, {@code ceil}, or {@code simple}: floor when enlarging and
 * ceil when shrinking, the behaviour of Resize-10 and Upsample), clamped to the axis;
 * {@code linear} clamps {@code x'} to {@code [0, in - 1]} and mixes the two neighbours by distance.
 * Coordinates are computed in single precision, as ONNX Runtime does, so ties round alike.
 */
public final class ResizeProvider implements LayerProvider<ResizeProvider.Config> {

    /** Interpolation modes. */
    public enum Mode { NEAREST, LINEAR }

    /** Coordinate transformations. */
    public enum Coordinates { ASYMMETRIC, HALF_PIXEL, PYTORCH_HALF_PIXEL, ALIGN_CORNERS }

    /** Rounding of nearest-mode coordinates. */
    public enum Rounding { ROUND_PREFER_FLOOR, ROUND_PREFER_CEIL, FLOOR, CEIL, SIMPLE }

    /** Options of {@code onnx-resize}. */
    public record Config(
            @Doc("the per-example output shape") List<Long> sizes,
            @Doc("the scale factor of each per-example axis, used by the coordinate transformation") List<Double> scales,
            @Doc("nearest or linear") @Default("nearest") Mode mode,
            @Doc("asymmetric, half-pixel, pytorch-half-pixel or align-corners") @Default("half-pixel") Coordinates coordinateTransformation,
            @Doc("nearest only: round-prefer-floor, round-prefer-ceil, floor, ceil or simple") @Default("round-prefer-floor") Rounding nearestMode) {
        public Config {
            Broadcast.dims("sizes", sizes);
            sizes = List.copyOf(sizes);
            if (scales == null || scales.size() != sizes.size() || scales.stream().anyMatch(s -> s == null || !(s > 0) || s.isInfinite())) {
                throw new IllegalArgumentException("scales must give a positive factor for each of the " + sizes.size() + " axes, got " + scales);
            }
            scales = List.copyOf(scales);
            if (mode == null || coordinateTransformation == null || nearestMode == null) {
                throw new IllegalArgumentException("mode, coordinate-transformation and nearest-mode must be set");
            }
        }
    }

    public ResizeProvider() {
    }

    @Override
    public String id() {
        return "onnx-resize";
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
        return "nearest or linear resize of the non-batch axes (ONNX Resize / Upsample), as interpolation matrices";
    }

    /**
     * The interpolation matrix {@code [out, in]} of one axis: row {@code x} holds the weights of the
     * input elements that output element {@code x} reads.
     */
    public static double[][] matrix(Mode mode, Coordinates coordinates, Rounding rounding, int in, int out, double scale) {
        double[][] m = new double[out][in];
        float s = (float) scale;
        for (int x = 0; x < out; x++) {
            float xo = switch (coordinates) {
                case ASYMMETRIC -> x / s;
                case HALF_PIXEL -> (x + 0.5f) / s - 0.5f;
                case PYTORCH_HALF_PIXEL -> out > 1 ? (x + 0.5f) / s - 0.5f : 0f;
                case ALIGN_CORNERS -> out == 1 ? 0f : x * (float) (in - 1) / (float) (out - 1);
            };
            if (mode == Mode.NEAREST) {
                long i = switch (rounding) {
                    case ROUND_PREFER_FLOOR -> xo == (long) xo + 0.5f ? (long) Math.floor(xo) : roundHalfAway(xo);
                    case ROUND_PREFER_CEIL -> roundHalfAway(xo);
                    case FLOOR -> (long) Math.floor(xo);
                    case CEIL -> (long) Math.ceil(xo);
                    case SIMPLE -> scale < 1 ? (long) Math.ceil(xo) : (long) xo;
                };
                m[x][(int) Math.max(0, Math.min(in - 1, i))] = 1;
            } else {
                float c = Math.max(0f, Math.min(xo, in - 1));
                int lo = Math.min((int) c, in - 1);
                int hi = Math.min(lo + 1, in - 1);
                if (lo == hi) {
                    m[x][lo] = 1;
                } else {
                    m[x][lo] += hi - c;
                    m[x][hi] += c - lo;
                }
            }
        }
        return m;
    }

    /** C's {@code round}: halves away from zero. */
    private static long roundHalfAway(float v) {
        return v < 0 ? -Math.round(-(double) v) : Math.round((double) v);
    }

    @Override
    public Layer create(Config config) {
        long[] sizes = Broadcast.dims("sizes", config.sizes());
        return new Layer() {
            @Override
            public Shape outputShape(List<Shape> inputs) {
                Shape in = inputs.get(0);
                if (in.rank() != sizes.length) {
                    throw new IllegalArgumentException("onnx-resize: sizes " + config.sizes() + " are for inputs of rank " + sizes.length + ", got " + in);
                }
                return Shape.of(sizes);
            }

            @Override
            public List<ParamSpec> params(List<Shape> inputs) {
                outputShape(inputs);
                return List.of();
            }

            @Override
            public SDVariable forward(LayerContext ctx, List<SDVariable> inputs) {
                Shape in = ctx.inputShapes().get(0);
                outputShape(ctx.inputShapes());
                SDVariable y = inputs.get(0);
                DataType type = y.dataType();
                int r = in.rank();
                long[] cur = in.dims();
                for (int a = 0; a < r; a++) {
                    if (cur[a] == sizes[a] && config.scales().get(a) == 1.0) {
                        continue;
                    }
                    double[][] m = matrix(config.mode(), config.coordinateTransformation(), config.nearestMode(), (int) cur[a], (int) sizes[a],
                            config.scales().get(a));
                    // [in, out]: the transpose, so rows of the reshaped input multiply into the output
                    double[] t = new double[(int) (cur[a] * sizes[a])];
                    for (int o = 0; o < sizes[a]; o++) {
                        for (int i = 0; i < cur[a]; i++) {
                            t[(int) (i * sizes[a] + o)] = m[o][i];
                        }
                    }
                    SDVariable mt = ctx.sd().constant(Nd4j.create(t, new long[] {cur[a], sizes[a]}, DataType.DOUBLE).castTo(type));
                    // move axis a last, multiply, move it back
                    int[] perm = new int[r + 1];
                    List<Integer> order = new ArrayList<>();
                    for (int i = 0; i <= r; i++) {
                        if (i != a + 1) {
                            order.add(i);
                        }
                    }
                    order.add(a + 1);
                    long[] moved = new long[r + 1];
                    moved[0] = -1;
                    for (int i = 0; i <= r; i++) {
                        perm[i] = order.get(i);
                        if (i > 0) {
                            moved[i] = cur[order.get(i) - 1];
                        }
                    }
                    boolean identity = a == r - 1;
                    SDVariable z = identity ? y : y.permute(perm);
                    z = z.reshape(-1, cur[a]).mmul(mt);
                    moved[r] = sizes[a];
                    z = z.reshape(moved);
                    int[] back = new int[r + 1];
                    for (int i = 0; i <= r; i++) {
                        back[perm[i]] = i;
                    }
                    y = identity ? z : z.permute(back);
                    cur[a] = sizes[a];
                }
                return y;
            }
        };
    }
}
