package dev.graft.onnx.layers;

import dev.graft.api.GraftApi;
import dev.graft.api.Shape;
import dev.graft.api.config.Doc;
import dev.graft.api.layer.Layer;
import dev.graft.api.layer.LayerContext;
import dev.graft.api.layer.LayerProvider;
import dev.graft.api.layer.ParamSpec;
import org.nd4j.autodiff.samediff.SDVariable;

import java.util.Arrays;
import java.util.List;

/**
 * {@code onnx-reshape}: gives each example a new shape with the same values in row-major order, like
 * Graft's {@code reshape}, but the shape may be empty: {@code []} makes each example a scalar (a
 * one-element input, e.g. {@code [1, 1]}, becomes {@code []}), which ONNX graphs imported as whole
 * tensors need. Every size is given (no {@code -1}). No parameters.
 */
public final class ReshapeProvider implements LayerProvider<ReshapeProvider.Config> {

    /** Options of {@code onnx-reshape}. */
    public record Config(@Doc("the new per-example shape: positive sizes, or [] for a scalar") List<Long> shape) {
        public Config {
            if (shape == null || shape.stream().anyMatch(d -> d == null || d <= 0)) {
                throw new IllegalArgumentException("shape must be a list of positive sizes (or [] for a scalar), got " + shape);
            }
            shape = List.copyOf(shape);
        }
    }

    public ReshapeProvider() {
    }

    @Override
    public String id() {
        return "onnx-reshape";
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
        return "gives each example a new shape of the same size, scalars ([]) included";
    }

    @Override
    public Layer create(Config config) {
        long[] dims = config.shape().stream().mapToLong(Long::longValue).toArray();
        Shape target = Shape.of(dims);
        return new Layer() {
            @Override
            public Shape outputShape(List<Shape> inputs) {
                Shape in = inputs.get(0);
                if (in.size() != target.size()) {
                    throw new IllegalArgumentException("onnx-reshape cannot reshape " + in + " (" + in.size() + " values) to "
                            + Arrays.toString(dims) + " (" + target.size() + " values)");
                }
                return target;
            }

            @Override
            public List<ParamSpec> params(List<Shape> inputs) {
                outputShape(inputs);
                return List.of();
            }

            @Override
            public SDVariable forward(LayerContext ctx, List<SDVariable> inputs) {
                outputShape(ctx.inputShapes());
                return inputs.get(0).reshape(target.withBatch(-1));
            }
        };
    }
}
