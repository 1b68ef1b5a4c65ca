package dev.graft.onnx.layers;

import dev.graft.api.GraftApi;
import dev.graft.api.Shape;
import dev.graft.api.config.Doc;
import dev.graft.api.layer.Layer;
import dev.graft.api.layer.LayerContext;
import dev.graft.api.layer.LayerProvider;
import dev.graft.api.layer.ParamSpec;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.enums.WeightsFormat;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;

import java.util.List;

/**
 * {@code onnx-conv2d}: a 2-D convolution (cross-correlation, as ONNX's {@code Conv}) of a batch of
 * images {@code [C, H, W]} by a weight {@code [M, C, kh, kw]} that is itself an input, not a parameter,
 * with an optional bias input {@code [M]}: an ONNX graph imported as whole tensors whose {@code Conv}
 * weight is computed. The weight and bias inputs must come in a batch of one (they are the same for
 * every image); the images may be any batch. {@code padding} is the same at both ends of each axis
 * (put an {@code onnx-pad} in front for other padding). No parameters.
 */
public final class Conv2dProvider implements LayerProvider<Conv2dProvider.Config> {

    /** Options of {@code onnx-conv2d}. */
    public record Config(
            @Doc("stride [sh, sw]") List<Integer> stride,
            @Doc("dilation [dh, dw]") List<Integer> dilation,
            @Doc("zeros added at both ends of each spatial axis [ph, pw]") List<Long> padding) {
        public Config {
            for (List<? extends Number> v : List.of(stride, dilation)) {
                if (v == null || v.size() != 2 || v.stream().anyMatch(d -> d == null || d.longValue() <= 0)) {
                    throw new IllegalArgumentException("stride and dilation must be two positive integers, got " + stride + " and " + dilation);
                }
            }
            if (padding == null || padding.size() != 2 || padding.stream().anyMatch(d -> d == null || d < 0)) {
                throw new IllegalArgumentException("padding must be two non-negative integers, got " + padding);
            }
            stride = List.copyOf(stride);
            dilation = List.copyOf(dilation);
            padding = List.copyOf(padding);
        }
    }

    public Conv2dProvider() {
    }

    @Override
    public String id() {
        return "onnx-conv2d";
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
        return "2-D convolution of images [C, H, W] by a weight [M, C, kh, kw] (and bias [M]) given as inputs";
    }

    @Override
    public Layer create(Config config) {
        return new Layer() {
            @Override
            public int arity() {
                return VARIADIC;
            }

            @Override
            public Shape outputShape(List<Shape> inputs) {
                if (inputs.size() != 2 && inputs.size() != 3) {
                    throw new IllegalArgumentException("onnx-conv2d takes images, a weight and optionally a bias, got " + inputs.size() + " inputs");
                }
                Shape x = inputs.get(0);
                Shape w = inputs.get(1);
                if (x.rank() != 3 || w.rank() != 4 || w.dim(1) != x.dim(0)) {
                    throw new IllegalArgumentException("onnx-conv2d needs images [C, H, W] and a weight [M, C, kh, kw], got " + x + " and " + w);
                }
                if (inputs.size() == 3 && (inputs.get(2).rank() != 1 || inputs.get(2).dim(0) != w.dim(0))) {
                    throw new IllegalArgumentException("onnx-conv2d: the bias must be [" + w.dim(0) + "], got " + inputs.get(2));
                }
                long[] out = new long[3];
                out[0] = w.dim(0);
                for (int i = 0; i < 2; i++) {
                    long eff = (long) config.dilation().get(i) * (w.dim(2 + i) - 1) + 1;
                    long span = x.dim(1 + i) + 2 * config.padding().get(i) - eff;
                    if (span < 0) {
                        throw new IllegalArgumentException("onnx-conv2d: the kernel " + w + " does not fit the images " + x);
                    }
                    out[1 + i] = span / config.stride().get(i) + 1;
                }
                return Shape.of(out);
            }

            @Override
            public List<ParamSpec> params(List<Shape> inputs) {
                outputShape(inputs);
                return List.of();
            }

            @Override
            public SDVariable forward(LayerContext ctx, List<SDVariable> inputs) {
                outputShape(ctx.inputShapes());
                Shape ws = ctx.inputShapes().get(1);
                // the weight's batch of one dropped, then ND4J's [kh, kw, in, out] layout
                SDVariable w = inputs.get(1).reshape(ws.dims()).permute(2, 3, 1, 0);
                Conv2DConfig cfg = Conv2DConfig.builder()
                        .kH(ws.dim(2)).kW(ws.dim(3)).sH(config.stride().get(0)).sW(config.stride().get(1))
                        .pH(config.padding().get(0)).pW(config.padding().get(1)).dH(config.dilation().get(0)).dW(config.dilation().get(1))
                        .paddingMode(PaddingMode.VALID).dataFormat(Conv2DConfig.NCHW).weightsFormat(WeightsFormat.YXIO)
                        .build();
                if (inputs.size() == 3) {
                    SDVariable b = inputs.get(2).reshape(ws.dim(0));
                    return ctx.sd().cnn().conv2d(inputs.get(0), w, b, cfg);
                }
                return ctx.sd().cnn().conv2d(inputs.get(0), w, cfg);
            }
        };
    }
}
