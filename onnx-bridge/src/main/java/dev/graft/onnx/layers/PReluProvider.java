package dev.graft.onnx.layers;

import dev.graft.api.GraftApi;
import dev.graft.api.Shape;
import dev.graft.api.config.Doc;
import dev.graft.api.init.Fan;
import dev.graft.api.init.InitSpec;
import dev.graft.api.layer.Layer;
import dev.graft.api.layer.LayerContext;
import dev.graft.api.layer.LayerProvider;
import dev.graft.api.layer.ParamRole;
import dev.graft.api.layer.ParamSpec;
import org.nd4j.autodiff.samediff.SDVariable;

import java.util.List;

/**
 * {@code onnx-prelu}: the parametric ReLU, {@code x} for {@code x >= 0} and {@code slope * x} below,
 * ONNX's {@code PRelu} and PyTorch's {@code nn.PReLU}. The learned {@code slope} has shape
 * {@code slope-shape} and broadcasts against the example, aligned at the last axes: {@code [C, 1, 1]}
 * is a slope per channel of {@code [C, H, W]} images, {@code [1]} one slope for everything.
 * Computed as {@code relu(x) - slope * relu(-x)} (ND4J's own {@code prelu} fails to build in
 * 1.0.0-M2.1).
 */
public final class PReluProvider implements LayerProvider<PReluProvider.Config> {

    /** Options of {@code onnx-prelu}. */
    public record Config(@Doc("shape of the slope, broadcast against the example (aligned at the last axes)") List<Long> slopeShape) {
        public Config {
            Broadcast.dims("slope-shape", slopeShape);
            slopeShape = List.copyOf(slopeShape);
        }
    }

    public PReluProvider() {
    }

    @Override
    public String id() {
        return "onnx-prelu";
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
        return "parametric ReLU: x if x >= 0, else slope * x, with a learned slope that broadcasts";
    }

    @Override
    public Layer create(Config config) {
        long[] slope = Broadcast.dims("slope-shape", config.slopeShape());
        return new Layer() {
            @Override
            public Shape outputShape(List<Shape> inputs) {
                Shape in = inputs.get(0);
                long[] out = Broadcast.shape("onnx-prelu", List.of(in.dims(), slope));
                if (!Shape.of(out).equals(in)) {
                    throw new IllegalArgumentException("onnx-prelu: the slope " + java.util.Arrays.toString(slope)
                            + " must broadcast to the input " + in);
                }
                return in;
            }

            @Override
            public List<ParamSpec> params(List<Shape> inputs) {
                outputShape(inputs);
                long size = Shape.of(slope).size();
                return List.of(ParamSpec.of("slope", ParamRole.WEIGHT, new InitSpec("constant", java.util.Map.of("value", 0.25)),
                        new Fan(size, size), slope));
            }

            @Override
            public SDVariable forward(LayerContext ctx, List<SDVariable> inputs) {
                Shape in = outputShape(ctx.inputShapes());
                SDVariable x = inputs.get(0);
                SDVariable s = Broadcast.single(ctx.param("slope"), slope, in.rank());
                return ctx.sd().nn().relu(x, 0).sub(ctx.sd().nn().relu(x.neg(), 0).mul(s));
            }
        };
    }
}
