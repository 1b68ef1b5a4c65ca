package dev.graft.onnx.imports.ops;

import dev.graft.onnx.imports.ImportContext;
import dev.graft.onnx.imports.OnnxNode;
import dev.graft.onnx.proto.ElementType;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code Equal}, {@code Less} and {@code Greater} (opsets 7-17) with broadcasting. Of two constants
 * at import (booleans as 1 / 0 integers, so shape arithmetic can use them); otherwise as
 * {@code onnx-compare}, whose 1 / 0 result has no gradient: a {@code Where}, a {@code Cast} to float
 * or arithmetic may read it; its type is bool. A constant operand becomes the layer's fixed parameter.
 * Under batch axis {@code NONE} an operand of lower rank is reshaped up first. Rejected: constants
 * that would stand for the batch size, and when the first dimension is the batch, computed operands
 * of different ranks.
 */
public final class Comparisons {
    private Comparisons() {
    }

    abstract static class Compare extends OpConverter {
        Compare(String opType) {
            super(opType, 7, 17, "ONNX " + opType + " as onnx-compare (1 / 0, no gradient), folded for constants");
        }

        abstract boolean test(double a, double b);

        @Override
        public void convert(OnnxNode node, ImportContext ctx) {
            ImportContext.Value a = input(ctx, node, 0);
            ImportContext.Value b = input(ctx, node, 1);
            String op = opType().toLowerCase(Locale.ROOT);
            if (a.isConstant() && b.isConstant()) {
                Const r = Const.binary(Const.of(a.constant()), Const.of(b.constant()), (p, q) -> test(p, q) ? 1 : 0,
                        (p, q) -> test(p, q) ? 1 : 0, opType());
                ctx.bindConstant(out(node), (r.isInt() ? r : r.cast(7)).toArray());
                return;
            }
            String h = hint(node);
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
                String y = ctx.emit("onnx-compare", Map.of("op", op), List.of(an, bn), Map.of(), h);
                ctx.bind(out(node), y, ElementType.BOOL);
                return;
            }
            boolean constantFirst = a.isConstant();
            ImportContext.Value x = constantFirst ? b : a;
            Const c = Params.perExample(ctx, Const.of((constantFirst ? a : b).constant()), x, "the constant operand");
            if (c.isInt()) {
                c = Const.reals(c.shape, c.doubles("the constant operand"), org.nd4j.linalg.api.buffer.DataType.FLOAT);
            }
            String xn = x.node();
            if (c.rank() > x.shape().rank()) {
                xn = reshape(ctx, xn, Params.padTo(x.shape().dims(), c.rank()), h + "_up");
            }
            Map<String, Object> config = new LinkedHashMap<>();
            config.put("op", op);
            config.put("constant-shape", Params.list(c.shape));
            config.put("constant-first", constantFirst);
            String y = ctx.emit("onnx-compare", config, List.of(xn), Map.of("c", c.toArray()), h);
            ctx.bind(out(node), y, ElementType.BOOL);
        }
    }

    /** {@code Equal}. */
    public static final class Equal extends Compare {
        public Equal() {
            super("Equal");
        }

        @Override
        boolean test(double a, double b) {
            return a == b;
        }
    }

    /** {@code Less}. */
    public static final class Less extends Compare {
        public Less() {
            super("Less");
        }

        @Override
        boolean test(double a, double b) {
            return a < b;
        }
    }

    /** {@code Greater}. */
    public static final class Greater extends Compare {
        public Greater() {
            super("Greater");
        }

        @Override
        boolean test(double a, double b) {
            return a > b;
        }
    }
}
