package dev.graft.onnx.layers;

import dev.graft.api.GraftApi;
import dev.graft.api.Shape;
import dev.graft.api.config.Doc;
import dev.graft.api.config.Default;
import dev.graft.api.init.InitSpec;
import dev.graft.api.init.Fan;
import dev.graft.api.layer.Layer;
import dev.graft.api.layer.LayerContext;
import dev.graft.api.layer.LayerProvider;
import dev.graft.api.layer.ParamRole;
import dev.graft.api.layer.ParamSpec;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;

import java.util.List;

/**
 * {@code onnx-constant}: a constant of an ONNX graph where a layer needs it as an input rather than
 * a parameter (a {@code Concat} of a computed value and a constant, say): the parameter
 * {@code value} of shape {@code shape}, repeated for every example of the batch. The one input only
 * gives the batch size; its values are not used (no gradient flows to it). {@code value} is trainable
 * unless {@code trainable = false}.
 */
public final class ConstantProvider implements LayerProvider<ConstantProvider.Config> {

    /** Options of {@code onnx-constant}. */
    public record Config(
            @Doc("shape of the constant, per example (no batch axis); [] for a scalar") List<Long> shape,
            @Doc("whether the optimizer may change the constant") @Default("true") boolean trainable) {
        public Config {
            if (shape == null || shape.stream().anyMatch(d -> d == null || d <= 0)) {
                throw new IllegalArgumentException("shape must be a list of positive sizes (or [] for a scalar), got " + shape);
            }
            shape = List.copyOf(shape);
        }
    }

    public ConstantProvider() {
    }

    @Override
    public String id() {
        return "onnx-constant";
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
        return "a constant (a parameter) repeated for every example; the input gives the batch size only";
    }

    @Override
    public Layer create(Config config) {
        long[] dims = config.shape().stream().mapToLong(Long::longValue).toArray();
        Shape shape = Shape.of(dims);
        return new Layer() {
            @Override
            public Shape outputShape(List<Shape> inputs) {
                return shape;
            }

            @Override
            public List<ParamSpec> params(List<Shape> inputs) {
                long n = shape.size();
                return List.of(new ParamSpec("value", ParamRole.OTHER, dims, InitSpec.of("zeros"), new Fan(n, n), config.trainable()));
            }

            @Override
            public SDVariable forward(LayerContext ctx, List<SDVariable> inputs) {
                Shape in = ctx.inputShapes().get(0);
                // zeros [batch, 1, ..., 1] from the input's batch size (zerosLike ignores its values, NaN included)
                SDVariable zeros = ctx.sd().zerosLike(inputs.get(0)).reshape(-1, in.size()).get(SDIndex.all(), SDIndex.interval(0, 1));
                long[] ones = new long[dims.length + 1];
                java.util.Arrays.fill(ones, 1);
                ones[0] = -1;
                long[] single = shape.withBatch(1);
                return zeros.reshape(ones).add(ctx.param("value").reshape(single));
            }
        };
    }
}
