package dev.graft.onnx.imports.ops;

import dev.graft.onnx.imports.ImportContext;
import dev.graft.onnx.imports.OnnxNode;
import dev.graft.onnx.proto.ElementType;

import java.util.function.LongBinaryOperator;

/**
 * {@code And}, {@code Or} and {@code Xor} of bools (opsets 1-17, before opset 7 with the
 * {@code broadcast} / {@code axis} attributes of {@link Arithmetic}), which the graph carries as 0 and
 * 1: {@code a * b}, {@code a + b - a * b} and {@code a + b - 2 * a * b} in {@code onnx-binary} nodes;
 * on constants at import. {@code Not} is in {@link Unary}.
 */
public final class Logic {
    private Logic() {
    }

    abstract static class Bool extends OpConverter {
        private final LongBinaryOperator f;

        Bool(String opType, LongBinaryOperator f) {
            super(opType, 1, 17, "ONNX " + opType + " of bools (0 / 1) as onnx-binary arithmetic");
            this.f = f;
        }

        /** The value from the product {@code ab} of the operands (and the operands). */
        abstract String combine(ImportContext ctx, ImportContext.Value a, ImportContext.Value b, ImportContext.Value ab, String h);

        @Override
        public void convert(OnnxNode node, ImportContext ctx) {
            ImportContext.Value a = input(ctx, node, 0);
            ImportContext.Value b = input(ctx, node, 1);
            if (node.opset() < 7 && node.attrInt("broadcast", 0) != 0 && node.has("axis")) {
                throw new IllegalArgumentException("broadcast with an axis is not supported for " + opType());
            }
            if (a.isConstant() && b.isConstant()) {
                ctx.bindConstant(out(node), Const.binary(Const.of(a.constant()), Const.of(b.constant()), (p, q) -> f.applyAsLong((long) p, (long) q),
                        f, opType()).toArray());
                return;
            }
            String h = hint(node);
            ImportContext.Value ab = Arithmetic.value(ctx, Arithmetic.binary(ctx, "mul", a, b, h + "_and"), ElementType.BOOL);
            ctx.bind(out(node), combine(ctx, a, b, ab, h), ElementType.BOOL);
        }
    }

    /** {@code And}. */
    public static final class And extends Bool {
        public And() {
            super("And", (p, q) -> p != 0 && q != 0 ? 1 : 0);
        }

        @Override
        String combine(ImportContext ctx, ImportContext.Value a, ImportContext.Value b, ImportContext.Value ab, String h) {
            return ab.node();
        }
    }

    /** {@code Or}. */
    public static final class Or extends Bool {
        public Or() {
            super("Or", (p, q) -> p != 0 || q != 0 ? 1 : 0);
        }

        @Override
        String combine(ImportContext ctx, ImportContext.Value a, ImportContext.Value b, ImportContext.Value ab, String h) {
            ImportContext.Value sum = Arithmetic.value(ctx, Arithmetic.binary(ctx, "add", a, b, h + "_sum"), ElementType.BOOL);
            return Arithmetic.binary(ctx, "sub", sum, ab, h);
        }
    }

    /** {@code Xor}. */
    public static final class Xor extends Bool {
        public Xor() {
            super("Xor", (p, q) -> (p != 0) != (q != 0) ? 1 : 0);
        }

        @Override
        String combine(ImportContext ctx, ImportContext.Value a, ImportContext.Value b, ImportContext.Value ab, String h) {
            ImportContext.Value sum = Arithmetic.value(ctx, Arithmetic.binary(ctx, "add", a, b, h + "_sum"), ElementType.BOOL);
            ImportContext.Value twice = Arithmetic.value(ctx, Arithmetic.binary(ctx, "add", ab, ab, h + "_both"), ElementType.BOOL);
            return Arithmetic.binary(ctx, "sub", sum, twice, h);
        }
    }
}
