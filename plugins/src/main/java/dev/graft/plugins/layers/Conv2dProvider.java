package dev.graft.plugins.layers;

import dev.graft.api.GraftApi;
import dev.graft.api.Shape;
import dev.graft.api.config.Default;
import dev.graft.api.config.Doc;
import dev.graft.api.init.Fan;
import dev.graft.api.init.InitSpec;
import dev.graft.api.layer.Layer;
import dev.graft.api.layer.LayerContext;
import dev.graft.api.layer.LayerProvider;
import dev.graft.api.layer.ParamRole;
import dev.graft.api.layer.ParamSpec;
import org.nd4j.autodiff.samediff.SDVariable;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code conv2d}: a 2-D convolution over images, PyTorch's {@code nn.Conv2d} and ONNX's {@code Conv}.
 *
 * <p>Input one example {@code [in, h, w]} (NCHW), output {@code [filters, h', w']} with, per spatial
 * axis, {@code out = floor((size + padBefore + padAfter - dilation * (kernel - 1) - 1) / stride) + 1}.
 * Like PyTorch it computes a cross-correlation: {@code y[o, i, j] = b[o] + sum over c, u, v of
 * W[o, c, u, v] * x[g * in/groups + c, i * sh + u * dh - top, j * sw + v * dw - left]} where {@code g}
 * is the group of output channel {@code o}.
 *
 * <p>Options: {@code kernel} (one size for both axes or {@code [kh, kw]}), {@code stride} and
 * {@code dilation} (same forms, default 1), {@code padding}: {@code valid} (none, the default),
 * {@code same} (TensorFlow / ONNX {@code SAME_UPPER}: the output has {@code ceil(size / stride)}
 * elements per axis, so stride 1 keeps the size; the padding is split evenly with the odd element at
 * the bottom / right), or explicit zero padding added at both ends ({@code 1} or {@code [ph, pw]}).
 * {@code groups} splits the input channels and the filters into that many independent convolutions;
 * it must divide both. {@code groups = in-channels} is a depthwise convolution (each filter sees one
 * input channel; {@code filters} may be a multiple of the channels).
 *
 * <p>Parameters: {@code W} of shape {@code [filters, in / groups, kh, kw]}, exactly the PyTorch / ONNX
 * weight layout (role {@link ParamRole#WEIGHT}, fan-in {@code (in / groups) * kh * kw}, fan-out
 * {@code (filters / groups) * kh * kw}, initialised by {@code weight-init}, default {@code he-uniform});
 * and unless {@code use-bias = false} {@code b} of shape {@code [filters]} (role
 * {@link ParamRole#BIAS}, {@code bias-init}, default {@code zeros}). No activation is applied.
 *
 * <p>The kernel (dilated) must fit in the padded input; every other mismatch is reported with the
 * node when the model is built. Implementation notes are in {@code Convolutions}.
 */
public final class Conv2dProvider implements LayerProvider<Conv2dProvider.Config> {

    /** Options of {@code conv2d}. */
    public record Config(
            @Doc("number of output channels (filters)") int filters,
            @Doc("kernel size: one size or [kh, kw]") List<Integer> kernel,
            @Doc("stride: one value or [sh, sw]") @Default("1") List<Integer> stride,
            @Doc("padding: valid, same (output ceil(size / stride), TensorFlow/ONNX SAME_UPPER), or zeros added at"
                    + " both ends, one value or [ph, pw]") @Default("valid") List<String> padding,
            @Doc("dilation (spacing of the kernel taps): one value or [dh, dw]") @Default("1") List<Integer> dilation,
            @Doc("number of channel groups; must divide the input channels and the filters;"
                    + " groups = input channels is a depthwise convolution") @Default("1") int groups,
            @Doc("whether to add a learned bias per filter") @Default("true") boolean useBias,
            @Doc("initializer of the weight [filters, in/groups, kh, kw]") @Default("he-uniform") InitSpec weightInit,
            @Doc("initializer of the bias") @Default("zeros") InitSpec biasInit) {
        public Config {
            if (filters <= 0) {
                throw new IllegalArgumentException("filters must be a positive integer, got " + filters);
            }
            kernel = copy("kernel", kernel);
            stride = copy("stride", stride);
            dilation = copy("dilation", dilation);
            Windows.sizes("kernel", kernel, 2);
            Windows.sizes("stride", stride, 2);
            Windows.sizes("dilation", dilation, 2);
            if (padding == null) {
                throw new IllegalArgumentException("padding must be 'valid', 'same', a non-negative integer or a pair"
                        + " [ph, pw] of them, got null");
            }
            padding = Windows.Padding.normalise(padding);
            Windows.Padding.parse("padding", padding, 2);
            if (groups <= 0) {
                throw new IllegalArgumentException("groups must be a positive integer, got " + groups);
            }
            if (filters % groups != 0) {
                throw new IllegalArgumentException("groups (" + groups + ") must divide filters (" + filters + ")");
            }
            Ids.requireInit("weight-init", weightInit);
            Ids.requireInit("bias-init", biasInit);
        }

        /** {@code filters} filters of size {@code kernel} x {@code kernel} and every other option at its default. */
        public static Config of(int filters, int kernel) {
            return new Config(filters, List.of(kernel), List.of(1), List.of("valid"), List.of(1), 1, true,
                    InitSpec.of("he-uniform"), InitSpec.of("zeros"));
        }

        static List<Integer> copy(String key, List<Integer> values) {
            if (values == null || values.stream().anyMatch(java.util.Objects::isNull)) {
                throw new IllegalArgumentException(key + " must be a positive integer or a pair of them, got " + values);
            }
            return List.copyOf(values);
        }
    }

    public Conv2dProvider() {
    }

    @Override
    public String id() {
        return "conv2d";
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
        return "2-D convolution on [channels, height, width], weight [filters, in/groups, kh, kw] as in PyTorch/ONNX";
    }

    @Override
    public Layer create(Config config) {
        return new Conv2d(config);
    }

    private static final class Conv2d implements Layer {
        private final Config config;
        private final int[] kernel;
        private final int[] stride;
        private final int[] dilation;
        private final Windows.Padding padding;

        Conv2d(Config config) {
            this.config = config;
            this.kernel = Windows.sizes("kernel", config.kernel(), 2);
            this.stride = Windows.sizes("stride", config.stride(), 2);
            this.dilation = Windows.sizes("dilation", config.dilation(), 2);
            this.padding = Windows.Padding.parse("padding", config.padding(), 2);
        }

        /** Validates the input and returns {@code [in, outH, outW]}. */
        private long[] geometry(List<Shape> inputs) {
            Shape in = Windows.requireRank("conv2d", inputs, 2);
            long channels = in.dim(0);
            if (channels % config.groups() != 0) {
                throw new IllegalArgumentException("conv2d: groups (" + config.groups() + ") must divide the input channels ("
                        + channels + ") of input " + in);
            }
            long[] sizes = Windows.spatial(in);
            long[] out = Windows.outputSizes("conv2d", sizes, kernel, stride, dilation, pads(sizes));
            return new long[] {channels, out[0], out[1]};
        }

        private long[][] pads(long[] sizes) {
            return padding.resolve(sizes, Windows.effective(kernel, dilation), stride);
        }

        @Override
        public Shape outputShape(List<Shape> inputs) {
            long[] g = geometry(inputs);
            return Shape.of(config.filters(), g[1], g[2]);
        }

        @Override
        public List<ParamSpec> params(List<Shape> inputs) {
            long in = geometry(inputs)[0];
            long receptive = (long) kernel[0] * kernel[1];
            int groups = config.groups();
            Fan fan = new Fan(in / groups * receptive, config.filters() / groups * receptive);
            List<ParamSpec> params = new ArrayList<>();
            params.add(ParamSpec.of("W", ParamRole.WEIGHT, config.weightInit(), fan,
                    config.filters(), in / groups, kernel[0], kernel[1]));
            if (config.useBias()) {
                params.add(ParamSpec.of("b", ParamRole.BIAS, config.biasInit(), fan, config.filters()));
            }
            return params;
        }

        @Override
        public SDVariable forward(LayerContext ctx, List<SDVariable> inputs) {
            long in = geometry(ctx.inputShapes())[0];
            long[][] pads = pads(Windows.spatial(ctx.inputShapes().get(0)));
            return Convolutions.conv2d(ctx.sd(), inputs.get(0), ctx.param("W"), config.useBias() ? ctx.param("b") : null,
                    in, config.filters(), config.groups(), kernel, stride, dilation, pads);
        }
    }
}
