package dev.graft.plugins.layers;

import dev.graft.api.GraftApi;
import dev.graft.api.Shape;
import dev.graft.api.config.NoConfig;
import dev.graft.api.layer.Layer;
import dev.graft.api.layer.LayerContext;
import dev.graft.api.layer.LayerProvider;
import dev.graft.api.layer.ParamSpec;
import org.nd4j.autodiff.samediff.SDVariable;

import java.util.List;

/**
 * {@code flatten}: reshapes each example to a vector, {@code [d1, d2, ...] -> [d1 * d2 * ...]} in
 * C (row-major) order, keeping the batch dimension; a rank-1 input passes unchanged. Use it between
 * image-shaped data or convolutions and {@code dense}.
 */
public final class FlattenProvider implements LayerProvider<NoConfig> {

    public FlattenProvider() {
    }

    @Override
    public String id() {
        return "flatten";
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
    public Class<NoConfig> configType() {
        return NoConfig.class;
    }

    @Override
    public String description() {
        return "reshapes each example to a flat vector, e.g. [1, 28, 28] -> [784]";
    }

    @Override
    public Layer create(NoConfig config) {
        return new Flatten();
    }

    private static final class Flatten implements Layer {

        @Override
        public Shape outputShape(List<Shape> inputs) {
            return Shape.of(inputs.get(0).size());
        }

        @Override
        public List<ParamSpec> params(List<Shape> inputs) {
            return List.of();
        }

        @Override
        public SDVariable forward(LayerContext ctx, List<SDVariable> inputs) {
            SDVariable x = inputs.get(0);
            Shape shape = ctx.inputShapes().get(0);
            // rank 1: a new variable, not the input itself, so the node has an output of its own in the graph
            return shape.rank() == 1 ? ctx.sd().identity(x) : x.reshape(-1, shape.size());
        }
    }
}
