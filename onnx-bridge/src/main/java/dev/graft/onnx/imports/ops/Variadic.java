package dev.graft.onnx.imports.ops;

import dev.graft.onnx.imports.ImportContext;
import dev.graft.onnx.imports.OnnxNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.DoubleBinaryOperator;
import java.util.function.LongBinaryOperator;

/**
 * Variadic element-wise {@code Max}, {@code Min}, {@code Sum} and {@code Mean} (opsets 8-17): of
 * computed values of the same rank as {@code onnx-nary} ({@code Sum} of equal shapes as {@code add};
 * one input passes through); of constants at import. Rejected: computed values mixed with constants.
 */
public final class Variadic {
    private Variadic() {
    }

    abstract static class Nary extends OpConverter {
        private final DoubleBinaryOperator real;
        private final LongBinaryOperator integer;

        Nary(String opType, DoubleBinaryOperator real, LongBinaryOperator integer) {
            super(opType, 8, 17, "ONNX " + opType + " of computed values as onnx-nary, folded for constants");
            this.real = real;
            this.integer = integer;
        }

        @Override
        public void convert(OnnxNode node, ImportContext ctx) {
            List<ImportContext.Value> in = new ArrayList<>();
            for (int i = 0; i < node.inputs().size(); i++) {
                in.add(input(ctx, node, i));
            }
            String op = opType().toLowerCase(Locale.ROOT);
            if (in.stream().allMatch(ImportContext.Value::isConstant)) {
                Const acc = Const.of(in.get(0).constant());
                for (int i = 1; i < in.size(); i++) {
                    acc = Const.binary(acc, Const.of(in.get(i).constant()), real, integer, opType());
                }
                if (op.equals("mean")) {
                    int n = in.size();
                    acc = acc.map(v -> v / n, "Mean");
                }
                ctx.bindConstant(out(node), acc.toArray());
                return;
            }
            if (in.stream().anyMatch(ImportContext.Value::isConstant)) {
                throw new IllegalArgumentException(opType() + " mixes computed values with constants; native import handles computed values only");
            }
            if (in.size() == 1) {
                ctx.bind(out(node), in.get(0).node());
                return;
            }
            List<String> nodes = in.stream().map(ImportContext.Value::node).toList();
            if (op.equals("sum") && in.stream().allMatch(v -> v.shape().equals(in.get(0).shape()))) {
                emit(ctx, node, "add", Map.of(), nodes, Map.of());
                return;
            }
            emit(ctx, node, "onnx-nary", Map.of("op", op), nodes, Map.of());
        }
    }

    /** {@code Max}. */
    public static final class Max extends Nary {
        public Max() {
            super("Max", Math::max, Math::max);
        }
    }

    /** {@code Min}. */
    public static final class Min extends Nary {
        public Min() {
            super("Min", Math::min, Math::min);
        }
    }

    /** {@code Sum}. */
    public static final class Sum extends Nary {
        public Sum() {
            super("Sum", Double::sum, Long::sum);
        }
    }

    /** {@code Mean}. */
    public static final class Mean extends Nary {
        public Mean() {
            super("Mean", Double::sum, null);
        }
    }
}
