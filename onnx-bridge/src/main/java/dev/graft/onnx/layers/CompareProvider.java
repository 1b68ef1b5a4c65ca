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
import org.nd4j.autodiff.samediff.SDVariable;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code onnx-compare}: ONNX's {@code Equal}, {@code Less} and {@code Greater} with NumPy
 * broadcasting, as 1 (true) and 0 (false) in the input's float type, for a {@code Where} or a
 * {@code Cast} to read. Of two inputs of the same rank, or of an input and a fixed parameter
 * {@code c} ({@code constant-shape}; not trainable). The result is piecewise constant: its gradient
 * is zero.
 */
public final class CompareProvider implements LayerProvider<CompareProvider.Config> {

    /** The comparisons: {@code a == b}, {@code a < b}, {@code a > b}. */
    public enum Op { EQUAL, LESS, GREATER }

    /** Options of {@code onnx-compare}. */
    public record Config(
            @Doc("the comparison: equal, less or greater") Op op,
            @Doc("shape of the constant operand c (no batch axis); absent: the layer takes two inputs")
            @Default(Default.NULL) List<Long> constantShape,
            @Doc("whether the constant is the left operand (c < x instead of x < c)") @Default("false") boolean constantFirst) {
        public Config {
            if (op == null) {
                throw new IllegalArgumentException("op must be one of equal, less, greater");
            }
            if (constantShape != null) {
                constantShape = List.copyOf(constantShape);
                Broadcast.dims("constant-shape", constantShape);
            } else if (constantFirst) {
                throw new IllegalArgumentException("constant-first needs a constant-shape");
            }
        }
    }

    public CompareProvider() {
    }

    @Override
    public String id() {
        return "onnx-compare";
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
        return "element-wise ==, < or > with broadcasting, as 1 / 0 (no gradient)";
    }

    @Override
    public Layer create(Config config) {
        long[] cShape = config.constantShape() == null ? null : Broadcast.dims("constant-shape", config.constantShape());
        String name = "onnx-compare " + config.op().name().toLowerCase(java.util.Locale.ROOT);
        return new Layer() {
            @Override
            public int arity() {
                return cShape == null ? 2 : 1;
            }

            @Override
            public Shape outputShape(List<Shape> inputs) {
                Shape a = inputs.get(0);
                if (cShape != null) {
                    if (cShape.length > a.rank()) {
                        throw new IllegalArgumentException(name + ": the constant " + java.util.Arrays.toString(cShape) + " has more axes than the input " + a);
                    }
                    return Shape.of(Broadcast.shape(name, List.of(a.dims(), cShape)));
                }
                if (inputs.size() != 2 || a.rank() != inputs.get(1).rank()) {
                    throw new IllegalArgumentException(name + " needs two inputs of the same rank, got " + inputs);
                }
                return Shape.of(Broadcast.shape(name, List.of(a.dims(), inputs.get(1).dims())));
            }

            @Override
            public List<ParamSpec> params(List<Shape> inputs) {
                outputShape(inputs);
                List<ParamSpec> out = new ArrayList<>();
                if (cShape != null) {
                    long size = Shape.of(cShape).size();
                    out.add(new ParamSpec("c", ParamRole.OTHER, cShape, InitSpec.of("zeros"), new Fan(size, size), false));
                }
                return out;
            }

            @Override
            public SDVariable forward(LayerContext ctx, List<SDVariable> inputs) {
                int rank = outputShape(ctx.inputShapes()).rank();
                SDVariable a = Broadcast.batch(inputs.get(0), ctx.inputShapes().get(0), rank);
                SDVariable b = cShape != null ? Broadcast.single(ctx.param("c"), cShape, rank)
                        : Broadcast.batch(inputs.get(1), ctx.inputShapes().get(1), rank);
                if (config.constantFirst()) {
                    SDVariable t = a;
                    a = b;
                    b = t;
                }
                SDVariable r = switch (config.op()) {
                    case EQUAL -> ctx.sd().eq(a, b);
                    case LESS -> ctx.sd().lt(a, b);
                    case GREATER -> ctx.sd().gt(a, b);
                };
                return r.castTo(inputs.get(0).dataType());
            }
        };
    }
}
