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
import java.util.Locale;

/**
 * {@code onnx-binary}: ONNX's element-wise {@code Add}, {@code Sub}, {@code Mul}, {@code Div} and
 * {@code Pow} with NumPy broadcasting of the per-example shapes.
 *
 * <p>Two forms:
 * <ul>
 *   <li>With {@code constant-shape}: one input {@code x} and a parameter {@code c} of that shape (the
 *       ONNX constant operand, without a batch axis); {@code y = x op c}, or {@code c op x} with
 *       {@code constant-first}. {@code c} is trainable unless {@code trainable = false} (a
 *       {@code Pow} exponent, for instance, is imported as a fixed value). Its rank may not exceed
 *       the input's.</li>
 *   <li>Without: two inputs of the same rank, {@code y = a op b}.</li>
 * </ul>
 * The output shape is the broadcast of the operands' shapes, e.g. {@code [C, H, W]} with a
 * {@code [C, 1, 1]} constant, or {@code [3, 1]} with {@code [1, 4]} giving {@code [3, 4]}.
 *
 * <p>Division is computed as {@code a * (1 / b)}: ND4J 1.0.0-M2.1's division gives a wrong gradient
 * for a divisor of one element broadcast over the batch.
 */
public final class BinaryProvider implements LayerProvider<BinaryProvider.Config> {

    /** The operations. */
    public enum Op { ADD, SUB, MUL, DIV, POW }

    /** Options of {@code onnx-binary}. */
    public record Config(
            @Doc("the operation: add, sub, mul, div or pow") Op op,
            @Doc("shape of the constant operand c (no batch axis); absent: the layer takes two inputs")
            @Default(Default.NULL) List<Long> constantShape,
            @Doc("whether the constant is the left operand (c - x instead of x - c)") @Default("false") boolean constantFirst,
            @Doc("whether the optimizer may change the constant c") @Default("true") boolean trainable) {
        public Config {
            if (op == null) {
                throw new IllegalArgumentException("op must be one of add, sub, mul, div, pow");
            }
            if (constantShape != null) {
                constantShape = List.copyOf(constantShape);
                Broadcast.dims("constant-shape", constantShape);
            } else if (constantFirst) {
                throw new IllegalArgumentException("constant-first needs a constant-shape");
            }
        }
    }

    public BinaryProvider() {
    }

    @Override
    public String id() {
        return "onnx-binary";
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
        return "element-wise add, sub, mul, div or pow with broadcasting, of two inputs or an input and a constant";
    }

    @Override
    public Layer create(Config config) {
        long[] cShape = config.constantShape() == null ? null : Broadcast.dims("constant-shape", config.constantShape());
        String name = "onnx-binary " + config.op().name().toLowerCase(Locale.ROOT);
        return new Layer() {
            @Override
            public int arity() {
                return cShape == null ? 2 : 1;
            }

            @Override
            public Shape outputShape(List<Shape> inputs) {
                if (cShape != null) {
                    Shape in = inputs.get(0);
                    if (cShape.length > in.rank()) {
                        throw new IllegalArgumentException(name + ": the constant " + java.util.Arrays.toString(cShape)
                                + " has more axes than the input " + in);
                    }
                    return Shape.of(Broadcast.shape(name, List.of(in.dims(), cShape)));
                }
                if (inputs.size() != 2 || inputs.get(0).rank() != inputs.get(1).rank()) {
                    throw new IllegalArgumentException(name + " needs two inputs of the same rank, got " + inputs);
                }
                return Shape.of(Broadcast.shape(name, List.of(inputs.get(0).dims(), inputs.get(1).dims())));
            }

            @Override
            public List<ParamSpec> params(List<Shape> inputs) {
                outputShape(inputs);
                List<ParamSpec> out = new ArrayList<>();
                if (cShape != null) {
                    long size = Shape.of(cShape).size();
                    InitSpec init = InitSpec.of(config.op() == Op.MUL || config.op() == Op.DIV || config.op() == Op.POW ? "ones" : "zeros");
                    out.add(new ParamSpec("c", ParamRole.OTHER, cShape, init, new Fan(size, size), config.trainable()));
                }
                return out;
            }

            @Override
            public SDVariable forward(LayerContext ctx, List<SDVariable> inputs) {
                Shape out = outputShape(ctx.inputShapes());
                int rank = out.rank();
                SDVariable a = Broadcast.batch(inputs.get(0), ctx.inputShapes().get(0), rank);
                SDVariable b = cShape != null ? Broadcast.single(ctx.param("c"), cShape, rank)
                        : Broadcast.batch(inputs.get(1), ctx.inputShapes().get(1), rank);
                if (config.constantFirst()) {
                    SDVariable t = a;
                    a = b;
                    b = t;
                }
                return switch (config.op()) {
                    case ADD -> a.add(b);
                    case SUB -> a.sub(b);
                    case MUL -> a.mul(b);
                    // a * (1 / b): ND4J 1.0.0-M2.1 gets the gradient of a divisor that broadcasts from one element wrong
                    case DIV -> a.mul(b.rdiv(1.0));
                    case POW -> ctx.sd().math().pow(a, b);
                };
            }
        };
    }
}
