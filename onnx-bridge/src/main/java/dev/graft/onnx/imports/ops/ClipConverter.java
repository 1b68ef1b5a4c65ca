package dev.graft.onnx.imports.ops;

import dev.graft.onnx.imports.ImportContext;
import dev.graft.onnx.imports.OnnxNode;

import java.util.HashMap;
import java.util.Map;

/**
 * {@code Clip} (opsets 7-17) as {@code onnx-unary} clip: the bounds are the {@code min} / {@code max}
 * attributes before opset 11 and the optional constant inputs from opset 11 ({@code ReLU6} is
 * {@code Clip(0, 6)}). A constant input is clipped at import. Rejected: computed bounds.
 */
public final class ClipConverter extends OpConverter {
    public ClipConverter() {
        super("Clip", 7, 17, "ONNX Clip (attribute and input forms) as onnx-unary clip");
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
            org.nd4j.linalg.api.ndarray.INDArray lo = optionalConstant(ctx, node, 1, "min");
            org.nd4j.linalg.api.ndarray.INDArray hi = optionalConstant(ctx, node, 2, "max");
            min = lo == null ? null : Const.of(lo).scalar("min");
            max = hi == null ? null : Const.of(hi).scalar("max");
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
}
