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
 * {@code onnx-where}: ONNX's {@code Where(condition, x, y)}, element-wise {@code condition ? x : y}
 * with NumPy broadcasting of the three operands. Each operand is either an input (in the order
 * condition, x, y) or a fixed parameter ({@code condition}, {@code x}, {@code y}; not trainable) when
 * its {@code *-shape} option gives its shape. A condition input counts as true where it is not 0.
 *
 * <p>Computed as {@code m * x + (1 - m) * y} with {@code m} the condition as 1 / 0: SameDiff's own
 * {@code where} has no gradient in ND4J 1.0.0-M2.1, this composition does (each branch gets the
 * gradient where it is selected, the condition none). A product {@code 0 * infinity} is not a number,
 * so an infinite operand must be zero where it is not selected; the importer arranges that for
 * constant operands.
 */
public final class WhereProvider implements LayerProvider<WhereProvider.Config> {

    /** Options of {@code onnx-where}. */
    public record Config(
            @Doc("shape of a fixed condition parameter (no batch axis); absent: the condition is an input")
            @Default(Default.NULL) List<Long> conditionShape,
            @Doc("shape of a fixed x parameter; absent: x is an input") @Default(Default.NULL) List<Long> xShape,
            @Doc("shape of a fixed y parameter; absent: y is an input") @Default(Default.NULL) List<Long> yShape) {
        public Config {
            conditionShape = conditionShape == null ? null : List.copyOf(conditionShape);
            xShape = xShape == null ? null : List.copyOf(xShape);
            yShape = yShape == null ? null : List.copyOf(yShape);
            if (conditionShape != null) {
                Broadcast.dims("condition-shape", conditionShape);
            }
            if (xShape != null) {
                Broadcast.dims("x-shape", xShape);
            }
            if (yShape != null) {
                Broadcast.dims("y-shape", yShape);
            }
            if (conditionShape != null && xShape != null && yShape != null) {
                throw new IllegalArgumentException("at least one of condition, x and y must be an input");
            }
        }
    }

    public WhereProvider() {
    }

    @Override
    public String id() {
        return "onnx-where";
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
        return "element-wise condition ? x : y with broadcasting (ONNX Where), differentiable in x and y";
    }

    @Override
    public Layer create(Config config) {
        List<String> names = List.of("condition", "x", "y");
        List<long[]> fixed = new ArrayList<>();
        fixed.add(config.conditionShape() == null ? null : Broadcast.dims("condition-shape", config.conditionShape()));
        fixed.add(config.xShape() == null ? null : Broadcast.dims("x-shape", config.xShape()));
        fixed.add(config.yShape() == null ? null : Broadcast.dims("y-shape", config.yShape()));
        int arity = (int) fixed.stream().filter(f -> f == null).count();
        return new Layer() {
            @Override
            public int arity() {
                return arity;
            }

            /** The three operands' shapes, inputs or parameters. */
            private List<long[]> operands(List<Shape> inputs) {
                if (inputs.size() != arity) {
                    throw new IllegalArgumentException("onnx-where takes " + arity + " inputs, got " + inputs.size());
                }
                List<long[]> out = new ArrayList<>();
                int k = 0;
                for (long[] f : fixed) {
                    out.add(f != null ? f : inputs.get(k++).dims());
                }
                return out;
            }

            @Override
            public Shape outputShape(List<Shape> inputs) {
                int rank = inputs.get(0).rank();
                for (Shape s : inputs) {
                    if (s.rank() != rank) {
                        throw new IllegalArgumentException("onnx-where: the inputs must have the same rank, got " + inputs);
                    }
                }
                for (long[] f : fixed) {
                    if (f != null && f.length > rank) {
                        throw new IllegalArgumentException("onnx-where: a fixed operand of shape " + java.util.Arrays.toString(f)
                                + " has more axes than the inputs " + inputs);
                    }
                }
                return Shape.of(Broadcast.shape("onnx-where", operands(inputs)));
            }

            @Override
            public List<ParamSpec> params(List<Shape> inputs) {
                outputShape(inputs);
                List<ParamSpec> out = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    long[] f = fixed.get(i);
                    if (f != null) {
                        long size = Shape.of(f).size();
                        out.add(new ParamSpec(names.get(i), ParamRole.OTHER, f, InitSpec.of("zeros"), new Fan(size, size), false));
                    }
                }
                return out;
            }

            @Override
            public SDVariable forward(LayerContext ctx, List<SDVariable> inputs) {
                int rank = outputShape(ctx.inputShapes()).rank();
                SDVariable[] v = new SDVariable[3];
                int k = 0;
                for (int i = 0; i < 3; i++) {
                    long[] f = fixed.get(i);
                    if (f != null) {
                        v[i] = Broadcast.single(ctx.param(names.get(i)), f, rank);
                    } else {
                        v[i] = Broadcast.batch(inputs.get(k), ctx.inputShapes().get(k), rank);
                        if (i == 0) {
                            v[i] = ctx.sd().neq(v[i], 0.0).castTo(inputs.get(k).dataType());
                        }
                        k++;
                    }
                }
                SDVariable m = v[0];
                return m.mul(v[1]).add(m.rsub(1.0).mul(v[2]));
            }
        };
    }
}
