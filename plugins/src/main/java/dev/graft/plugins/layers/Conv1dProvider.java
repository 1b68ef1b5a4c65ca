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
 * {@code conv1d}: a 1-D convolution over sequences of channels, PyTorch's {@code nn.Conv1d} and ONNX's
 * {@code Conv} on {@code [N, C, L]}.
 *
 * <p>Input one example {@code [in, length]} (channels first; a {@code [T, F]} sequence from
 * {@code lstm} must be transposed first), output {@code [filters, length']} with
 * {@code length' = floor((length + 2 * padding - dilation * (kernel - 1) - 1) / stride) + 1}. The options
 * mean what they mean for {@link Conv2dProvider conv2d}, on one axis: {@code padding} is {@code valid}
 * (the default), {@code same} (output {@code ceil(length / stride)}, odd padding element at the end) or a
 * number of zeros added at both ends; {@code groups} must divide the input channels and the filters.
 *
 * <p>Parameters: {@code W} {@code [filters, in / groups, kernel]} (the PyTorch / ONNX layout; fan-in
 * {@code (in / groups) * kernel}, fan-out {@code (filters / groups) * kernel}, {@code weight-init},
 * default {@code he-uniform}) and, unless {@code use-bias = false}, {@code b} {@code [filters]}
 * ({@code bias-init}, default {@code zeros}). It runs as a {@code conv2d} of height 1 (ND4J's
 * {@code conv1d} needs care with its padding mode; one well-checked path is simpler).
 */
public final class Conv1dProvider implements LayerProvider<Conv1dProvider.Config> {

    /** Options of {@code conv1d}. */
    public record Config(
            @Doc("number of output channels (filters)") int filters,
            @Doc("kernel size") int kernel,
            @Doc("stride") @Default("1") int stride,
            @Doc("padding: valid, same (output ceil(length / stride)) or a number of zeros added at both ends")
            @Default("valid") String padding,
            @Doc("dilation (spacing of the kernel taps)") @Default("1") int dilation,
            @Doc("number of channel groups; must divide the input channels and the filters") @Default("1") int groups,
            @Doc("whether to add a learned bias per filter") @Default("true") boolean useBias,
            @Doc("initializer of the weight [filters, in/groups, kernel]") @Default("he-uniform") InitSpec weightInit,
            @Doc("initializer of the bias") @Default("zeros") InitSpec biasInit) {
        public Config {
            if (filters <= 0) {
                throw new IllegalArgumentException("filters must be a positive integer, got " + filters);
            }
            positive("kernel", kernel);
            positive("stride", stride);
            positive("dilation", dilation);
            if (padding == null) {
                throw new IllegalArgumentException("padding must be 'valid', 'same' or a non-negative integer, got null");
            }
            padding = Windows.Padding.normalise(List.of(padding)).get(0);
            Windows.Padding.parse("padding", List.of(padding), 1);
            positive("groups", groups);
            if (filters % groups != 0) {
                throw new IllegalArgumentException("groups (" + groups + ") must divide filters (" + filters + ")");
            }
            Ids.requireInit("weight-init", weightInit);
            Ids.requireInit("bias-init", biasInit);
        }

        /** {@code filters} filters of size {@code kernel} and every other option at its default. */
        public static Config of(int filters, int kernel) {
            return new Config(filters, kernel, 1, "valid", 1, 1, true, InitSpec.of("he-uniform"), InitSpec.of("zeros"));
        }

        static void positive(String key, int value) {
            if (value <= 0) {
                throw new IllegalArgumentException(key + " must be a positive integer, got " + value);
            }
        }
    }

    public Conv1dProvider() {
    }

    @Override
    public String id() {
        return "conv1d";
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
        return "1-D convolution on [channels, length], weight [filters, in/groups, kernel] as in PyTorch/ONNX";
    }

    @Override
    public Layer create(Config config) {
        return new Conv1d(config);
    }

    private static final class Conv1d implements Layer {
        private final Config config;
        private final int[] kernel;
        private final int[] stride;
        private final int[] dilation;
        private final Windows.Padding padding;

        Conv1d(Config config) {
            this.config = config;
            this.kernel = new int[] {1, config.kernel()};
            this.stride = new int[] {1, config.stride()};
            this.dilation = new int[] {1, config.dilation()};
            Windows.Padding p = Windows.Padding.parse("padding", List.of(config.padding()), 1);
            // as 2-D: no padding on the height-1 axis
            this.padding = p.same() ? p : p.amounts() == null ? Windows.Padding.VALID
                    : new Windows.Padding(false, new int[] {0, p.amounts()[0]});
        }

        /** Validates the input and returns {@code [in, length, outLength]}. */
        private long[] geometry(List<Shape> inputs) {
            Shape in = Windows.requireRank("conv1d", inputs, 1);
            long channels = in.dim(0);
            if (channels % config.groups() != 0) {
                throw new IllegalArgumentException("conv1d: groups (" + config.groups() + ") must divide the input channels ("
                        + channels + ") of input " + in);
            }
            long length = in.dim(1);
            long[] out = Windows.outputSizes("conv1d", new long[] {length}, new int[] {kernel[1]}, new int[] {stride[1]},
                    new int[] {dilation[1]}, new long[][] {pads(length)[1]});
            return new long[] {channels, length, out[0]};
        }

        private long[][] pads(long length) {
            return padding.resolve(new long[] {1, length}, Windows.effective(kernel, dilation), stride);
        }

        @Override
        public Shape outputShape(List<Shape> inputs) {
            return Shape.of(config.filters(), geometry(inputs)[2]);
        }

        @Override
        public List<ParamSpec> params(List<Shape> inputs) {
            long in = geometry(inputs)[0];
            int groups = config.groups();
            Fan fan = new Fan(in / groups * config.kernel(), (long) config.filters() / groups * config.kernel());
            List<ParamSpec> params = new ArrayList<>();
            params.add(ParamSpec.of("W", ParamRole.WEIGHT, config.weightInit(), fan, config.filters(), in / groups, config.kernel()));
            if (config.useBias()) {
                params.add(ParamSpec.of("b", ParamRole.BIAS, config.biasInit(), fan, config.filters()));
            }
            return params;
        }

        @Override
        public SDVariable forward(LayerContext ctx, List<SDVariable> inputs) {
            long[] g = geometry(ctx.inputShapes());
            long in = g[0];
            long filters = config.filters();
            SDVariable x = inputs.get(0).reshape(-1, in, 1, g[1]);
            SDVariable w = ctx.param("W").reshape(filters, in / config.groups(), 1, config.kernel());
            SDVariable y = Convolutions.conv2d(ctx.sd(), x, w, config.useBias() ? ctx.param("b") : null, in, filters,
                    config.groups(), kernel, stride, dilation, pads(g[1]));
            return y.reshape(-1, filters, g[2]);
        }
    }
}
