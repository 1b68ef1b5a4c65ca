package dev.graft.onnx.imports.ops;

import dev.graft.onnx.imports.ImportContext;
import dev.graft.onnx.imports.OnnxNode;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.DoubleBinaryOperator;
import java.util.function.LongBinaryOperator;

/**
 * Element-wise {@code Add}, {@code Sub}, {@code Mul}, {@code Div} and {@code Pow} (opsets 7-17) with
 * ONNX broadcasting.
 *
 * <ul>
 *   <li>Two constants: computed at import (shape arithmetic; integer division truncates).</li>
 *   <li>A computed value and a constant: {@code onnx-binary} with the constant as its parameter
 *       {@code c} (trainable, except a {@code Pow} exponent), without a leading axis that lines up with
 *       the batch axis (which must be 1).</li>
 *   <li>Two computed values of the same rank: {@code add} when an {@code Add} has equal shapes,
 *       else {@code onnx-binary} of two inputs.</li>
 * </ul>
 * Rejected: constants with more axes than the computed operand or a row per batch example, and
 * computed operands of different ranks (their batch axes would not line up).
 */
public final class Arithmetic {
    private Arithmetic() {
    }

    abstract static class Binary extends OpConverter {
        private final DoubleBinaryOperator real;
        private final LongBinaryOperator integer;

        Binary(String opType, DoubleBinaryOperator real, LongBinaryOperator integer) {
            super(opType, 7, 17, "ONNX " + opType + " with broadcasting as onnx-binary (or add), folded when both operands are constants");
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
            if (a.isConstant() && b.isConstant()) {
                if (BatchViews.foldBatchArithmetic(node, ctx, Const.of(a.constant()), Const.of(b.constant()))) {
                    return;
                }
                ctx.bindConstant(out(node), Const.binary(Const.of(a.constant()), Const.of(b.constant()), real, integer, opType()).toArray());
                return;
            }
            if (!a.isConstant() && !b.isConstant()) {
                if (a.shape().rank() != b.shape().rank()) {
                    throw new IllegalArgumentException("the operands have per-example shapes " + dims(a.shape()) + " and " + dims(b.shape())
                            + "; ONNX broadcasting of different ranks would line the batch axis of one up with an example axis of the other");
                }
                if (op.equals("add") && a.shape().equals(b.shape())) {
                    emit(ctx, node, "add", Map.of(), List.of(a.node(), b.node()), Map.of());
                } else {
                    emit(ctx, node, "onnx-binary", Map.of("op", op), List.of(a.node(), b.node()), Map.of());
                }
                return;
            }
            boolean constantFirst = a.isConstant();
            ImportContext.Value x = constantFirst ? b : a;
            Const c = Params.perExample(Const.of((constantFirst ? a : b).constant()), x, "the constant operand");
            Map<String, Object> config = new LinkedHashMap<>();
            config.put("op", op);
            config.put("constant-shape", Params.list(c.shape));
            config.put("constant-first", constantFirst);
            config.put("trainable", !op.equals("pow"));
            emit(ctx, node, "onnx-binary", config, x.node(), Map.of("c", c.toArray()));
        }
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
