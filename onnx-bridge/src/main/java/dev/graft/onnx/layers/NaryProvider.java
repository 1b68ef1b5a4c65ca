package dev.graft.onnx.layers;

import dev.graft.api.GraftApi;
import dev.graft.api.Shape;
import dev.graft.api.config.Doc;
import dev.graft.api.layer.Layer;
import dev.graft.api.layer.LayerContext;
import dev.graft.api.layer.LayerProvider;
import dev.graft.api.layer.ParamSpec;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code onnx-nary}: ONNX's variadic element-wise {@code Max}, {@code Min}, {@code Sum} and
 * {@code Mean} of one or more inputs of the same rank, with broadcasting. No parameters. Where inputs
 * tie, {@code max} and {@code min} pass the gradient as ND4J's pairwise ops do. ND4J's pairwise
 * {@code max} and {@code min} get the gradient of a broadcast operand wrong, so operands of another
 * shape are first broadcast to the output's shape by adding zeros.
 */
public final class NaryProvider implements LayerProvider<NaryProvider.Config> {

    /** The operations. */
    public enum Op { MAX, MIN, SUM, MEAN }

    /** Options of {@code onnx-nary}. */
    public record Config(@Doc("the operation: max, min, sum or mean") Op op) {
        public Config {
            if (op == null) {
                throw new IllegalArgumentException("op must be one of max, min, sum, mean");
            }
        }
    }

    public NaryProvider() {
    }

    @Override
    public String id() {
        return "onnx-nary";
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
        return "element-wise max, min, sum or mean of one or more inputs, with broadcasting";
    }

    @Override
    public Layer create(Config config) {
        String name = "onnx-nary " + config.op().name().toLowerCase(Locale.ROOT);
        return new Layer() {
            @Override
            public int arity() {
                return VARIADIC;
            }

            @Override
            public Shape outputShape(List<Shape> inputs) {
                if (inputs.isEmpty()) {
                    throw new IllegalArgumentException(name + " needs at least one input");
                }
                int rank = inputs.get(0).rank();
                if (inputs.stream().anyMatch(s -> s.rank() != rank)) {
                    throw new IllegalArgumentException(name + " needs inputs of the same rank, got " + inputs);
                }
                return Shape.of(Broadcast.shape(name, inputs.stream().map(Shape::dims).toList()));
            }

            @Override
            public List<ParamSpec> params(List<Shape> inputs) {
                outputShape(inputs);
                return List.of();
            }

            @Override
            public SDVariable forward(LayerContext ctx, List<SDVariable> inputs) {
                SameDiff sd = ctx.sd();
                Shape out = outputShape(ctx.inputShapes());
                List<SDVariable> xs = new ArrayList<>(inputs);
                if (xs.size() == 1) {
                    return sd.identity(xs.get(0));
                }
                if ((config.op() == Op.MAX || config.op() == Op.MIN) && ctx.inputShapes().stream().anyMatch(s -> !s.equals(out))) {
                    // the pairwise max/min ops of ND4J 1.0.0-M2.1 get the gradient of a broadcast operand wrong:
                    // broadcast every operand to the output first (through an addition, whose gradient is right)
                    SDVariable zeros = xs.get(0);
                    for (int i = 1; i < xs.size(); i++) {
                        zeros = zeros.add(xs.get(i));
                    }
                    zeros = zeros.mul(0.0);
                    for (int i = 0; i < xs.size(); i++) {
                        if (!ctx.inputShapes().get(i).equals(out)) {
                            xs.set(i, xs.get(i).add(zeros));
                        }
                    }
                }
                SDVariable acc = xs.get(0);
                for (int i = 1; i < xs.size(); i++) {
                    SDVariable x = xs.get(i);
                    acc = switch (config.op()) {
                        case MAX -> sd.math().max(acc, x);
                        case MIN -> sd.math().min(acc, x);
                        case SUM, MEAN -> acc.add(x);
                    };
                }
                if (config.op() == Op.MEAN) {
                    acc = acc.div(xs.size());
                }
                // an input that broadcasts up to the others still gives the full output shape
                return acc.reshape(out.withBatch(-1));
            }
        };
    }
}
