package dev.graft.onnx.imports.ops;

import dev.graft.onnx.imports.ImportContext;
import dev.graft.onnx.imports.OnnxNode;

import java.util.Map;
import java.util.function.DoubleUnaryOperator;

/**
 * Element-wise activations with a Graft layer of their own (opsets 1-17; {@code consumed_inputs} of opsets 1-5 is ignored): {@code Relu} as
 * {@code relu}, {@code Sigmoid} as {@code sigmoid}, {@code Tanh} as {@code tanh}, {@code LeakyRelu}
 * as {@code leaky-relu} (its {@code alpha}, default 0.01, must be >= 0) and {@code Elu} as
 * {@code elu} ({@code alpha}, default 1). On a constant input the function is applied at import.
 */
public final class Activations {
    private Activations() {
    }

    /** An activation converter: the Graft layer, its config from the node, and the function for constants. */
    abstract static class Activation extends OpConverter {
        Activation(String opType, String description) {
            super(opType, 1, 17, description);
        }

        abstract String layer();

        Map<String, Object> config(OnnxNode node) {
            return Map.of();
        }

        abstract DoubleUnaryOperator function(OnnxNode node);

        @Override
        public final void convert(OnnxNode node, ImportContext ctx) {
            ImportContext.Value x = input(ctx, node, 0);
            if (x.isConstant()) {
                ctx.bindConstant(out(node), Const.of(x.constant()).map(function(node), node.opType() + " of a constant").toArray());
                return;
            }
            emit(ctx, node, layer(), config(node), x.node(), Map.of());
        }
    }

    /** {@code Relu}. */
    public static final class Relu extends Activation {
        public Relu() {
            super("Relu", "ONNX Relu as relu");
        }

        @Override
        String layer() {
            return "relu";
        }

        @Override
        DoubleUnaryOperator function(OnnxNode node) {
            return v -> Math.max(v, 0);
        }
    }

    /** {@code Sigmoid}. */
    public static final class Sigmoid extends Activation {
        public Sigmoid() {
            super("Sigmoid", "ONNX Sigmoid as sigmoid");
        }

        @Override
        String layer() {
            return "sigmoid";
        }

        @Override
        DoubleUnaryOperator function(OnnxNode node) {
            return v -> 1 / (1 + Math.exp(-v));
        }
    }

    /** {@code Tanh}. */
    public static final class Tanh extends Activation {
        public Tanh() {
            super("Tanh", "ONNX Tanh as tanh");
        }

        @Override
        String layer() {
            return "tanh";
        }

        @Override
        DoubleUnaryOperator function(OnnxNode node) {
            return Math::tanh;
        }
    }

    /** {@code LeakyRelu}. */
    public static final class LeakyRelu extends Activation {
        public LeakyRelu() {
            super("LeakyRelu", "ONNX LeakyRelu as leaky-relu");
        }

        @Override
        String layer() {
            return "leaky-relu";
        }

        @Override
        Map<String, Object> config(OnnxNode node) {
            double alpha = attrDouble(node, "alpha", 0.01f);
            if (alpha < 0) {
                throw new IllegalArgumentException("alpha " + alpha + " is negative; Graft's leaky-relu takes alpha >= 0");
            }
            return Map.of("alpha", alpha);
        }

        @Override
        DoubleUnaryOperator function(OnnxNode node) {
            double alpha = attrDouble(node, "alpha", 0.01f);
            return v -> v >= 0 ? v : alpha * v;
        }
    }

    /** {@code Elu}. */
    public static final class Elu extends Activation {
        public Elu() {
            super("Elu", "ONNX Elu as elu");
        }

        @Override
        String layer() {
            return "elu";
        }

        @Override
        Map<String, Object> config(OnnxNode node) {
            double alpha = attrDouble(node, "alpha", 1f);
            if (alpha < 0) {
                throw new IllegalArgumentException("alpha " + alpha + " is negative; Graft's elu takes alpha >= 0");
            }
            return Map.of("alpha", alpha);
        }

        @Override
        DoubleUnaryOperator function(OnnxNode node) {
            double alpha = attrDouble(node, "alpha", 1f);
            return v -> v > 0 ? v : alpha * (Math.exp(v) - 1);
        }
    }
}
