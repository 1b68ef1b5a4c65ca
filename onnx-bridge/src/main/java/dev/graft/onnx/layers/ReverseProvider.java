package dev.graft.onnx.layers;

import dev.graft.api.GraftApi;
import dev.graft.api.Shape;
import dev.graft.api.config.Doc;
import dev.graft.api.layer.Layer;
import dev.graft.api.layer.LayerContext;
import dev.graft.api.layer.LayerProvider;
import dev.graft.api.layer.ParamSpec;
import org.nd4j.autodiff.samediff.SDVariable;

import java.util.List;

/**
 * {@code onnx-reverse}: reverses the order of the elements of each example along some axes, e.g.
 * ONNX's {@code Slice} with a negative step (a slice with the positive step, then this). No
 * parameters.
 */
public final class ReverseProvider implements LayerProvider<ReverseProvider.Config> {

    /** Options of {@code onnx-reverse}. */
    public record Config(@Doc("the per-example axes to reverse (0 is the first axis after the batch)") List<Integer> axes) {
        public Config {
            if (axes == null || axes.isEmpty() || axes.stream().anyMatch(a -> a == null || a < 0) || axes.stream().distinct().count() != axes.size()) {
                throw new IllegalArgumentException("axes must be a non-empty list of distinct per-example axes >= 0, got " + axes);
            }
            axes = List.copyOf(axes);
        }
    }

    public ReverseProvider() {
    }

    @Override
    public String id() {
        return "onnx-reverse";
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
        return "reverses each example along some axes, like x[:, ::-1]";
    }

    @Override
    public Layer create(Config config) {
        return new Layer() {
            @Override
            public Shape outputShape(List<Shape> inputs) {
                Shape in = inputs.get(0);
                for (int a : config.axes()) {
                    if (a >= in.rank()) {
                        throw new IllegalArgumentException("onnx-reverse: axis " + a + " is out of range for the input " + in);
                    }
                }
                return in;
            }

            @Override
            public List<ParamSpec> params(List<Shape> inputs) {
                outputShape(inputs);
                return List.of();
            }

            @Override
            public SDVariable forward(LayerContext ctx, List<SDVariable> inputs) {
                outputShape(ctx.inputShapes());
                int[] dims = config.axes().stream().mapToInt(a -> a + 1).toArray();
                return ctx.sd().reverse(inputs.get(0), dims);
            }
        };
    }
}
