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
import org.nd4j.enums.WeightsFormat;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code onnx-conv3d}: a 3-D convolution (cross-correlation) of examples {@code [C, D, H, W]}, ONNX's
 * {@code Conv} with a 5-D weight. Parameters: {@code W} {@code [filters, C / groups, kd, kh, kw]} (the
 * ONNX layout) and, with {@code use-bias}, {@code b} {@code [filters]}. {@code padding} is the same at
 * both ends of each axis (put an {@code onnx-pad} in front for other padding).
 *
 * <p>It is computed as a sum of 2-D convolutions, one per kernel depth: the input's depth slices
 * that meet kernel depth {@code i} are stacked into the batch and convolved with {@code W[:, :, i]}, which
 * keeps to the convolution op whose gradients are checked (see Graft's {@code conv2d}).
 */
public final class Conv3dProvider implements LayerProvider<Conv3dProvider.Config> {

    /** Options of {@code onnx-conv3d}. */
    public record Config(
            @Doc("number of filters (output channels)") int filters,
            @Doc("kernel size [kd, kh, kw]") List<Integer> kernel,
            @Doc("stride [sd, sh, sw]") List<Integer> stride,
            @Doc("dilation [dd, dh, dw]") List<Integer> dilation,
            @Doc("zeros added at both ends of each axis [pd, ph, pw]") List<Integer> padding,
            @Doc("number of channel groups") @Default("1") int groups,
            @Doc("whether to add a learned bias") @Default("true") boolean useBias,
            @Doc("initializer of the weight") @Default("he-uniform") InitSpec weightInit) {
        public Config {
            if (filters <= 0 || groups <= 0 || filters % groups != 0) {
                throw new IllegalArgumentException("filters and groups must be positive and groups must divide filters, got " + filters
                        + " and " + groups);
            }
            for (List<Integer> v : java.util.Arrays.asList(kernel, stride, dilation)) {
                if (v == null || v.size() != 3 || v.stream().anyMatch(d -> d == null || d <= 0)) {
                    throw new IllegalArgumentException("kernel, stride and dilation must be three positive integers each");
                }
            }
            if (padding == null || padding.size() != 3 || padding.stream().anyMatch(d -> d == null || d < 0)) {
                throw new IllegalArgumentException("padding must be three non-negative integers, got " + padding);
            }
            if (weightInit == null) {
                throw new IllegalArgumentException("weight-init must name an initializer");
            }
            kernel = List.copyOf(kernel);
            stride = List.copyOf(stride);
            dilation = List.copyOf(dilation);
            padding = List.copyOf(padding);
        }
    }

    public Conv3dProvider() {
    }

    @Override
    public String id() {
        return "onnx-conv3d";
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
        return "3-D convolution on [channels, depth, height, width], weight [filters, in/groups, kd, kh, kw]";
    }

    @Override
    public Layer create(Config config) {
        int[] k = config.kernel().stream().mapToInt(Integer::intValue).toArray();
        int[] s = config.stride().stream().mapToInt(Integer::intValue).toArray();
        int[] d = config.dilation().stream().mapToInt(Integer::intValue).toArray();
        int[] p = config.padding().stream().mapToInt(Integer::intValue).toArray();
        return new Layer() {
            @Override
            public Shape outputShape(List<Shape> inputs) {
                Shape in = inputs.get(0);
                if (in.rank() != 4) {
                    throw new IllegalArgumentException("onnx-conv3d needs examples [C, D, H, W], got " + in);
                }
                if (in.dim(0) % config.groups() != 0) {
                    throw new IllegalArgumentException("onnx-conv3d: groups (" + config.groups() + ") must divide the input channels (" + in.dim(0) + ")");
                }
                long[] out = new long[4];
                out[0] = config.filters();
                for (int i = 0; i < 3; i++) {
                    long span = in.dim(i + 1) + 2L * p[i] - ((long) d[i] * (k[i] - 1) + 1);
                    if (span < 0) {
                        throw new IllegalArgumentException("onnx-conv3d: the kernel " + config.kernel() + " does not fit the input " + in);
                    }
                    out[i + 1] = span / s[i] + 1;
                }
                return Shape.of(out);
            }

            @Override
            public List<ParamSpec> params(List<Shape> inputs) {
                outputShape(inputs);
                long in = inputs.get(0).dim(0) / config.groups();
                long receptive = (long) k[0] * k[1] * k[2];
                Fan fan = new Fan(in * receptive, config.filters() / config.groups() * receptive);
                List<ParamSpec> out = new ArrayList<>();
                out.add(ParamSpec.of("W", ParamRole.WEIGHT, config.weightInit(), fan, config.filters(), in, k[0], k[1], k[2]));
                if (config.useBias()) {
                    out.add(ParamSpec.of("b", ParamRole.BIAS, InitSpec.of("zeros"), fan, config.filters()));
                }
                return out;
            }

            @Override
            public SDVariable forward(LayerContext ctx, List<SDVariable> inputs) {
                SameDiff sd = ctx.sd();
                Shape in = ctx.inputShapes().get(0);
                Shape out = outputShape(ctx.inputShapes());
                long c = in.dim(0);
                long depthOut = out.dim(1);
                SDVariable x = inputs.get(0);
                if (p[0] > 0) {
                    int[][] amounts = {{0, 0}, {0, 0}, {p[0], p[0]}, {0, 0}, {0, 0}};
                    x = sd.nn().pad(x, sd.constant(org.nd4j.linalg.factory.Nd4j.createFromArray(amounts)), 0.0);
                }
                long h = in.dim(2);
                long w = in.dim(3);
                Conv2DConfig cfg = Conv2DConfig.builder()
                        .kH(k[1]).kW(k[2]).sH(s[1]).sW(s[2]).pH(p[1]).pW(p[2]).dH(d[1]).dW(d[2])
                        .paddingMode(PaddingMode.VALID).dataFormat(Conv2DConfig.NCHW).weightsFormat(WeightsFormat.YXIO)
                        .build();
                SDVariable weight = ctx.param("W");
                int groups = config.groups();
                long inPerGroup = c / groups;
                long outPerGroup = config.filters() / groups;
                SDVariable acc = null;
                for (int i = 0; i < k[0]; i++) {
                    long start = (long) i * d[0];
                    long end = start + (depthOut - 1) * s[0] + 1;
                    SDVariable slice = x.get(SDIndex.all(), SDIndex.all(), s[0] == 1 ? SDIndex.interval(start, end) : SDIndex.interval(start, (long) s[0], end));
                    // [B, C, Do, H, W] -> [B * Do, C, H, W]
                    SDVariable planes = slice.permute(0, 2, 1, 3, 4).reshape(-1, c, h, w);
                    SDVariable wi = weight.get(SDIndex.all(), SDIndex.all(), SDIndex.point(i));
                    List<SDVariable> parts = new ArrayList<>();
                    for (int g = 0; g < groups; g++) {
                        SDVariable xg = groups == 1 ? planes : planes.get(SDIndex.all(), SDIndex.interval(g * inPerGroup, (g + 1) * inPerGroup));
                        SDVariable wg = groups == 1 ? wi : wi.get(SDIndex.interval(g * outPerGroup, (g + 1) * outPerGroup));
                        parts.add(sd.cnn().conv2d(xg, wg.permute(2, 3, 1, 0), cfg));
                    }
                    SDVariable y = parts.size() == 1 ? parts.get(0) : sd.concat(1, parts.toArray(new SDVariable[0]));
                    acc = acc == null ? y : acc.add(y);
                }
                // [B * Do, M, Ho, Wo] -> [B, M, Do, Ho, Wo]
                SDVariable y = acc.reshape(-1, depthOut, out.dim(0), out.dim(2), out.dim(3)).permute(0, 2, 1, 3, 4);
                if (config.useBias()) {
                    y = y.add(ctx.param("b").reshape(1, config.filters(), 1, 1, 1));
                }
                return y;
            }
        };
    }
}
