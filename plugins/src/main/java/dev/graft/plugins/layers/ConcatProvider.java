package dev.graft.plugins.layers;

import dev.graft.api.GraftApi;
import dev.graft.api.Shape;
import dev.graft.api.config.Default;
import dev.graft.api.config.Doc;
import dev.graft.api.layer.Layer;
import dev.graft.api.layer.LayerContext;
import dev.graft.api.layer.LayerProvider;
import dev.graft.api.layer.ParamSpec;
import org.nd4j.autodiff.samediff.SDVariable;

import java.util.List;
import java.util.stream.Collectors;

/**
 * {@code concat}: joins two or more inputs along one axis of the per-example shape. {@code axis}
 * counts without the batch dimension: 0 (the default) is the first axis, the channels of
 * {@code [C, H, W]} images and the features of {@code [F]} vectors; negative values count from the end
 * ({@code -1} is the last axis, the features of {@code [T, F]} sequences). All inputs must have the
 * same rank and agree on every other axis. No parameters.
 */
public final class ConcatProvider implements LayerProvider<ConcatProvider.Config> {

    /** Options of {@code concat}. */
    public record Config(@Doc("axis to join along, without the batch dimension; negative counts from the end")
                         @Default("0") int axis) {
    }

    public ConcatProvider() {
    }

    @Override
    public String id() {
        return "concat";
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
        return "joins two or more inputs along one axis (default 0, the channels or features)";
    }

    @Override
    public Layer create(Config config) {
        return new Layer() {
            @Override
            public int arity() {
                return VARIADIC;
            }

            /** The resolved, non-negative axis, after validating the inputs. */
            private int axis(List<Shape> inputs) {
                if (inputs.size() < 2) {
                    throw new IllegalArgumentException("concat needs at least 2 inputs, got " + inputs.size());
                }
                String shapes = inputs.stream().map(Shape::toString).collect(Collectors.joining(", "));
                int rank = inputs.get(0).rank();
                if (inputs.stream().anyMatch(s -> s.rank() != rank)) {
                    throw new IllegalArgumentException("concat needs inputs of the same rank, got " + shapes);
                }
                int axis = config.axis() < 0 ? config.axis() + rank : config.axis();
                if (axis < 0 || axis >= rank) {
                    throw new IllegalArgumentException("concat axis " + config.axis() + " is out of range for inputs of"
                            + " rank " + rank + " (allowed: " + -rank + " to " + (rank - 1) + "), got " + shapes);
                }
                for (Shape s : inputs) {
                    for (int d = 0; d < rank; d++) {
                        if (d != axis && s.dim(d) != inputs.get(0).dim(d)) {
                            throw new IllegalArgumentException("concat along axis " + config.axis() + " needs the other"
                                    + " axes to match, got " + shapes);
                        }
                    }
                }
                return axis;
            }

            @Override
            public Shape outputShape(List<Shape> inputs) {
                int axis = axis(inputs);
                long[] dims = inputs.get(0).dims();
                dims[axis] = inputs.stream().mapToLong(s -> s.dim(axis)).sum();
                return Shape.of(dims);
            }

            @Override
            public List<ParamSpec> params(List<Shape> inputs) {
                axis(inputs);
                return List.of();
            }

            @Override
            public SDVariable forward(LayerContext ctx, List<SDVariable> inputs) {
                int axis = axis(ctx.inputShapes());
                return ctx.sd().concat(axis + 1, inputs.toArray(new SDVariable[0]));
            }
        };
    }
}
