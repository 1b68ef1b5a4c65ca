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
 * Variadic element-wise {@code Max}, {@code Min}, {@code Sum} and {@code Mean} (opsets 1-17; before
 * opset 8 without broadcasting, which changes nothing for operands of equal shapes): of computed
 * values as {@code onnx-nary} ({@code Sum} of equal shapes as {@code add}; one input passes through),
 * constants among them becoming {@code onnx-constant} nodes; of constants only at import. Operands of
 * different ranks are reshaped to the highest rank under batch axis NONE and rejected when the first
 * dimension is the batch.
 */
public final class Variadic {
    private Variadic() {
    }

    abstract static class Nary extends OpConverter {
        private final DoubleBinaryOperator real;
        private final LongBinaryOperator integer;

        Nary(String opType, DoubleBinaryOperator real, LongBinaryOperator integer) {
            super(opType, 1, 17, "ONNX " + opType + " of computed values as onnx-nary, folded for constants");
            this.real = real;
            this.integer = integer;
        }

        @Override
        public void convert(OnnxNode node, ImportContext ctx) {
            List<ImportContext.Value> in = new ArrayList<>();
            for (int i = 0; i < node.inputs().size(); i++) {
                if (node.input(i).isPresent()) {
                    in.add(input(ctx, node, i));
                }
            }
            if (in.isEmpty()) {
                throw new IllegalArgumentException(opType() + " has no inputs");
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
            String h = hint(node);
            ImportContext.Value like = in.stream().filter(v -> !v.isConstant()).findFirst().orElseThrow();
            List<String> nodes = new ArrayList<>();
            int rank = 0;
            for (ImportContext.Value v : in) {
                String n = v.isConstant() ? promote(ctx, v, like, h + "_const") : v.node();
                nodes.add(n);
                rank = Math.max(rank, ctx.shapeOf(n).rank());
            }
            for (int i = 0; i < nodes.size(); i++) {
                long[] s = ctx.shapeOf(nodes.get(i)).dims();
                if (s.length != rank) {
                    if (ctx.batchFirst()) {
                        throw new IllegalArgumentException(opType() + " of per-example shapes of different ranks; ONNX broadcasting would line"
                                + " the batch axis of one up with an example axis of another");
                    }
                    nodes.set(i, reshape(ctx, nodes.get(i), Params.padTo(s, rank), h + "_up"));
                }
            }
            if (nodes.size() == 1) {
                ctx.bind(out(node), nodes.get(0));
                return;
            }
            boolean same = nodes.stream().allMatch(n -> ctx.shapeOf(n).equals(ctx.shapeOf(nodes.get(0))));
            if (op.equals("sum") && same) {
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
