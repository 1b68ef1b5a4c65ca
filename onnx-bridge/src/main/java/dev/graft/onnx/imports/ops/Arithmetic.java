package dev.graft.onnx.imports.ops;

import dev.graft.onnx.imports.ImportContext;
import dev.graft.onnx.imports.OnnxNode;
import dev.graft.onnx.proto.ElementType;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.DoubleBinaryOperator;
import java.util.function.LongBinaryOperator;

import static dev.graft.onnx.imports.ops.OpConverter.dims;
import static dev.graft.onnx.imports.ops.OpConverter.reshape;

/**
 * Element-wise {@code Add}, {@code Sub}, {@code Mul}, {@code Div} and {@code Pow} (opsets 1-17) with
 * ONNX broadcasting.
 *
 * <ul>
 *   <li>Two constants: computed at import (shape arithmetic; integer division truncates).</li>
 *   <li>A computed value and a constant: {@code onnx-binary} with the constant as its parameter
 *       {@code c} (trainable, except a {@code Pow} exponent). When the first dimension is the batch, a
 *       leading axis of the constant that lines up with the batch axis must be 1 and is dropped.</li>
 *   <li>Two computed values: {@code add} when an {@code Add} has equal shapes, else {@code onnx-binary}
 *       of two inputs (under batch axis NONE the operand of lower rank is reshaped up first).</li>
 *   <li>Before opset 7, {@code broadcast = 1} with an {@code axis} aligns the second operand's axes
 *       with the first's from {@code axis}; without {@code broadcast} the shapes must be equal.</li>
 *   <li>A {@code Div} of integers truncates (an {@code onnx-unary} trunc after the division, as the
 *       graph computes in float32).</li>
 * </ul>
 * Rejected when the first dimension is the batch: constants with more axes than the computed operand
 * or a row per batch example, and computed operands of different ranks.
 */
public final class Arithmetic {
    private Arithmetic() {
    }

    abstract static class Binary extends OpConverter {
        private final DoubleBinaryOperator real;
        private final LongBinaryOperator integer;

        Binary(String opType, DoubleBinaryOperator real, LongBinaryOperator integer) {
            super(opType, 1, 17, "ONNX " + opType + " with broadcasting as onnx-binary (or add), folded when both operands are constants");
            this.real = real;
            this.integer = integer;
        }

        @Override
        public void convert(OnnxNode node, ImportContext ctx) {
            String op = opType().toLowerCase(Locale.ROOT);
            if (BatchViews.binary(node, ctx, op)) {
                return;
            }
            ImportContext.Value a = input(ctx, node, 0);
            ImportContext.Value b = input(ctx, node, 1);
            boolean integral = a.isIntegral() && b.isIntegral();
            if (node.opset() < 7) {
                b = legacyBroadcast(node, ctx, a, b);
            }
            if (a.isConstant() && b.isConstant()) {
                if (BatchViews.foldBatchArithmetic(node, ctx, Const.of(a.constant()), Const.of(b.constant()))) {
                    return;
                }
                ctx.bindConstant(out(node), Const.binary(Const.of(a.constant()), Const.of(b.constant()), real, integer, opType()).toArray());
                return;
            }
            String h = hint(node);
            String y = binary(ctx, op, a, b, h);
            if (op.equals("div") && integral) {
                y = ctx.emit("onnx-unary", Map.of("op", "trunc"), List.of(y), Map.of(), h + "_trunc");
            }
            ctx.bind(out(node), y, a.type());
        }

        /**
         * The second operand as opsets 1-6 broadcast it: with {@code broadcast = 1} and an {@code axis},
         * its axes line up with the first operand's from {@code axis} (a reshape adds the 1s around
         * them); with {@code broadcast = 1} and no axis, NumPy's alignment at the last axes; without
         * {@code broadcast} the shapes must be equal.
         */
        private static ImportContext.Value legacyBroadcast(OnnxNode node, ImportContext ctx, ImportContext.Value a, ImportContext.Value b) {
            long[] as = a.isConstant() ? a.constant().shape() : onnxShape(ctx, a, 1);
            long[] bs = b.isConstant() ? b.constant().shape() : onnxShape(ctx, b, 1);
            if (node.attrInt("broadcast", 0) == 0) {
                if (!Arrays.equals(as, bs)) {
                    throw new IllegalArgumentException("without broadcast = 1 the operands must have equal shapes, got " + Arrays.toString(as)
                            + " and " + Arrays.toString(bs));
                }
                return b;
            }
            if (!node.has("axis")) {
                return b;
            }
            long axis = node.attrInt("axis", 0);
            int r = as.length;
            long start = axis < 0 ? axis + r : axis;
            if (start < 0 || start + bs.length > r) {
                throw new IllegalArgumentException("axis " + axis + " does not fit a second operand of shape " + Arrays.toString(bs)
                        + " to a first of shape " + Arrays.toString(as));
            }
            long[] aligned = new long[r - (int) start];
            Arrays.fill(aligned, 1);
            System.arraycopy(bs, 0, aligned, 0, bs.length);
            if (b.isConstant()) {
                return new ImportContext.Value(b.onnxName(), null, null, Const.of(b.constant()).reshape(aligned).toArray(), b.type());
            }
            if (ctx.batchFirst()) {
                throw new IllegalArgumentException("broadcast with axis " + axis + " of a computed second operand; native import supports it"
                        + " for constants, or for whole tensors (batch axis none)");
            }
            String n = reshape(ctx, b.node(), aligned, hint(node) + "_axis");
            return new ImportContext.Value(b.onnxName(), n, ctx.shapeOf(n), null, b.type());
        }
    }

    /**
     * {@code a op b} with ONNX broadcasting as a Graft node, for operands of which at least one is
     * computed: {@code add} for an {@code add} of equal shapes, else {@code onnx-binary} of two inputs or
     * of an input and a constant parameter {@code c} (trainable unless {@code op} is pow). Under batch
     * axis NONE an operand of lower rank is reshaped up first.
     */
    static String binary(ImportContext ctx, String op, ImportContext.Value a, ImportContext.Value b, String h) {
        if (!a.isConstant() && !b.isConstant()) {
            String an = a.node();
            String bn = b.node();
            if (a.shape().rank() != b.shape().rank()) {
                if (ctx.batchFirst()) {
                    throw new IllegalArgumentException("the operands have per-example shapes " + dims(a.shape()) + " and " + dims(b.shape())
                            + "; ONNX broadcasting of different ranks would line the batch axis of one up with an example axis of the other");
                }
                int r = Math.max(a.shape().rank(), b.shape().rank());
                an = reshape(ctx, an, Params.padTo(a.shape().dims(), r), h + "_a");
                bn = reshape(ctx, bn, Params.padTo(b.shape().dims(), r), h + "_b");
            }
            if (op.equals("add") && a.shape().equals(b.shape())) {
                return ctx.emit("add", Map.of(), List.of(an, bn), Map.of(), h);
            }
            return ctx.emit("onnx-binary", Map.of("op", op), List.of(an, bn), Map.of(), h);
        }
        if (a.isConstant() && b.isConstant()) {
            throw new IllegalStateException("binary: both operands are constants");
        }
        boolean constantFirst = a.isConstant();
        ImportContext.Value x = constantFirst ? b : a;
        Const c = Params.perExample(ctx, Const.of((constantFirst ? a : b).constant()), x, "the constant operand");
        String xn = x.node();
        // a scalar with a scalar (a summed loss divided by a count, say): computed on [1], the result reshaped back to []
        boolean scalars = c.rank() == 0 && x.shape().rank() == 0;
        if (scalars) {
            c = c.reshape(1);
        }
        if (c.rank() > x.shape().rank()) {
            xn = reshape(ctx, xn, Params.padTo(x.shape().dims(), c.rank()), h + "_up");
        }
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("op", op);
        config.put("constant-shape", Params.list(c.shape));
        config.put("constant-first", constantFirst);
        config.put("trainable", !op.equals("pow"));
        String y = ctx.emit("onnx-binary", config, List.of(xn), Map.of("c", c.toArray()), h);
        return scalars ? reshape(ctx, y, new long[0], h + "_scalar") : y;
    }

    /** A Graft node as a value of the import (for chaining {@link #binary}). */
    static ImportContext.Value value(ImportContext ctx, String node, ElementType type) {
        return new ImportContext.Value(node, node, ctx.shapeOf(node), null, type);
    }

    /** {@code Add}. */
    public static final class Add extends Binary {
        public Add() {
            super("Add", Double::sum, Long::sum);
        }
    }

    /** {@code Sub}. */
    public static final class Sub extends Binary {
        public Sub() {
            super("Sub", (p, q) -> p - q, (p, q) -> p - q);
        }
    }

    /** {@code Mul}. */
    public static final class Mul extends Binary {
        public Mul() {
            super("Mul", (p, q) -> p * q, (p, q) -> p * q);
        }
    }

    /** {@code Div}. */
    public static final class Div extends Binary {
        public Div() {
            super("Div", (p, q) -> p / q, (p, q) -> {
                if (q == 0) {
                    throw new IllegalArgumentException("integer division by zero in a constant");
                }
                return p / q;
            });
        }
    }

    /** {@code Pow}. */
    public static final class Pow extends Binary {
        public Pow() {
            super("Pow", Math::pow, (p, q) -> (long) Math.pow(p, q));
        }
    }
}
