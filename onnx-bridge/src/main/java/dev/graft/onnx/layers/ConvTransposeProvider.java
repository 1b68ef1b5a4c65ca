package dev.graft.onnx.layers;

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
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.enums.PadMode;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.DeConv2DConfig;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code onnx-conv-transpose}: a transposed convolution ("deconvolution") over 1-D {@code [C, L]} or
 * 2-D {@code [C, H, W]} examples, ONNX's {@code ConvTranspose} and PyTorch's
 * {@code nn.ConvTranspose1d/2d}. Every input element scatters a copy of the kernel, scaled by its
 * value, into the output: {@code y[g*M/G + o, i*s + u*d - padBefore] += x[g*C/G + c, i] * W[g*C/G + c, o, u]}
 * per spatial axis, plus the bias {@code b[o]}.
 *
 * <p>Per spatial axis the output has {@code (size - 1) * stride + outputPadding + dilation * (kernel - 1)
 * + 1 - padBefore - padAfter} elements; {@code output-padding} (smaller than the stride or the
 * dilation) adds elements at the end that no input reaches (they hold the bias).
 *
 * <p>Options: {@code filters} (output channels {@code M}), {@code kernel} (one entry per spatial axis:
 * its length, 1 or 2, says which), {@code stride} and {@code dilation} (one entry per axis, default 1),
 * {@code pads} (ONNX layout {@code [before..., after...]}, default none), {@code output-padding} (per
 * axis, default 0), {@code groups} (must divide the input channels and the filters), {@code use-bias}.
 *
 * <p>Parameters: {@code W} of shape {@code [in, filters / groups, ...kernel]}, ONNX's and PyTorch's
 * layout (role weight, {@code he-uniform} when trained from scratch), and unless {@code use-bias =
 * false} {@code b} of shape {@code [filters]} (zeros). The forward pass is ND4J's {@code deconv2d}
 * without padding (its gradients pass the float64 check), one call per group, then a crop of the
 * padding and zeros for the output padding; 1-D examples run as images of height 1.
 */
public final class ConvTransposeProvider implements LayerProvider<ConvTransposeProvider.Config> {

    /** Options of {@code onnx-conv-transpose}. */
    public record Config(
            @Doc("number of output channels") int filters,
            @Doc("kernel size per spatial axis: [k] for 1-D, [kh, kw] for 2-D") List<Integer> kernel,
            @Doc("stride per spatial axis; absent: 1") @Default(Default.NULL) List<Integer> stride,
            @Doc("dilation per spatial axis; absent: 1") @Default(Default.NULL) List<Integer> dilation,
            @Doc("padding removed from the output, ONNX layout [before..., after...]; absent: none") @Default(Default.NULL) List<Integer> pads,
            @Doc("elements added at the end of each spatial axis, each smaller than the stride or the dilation; absent: 0")
            @Default(Default.NULL) List<Integer> outputPadding,
            @Doc("number of channel groups; must divide the input channels and the filters") @Default("1") int groups,
            @Doc("whether to add a learned bias per output channel") @Default("true") boolean useBias) {
        public Config {
            if (filters <= 0) {
                throw new IllegalArgumentException("filters must be a positive integer, got " + filters);
            }
            if (kernel == null || kernel.isEmpty() || kernel.size() > 2 || kernel.stream().anyMatch(k -> k == null || k <= 0)) {
                throw new IllegalArgumentException("kernel must be one or two positive sizes (1-D or 2-D), got " + kernel);
            }
            int n = kernel.size();
            kernel = List.copyOf(kernel);
            stride = perAxis("stride", stride, n, 1, 1);
            dilation = perAxis("dilation", dilation, n, 1, 1);
            pads = perAxis("pads", pads, 2 * n, 0, 0);
            outputPadding = perAxis("output-padding", outputPadding, n, 0, 0);
            for (int i = 0; i < n; i++) {
                if (outputPadding.get(i) >= Math.max(stride.get(i), dilation.get(i))) {
                    throw new IllegalArgumentException("output-padding " + outputPadding + " must be smaller than the stride " + stride
                            + " or the dilation " + dilation + " on each axis");
                }
            }
            if (groups <= 0 || filters % groups != 0) {
                throw new IllegalArgumentException("groups must be a positive divisor of filters (" + filters + "), got " + groups);
            }
        }

        private static List<Integer> perAxis(String key, List<Integer> values, int n, int dflt, int min) {
            if (values == null) {
                List<Integer> out = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    out.add(dflt);
                }
                return List.copyOf(out);
            }
            if (values.size() != n || values.stream().anyMatch(v -> v == null || v < min)) {
                throw new IllegalArgumentException(key + " must have " + n + " entries >= " + min + ", got " + values);
            }
            return List.copyOf(values);
        }
    }

    public ConvTransposeProvider() {
    }

    @Override
    public String id() {
        return "onnx-conv-transpose";
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
        return "transposed convolution over [C, L] or [C, H, W], weight [in, filters/groups, ...kernel] as in ONNX/PyTorch";
    }

    @Override
    public Layer create(Config c) {
        int n = c.kernel().size();
        return new Layer() {
            /** The output's spatial sizes, after validating the input. */
            private long[] outSizes(Shape in) {
                if (in.rank() != n + 1) {
                    throw new IllegalArgumentException("onnx-conv-transpose: a " + n + "-D kernel needs inputs [channels, " + (n == 1 ? "length" : "h, w")
                            + "], got " + in);
                }
                if (in.dim(0) % c.groups() != 0) {
                    throw new IllegalArgumentException("onnx-conv-transpose: groups (" + c.groups() + ") must divide the input channels of " + in);
                }
                long[] out = new long[n];
                for (int i = 0; i < n; i++) {
                    out[i] = full(in.dim(i + 1), i) + c.outputPadding().get(i) - c.pads().get(i) - c.pads().get(i + n);
                    if (out[i] <= 0) {
                        throw new IllegalArgumentException("onnx-conv-transpose: pads " + c.pads() + " leave no output on axis " + i + " of " + in);
                    }
                }
                return out;
            }

            /** The size of the unpadded, uncropped result on axis {@code i}. */
            private long full(long size, int i) {
                return (size - 1) * c.stride().get(i) + (long) c.dilation().get(i) * (c.kernel().get(i) - 1) + 1;
            }

            @Override
            public Shape outputShape(List<Shape> inputs) {
                long[] s = outSizes(inputs.get(0));
                long[] out = new long[n + 1];
                out[0] = c.filters();
                System.arraycopy(s, 0, out, 1, n);
                return Shape.of(out);
            }

            @Override
            public List<ParamSpec> params(List<Shape> inputs) {
                Shape in = inputs.get(0);
                outSizes(in);
                long receptive = c.kernel().stream().mapToLong(Integer::longValue).reduce(1, (a, b) -> a * b);
                long perGroup = c.filters() / c.groups();
                long[] w = new long[n + 2];
                w[0] = in.dim(0);
                w[1] = perGroup;
                for (int i = 0; i < n; i++) {
                    w[i + 2] = c.kernel().get(i);
                }
                // as PyTorch's ConvTranspose: fan-in counts the weight's second axis
                Fan fan = new Fan(perGroup * receptive, in.dim(0) / c.groups() * receptive);
                List<ParamSpec> out = new ArrayList<>();
                out.add(new ParamSpec("W", ParamRole.WEIGHT, w, InitSpec.of("he-uniform"), fan, true));
                if (c.useBias()) {
                    out.add(new ParamSpec("b", ParamRole.BIAS, new long[] {c.filters()}, InitSpec.of("zeros"), fan, true));
                }
                return out;
            }

            @Override
            public SDVariable forward(LayerContext ctx, List<SDVariable> inputs) {
                SameDiff sd = ctx.sd();
                Shape in = ctx.inputShapes().get(0);
                long[] outSizes = outSizes(in);
                long channels = in.dim(0);
                // 1-D runs as 2-D with a height of 1
                int[] k = n == 2 ? new int[] {c.kernel().get(0), c.kernel().get(1)} : new int[] {1, c.kernel().get(0)};
                int[] s = n == 2 ? new int[] {c.stride().get(0), c.stride().get(1)} : new int[] {1, c.stride().get(0)};
                int[] d = n == 2 ? new int[] {c.dilation().get(0), c.dilation().get(1)} : new int[] {1, c.dilation().get(0)};
                long[] size = n == 2 ? new long[] {in.dim(1), in.dim(2)} : new long[] {1, in.dim(1)};
                SDVariable x = inputs.get(0);
                SDVariable w = ctx.param("W");
                if (n == 1) {
                    x = x.reshape(-1, channels, 1, in.dim(1));
                    w = w.reshape(channels, c.filters() / c.groups(), 1, c.kernel().get(0));
                }
                DeConv2DConfig cfg = DeConv2DConfig.builder().kH(k[0]).kW(k[1]).sH(s[0]).sW(s[1]).pH(0).pW(0).dH(d[0]).dW(d[1])
                        .isSameMode(false).dataFormat(DeConv2DConfig.NCHW).build();
                SDVariable y;
                if (c.groups() == 1) {
                    // ND4J's deconv2d takes weights [kh, kw, out, in]
                    y = sd.cnn().deconv2d(x, w.permute(2, 3, 1, 0), cfg);
                } else {
                    long inPerGroup = channels / c.groups();
                    List<SDVariable> parts = new ArrayList<>();
                    for (int g = 0; g < c.groups(); g++) {
                        SDVariable xg = x.get(SDIndex.all(), SDIndex.interval(g * inPerGroup, (g + 1) * inPerGroup));
                        SDVariable wg = w.get(SDIndex.interval(g * inPerGroup, (g + 1) * inPerGroup));
                        parts.add(sd.cnn().deconv2d(xg, wg.permute(2, 3, 1, 0), cfg));
                    }
                    y = sd.concat(1, parts.toArray(new SDVariable[0]));
                }
                // crop the padding; the output padding beyond the full result is zeros
                long[] fullSizes = {(size[0] - 1) * s[0] + (long) d[0] * (k[0] - 1) + 1, (size[1] - 1) * s[1] + (long) d[1] * (k[1] - 1) + 1};
                long[] before = n == 2 ? new long[] {c.pads().get(0), c.pads().get(1)} : new long[] {0, c.pads().get(0)};
                long[] want = n == 2 ? outSizes : new long[] {1, outSizes[0]};
                long[] end = new long[2];
                int[][] extra = new int[4][2];
                boolean crop = false;
                boolean pad = false;
                for (int i = 0; i < 2; i++) {
                    end[i] = Math.min(fullSizes[i], before[i] + want[i]);
                    crop |= before[i] > 0 || end[i] < fullSizes[i];
                    extra[i + 2][1] = (int) (before[i] + want[i] - end[i]);
                    pad |= extra[i + 2][1] > 0;
                }
                if (crop) {
                    y = y.get(SDIndex.all(), SDIndex.all(), SDIndex.interval(before[0], end[0]), SDIndex.interval(before[1], end[1]));
                }
                if (pad) {
                    y = sd.nn().pad(y, sd.constant(Nd4j.createFromArray(extra)), PadMode.CONSTANT, 0.0);
                }
                if (c.useBias()) {
                    y = y.add(ctx.param("b").reshape(1, c.filters(), 1, 1));
                }
                if (n == 1) {
                    y = y.reshape(-1, c.filters(), outSizes[0]);
                }
                return y;
            }
        };
    }
}
