package dev.graft.plugins.layers;

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
 * {@code reshape}: gives each example a new shape with the same values in C (row-major) order, e.g.
 * {@code [784] -> [1, 28, 28]} with {@code shape: [1, 28, 28]}. The shape is per example (the batch
 * dimension is kept); at most one entry may be {@code -1}, meaning "whatever the others leave". The
 * total size must not change. No parameters.
 */
public final class ReshapeProvider implements LayerProvider<ReshapeProvider.Config> {

    /** Options of {@code reshape}. */
    public record Config(@Doc("the new per-example shape, positive sizes and at most one -1") List<Integer> shape) {
        public Config {
            if (shape == null || shape.isEmpty() || shape.stream().anyMatch(java.util.Objects::isNull)) {
                throw new IllegalArgumentException("shape must be a non-empty list of sizes such as [1, 28, 28], got " + shape);
            }
            shape = List.copyOf(shape);
            if (shape.stream().anyMatch(d -> d <= 0 && d != -1)) {
                throw new IllegalArgumentException("shape entries must be positive or -1, got " + shape);
            }
            if (shape.stream().filter(d -> d == -1).count() > 1) {
                throw new IllegalArgumentException("shape may contain at most one -1, got " + shape);
            }
        }
    }

    public ReshapeProvider() {
    }

    @Override
    public String id() {
        return "reshape";
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
        return "gives each example a new shape of the same size, e.g. [784] -> [1, 28, 28]";
    }

    @Override
    public Layer create(Config config) {
        return new Layer() {
            @Override
            public Shape outputShape(List<Shape> inputs) {
                Shape in = inputs.get(0);
                long known = 1;
                int free = -1;
                long[] dims = new long[config.shape().size()];
                for (int i = 0; i < dims.length; i++) {
                    dims[i] = config.shape().get(i);
                    if (dims[i] == -1) {
                        free = i;
                    } else {
                        known *= dims[i];
                    }
                }
                if (free >= 0) {
                    if (in.size() % known != 0) {
                        throw new IllegalArgumentException("cannot reshape " + in + " (" + in.size() + " values) to "
                                + config.shape() + ": " + in.size() + " is not a multiple of " + known);
                    }
                    dims[free] = in.size() / known;
                } else if (known != in.size()) {
                    throw new IllegalArgumentException("cannot reshape " + in + " (" + in.size() + " values) to "
                            + config.shape() + " (" + known + " values)");
                }
                return Shape.of(dims);
            }

            @Override
            public List<ParamSpec> params(List<Shape> inputs) {
                outputShape(inputs);
                return List.of();
            }

            @Override
            public SDVariable forward(LayerContext ctx, List<SDVariable> inputs) {
                return inputs.get(0).reshape(outputShape(ctx.inputShapes()).withBatch(-1));
            }
        };
    }
}
