package dev.graft.onnx.imports.ops;

import dev.graft.onnx.imports.ImportContext;
import dev.graft.onnx.imports.OnnxNode;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code Clip} (opsets 1-17): the bounds are the {@code min} / {@code max} attributes before opset 11
 * and the optional inputs from opset 11 ({@code ReLU6} is {@code Clip(0, 6)}). Constant bounds make an
 * {@code onnx-unary} clip; computed bounds (whole tensors, batch axis NONE) an {@code onnx-nary} max
 * with the lower bound and min with the upper one, where {@code min > max} gives {@code max} as ONNX
 * says. A constant input is clipped at import.
 */
public final class ClipConverter extends OpConverter {
    public ClipConverter() {
        super("Clip", 1, 17, "ONNX Clip (attribute and input forms) as onnx-unary clip, or onnx-nary max / min for computed bounds");
    }

    @Override
    public void convert(OnnxNode node, ImportContext ctx) {
        ImportContext.Value x = input(ctx, node, 0);
        Double min;
        Double max;
        if (node.opset() < 11) {
            min = node.has("min") ? attrDouble(node, "min", 0) : null;
            max = node.has("max") ? attrDouble(node, "max", 0) : null;
        } else {
            ImportContext.Value lo = node.input(1).isPresent() ? input(ctx, node, 1) : null;
            ImportContext.Value hi = node.input(2).isPresent() ? input(ctx, node, 2) : null;
            if ((lo != null && !lo.isConstant()) || (hi != null && !hi.isConstant())) {
                computedBounds(node, ctx, x, lo, hi);
                return;
            }
            min = lo == null ? null : Const.of(lo.constant()).scalar("min");
            max = hi == null ? null : Const.of(hi.constant()).scalar("max");
        }
        if (min != null && min <= -Float.MAX_VALUE) {
            min = null;
        }
        if (max != null && max >= Float.MAX_VALUE) {
            max = null;
        }
        if (x.isConstant()) {
            double lo = min == null ? Double.NEGATIVE_INFINITY : min;
            double hi = max == null ? Double.POSITIVE_INFINITY : max;
            ctx.bindConstant(out(node), Const.of(x.constant()).map(v -> Math.min(Math.max(v, lo), hi), "Clip of a constant").toArray());
            return;
        }
        if (min != null && max != null && min > max) {
            // ONNX: every output is max when min > max
            min = max;
        }
        Map<String, Object> config = new HashMap<>();
        config.put("op", "clip");
        if (min != null) {
            config.put("min", min);
        }
        if (max != null) {
            config.put("max", max);
        }
        emit(ctx, node, "onnx-unary", config, x.node(), Map.of());
    }

    private static void computedBounds(OnnxNode node, ImportContext ctx, ImportContext.Value x, ImportContext.Value lo, ImportContext.Value hi) {
        if (ctx.batchFirst() || x.isConstant()) {
            throw new IllegalArgumentException("computed bounds are supported for computed whole tensors (batch axis none) only");
        }
        String h = hint(node);
        int r = x.shape().rank();
        String y = x.node();
        if (lo != null) {
            y = ctx.emit("onnx-nary", Map.of("op", "max"), List.of(y, bound(ctx, lo, x, r, h + "_min")), Map.of(), h + "_lower");
        }
        if (hi != null) {
            y = ctx.emit("onnx-nary", Map.of("op", "min"), List.of(y, bound(ctx, hi, x, r, h + "_max")), Map.of(), h);
        }
        ctx.bind(out(node), y, x.type());
    }

    private static String bound(ImportContext ctx, ImportContext.Value v, ImportContext.Value x, int r, String h) {
        if (v.isConstant()) {
            Const c = Const.of(v.constant());
            long[] shape = Params.padTo(c.shape, r);
            return ctx.emit("onnx-constant", Map.of("shape", Params.list(shape), "trainable", false), List.of(x.node()),
                    Map.of("value", c.reshape(shape).toArray()), h);
        }
        return reshape(ctx, v.node(), Params.padTo(v.shape().dims(), r), h);
    }
}
