package dev.graft.onnx.imports.ops;

import dev.graft.onnx.imports.ImportContext;
import dev.graft.onnx.imports.OnnxNode;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code CumSum} (opsets 11-17) as {@code onnx-cumsum}, with {@code exclusive} and {@code reverse};
 * {@code axis} a constant or an integer input known ahead. Rejected when the first dimension is the
 * batch: summing along it.
 */
public final class CumSumConverter extends OpConverter {
    public CumSumConverter() {
        super("CumSum", 11, 17, "ONNX CumSum as onnx-cumsum");
    }

    @Override
    public void convert(OnnxNode node, ImportContext ctx) {
        ImportContext.Value x = computed(ctx, node, 0, "the input");
        long axis = (long) Const.of(constant(ctx, node, 1, "axis")).scalar("axis");
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("axis", exampleAxis(ctx, axis, fullRank(ctx, x), "axis"));
        config.put("exclusive", node.attrInt("exclusive", 0) != 0);
        config.put("reverse", node.attrInt("reverse", 0) != 0);
        emit(ctx, node, "onnx-cumsum", config, x.node(), Map.of());
    }
}
