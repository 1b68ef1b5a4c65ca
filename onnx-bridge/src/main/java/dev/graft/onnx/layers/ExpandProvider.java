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
 * {@code onnx-expand}: broadcasts each example to a larger shape, ONNX's {@code Expand} with a
 * constant shape on the non-batch axes. The input is aligned with {@code shape} at the last axes
 * (missing leading axes count as 1) and every axis of size 1 is repeated to the target size, e.g.
 * {@code [3, 1]} to {@code [2, 3, 4]}. The gradient sums over the repeats. No parameters.
 */
public final class ExpandProvider implements LayerProvider<ExpandProvider.Config> {

    /** Options of {@code onnx-expand}. */
    public record Config(@Doc("the per-example output shape") List<Long> shape) {
        public Config {
            if (shape == null || shape.isEmpty()) {
                throw new IllegalArgumentException("shape must list at least one positive size, got " + shape);
            }
            Broadcast.dims("shape", shape);
            shape = List.copyOf(shape);
        }
    }

    public ExpandProvider() {
    }

    @Override
    public String id() {
        return "onnx-expand";
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
        return "repeats the size-1 axes of each example up to a target shape (ONNX Expand)";
    }

    @Override
    public Layer create(Config config) {
        long[] target = Broadcast.dims("shape", config.shape());
        return new Layer() {
            @Override
            public Shape outputShape(List<Shape> inputs) {
                Shape in = inputs.get(0);
                if (in.rank() > target.length) {
                    throw new IllegalArgumentException("onnx-expand: the input " + in + " has more axes than the shape " + Arrays.toString(target));
                }
                long[] padded = Broadcast.pad(in.dims(), target.length);
                for (int i = 0; i < target.length; i++) {
                    if (padded[i] != target[i] && padded[i] != 1) {
                        throw new IllegalArgumentException("onnx-expand: the input " + in + " does not broadcast to " + Arrays.toString(target));
                    }
                }
                return Shape.of(target);
            }

            @Override
            public List<ParamSpec> params(List<Shape> inputs) {
                outputShape(inputs);
                return List.of();
            }

            @Override
            public SDVariable forward(LayerContext ctx, List<SDVariable> inputs) {
                Shape in = ctx.inputShapes().get(0);
                outputShape(ctx.inputShapes());
                long[] padded = Broadcast.pad(in.dims(), target.length);
                SDVariable x = Broadcast.batch(inputs.get(0), in, target.length);
                int[] reps = new int[target.length + 1];
                reps[0] = 1;
                boolean any = false;
                for (int i = 0; i < target.length; i++) {
                    reps[i + 1] = (int) (target[i] / padded[i]);
                    any |= reps[i + 1] != 1;
                }
                return any ? ctx.sd().tile(x, reps) : x;
            }
        };
    }
}
