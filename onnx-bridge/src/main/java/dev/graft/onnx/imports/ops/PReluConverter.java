package dev.graft.onnx.imports.ops;

import dev.graft.onnx.imports.ImportContext;
import dev.graft.onnx.imports.OnnxNode;

import java.util.Map;

/**
 * {@code PRelu} (opsets 7-17) as {@code onnx-prelu}: the constant slope (broadcast against the input,
 * e.g. PyTorch's {@code [C, 1, 1]}) becomes the layer's trainable {@code slope}. Rejected: a computed
 * slope, and a slope with a row per batch example.
 */
public final class PReluConverter extends OpConverter {
    public PReluConverter() {
        super("PRelu", 7, 17, "ONNX PRelu with a constant slope as onnx-prelu");
    }

    @Override
    public void convert(OnnxNode node, ImportContext ctx) {
        ImportContext.Value x = computed(ctx, node, 0, "the input X");
        Const slope = Params.perExample(Const.of(constant(ctx, node, 1, "the slope")), x, "the slope");
        emit(ctx, node, "onnx-prelu", Map.of("slope-shape", Params.list(slope.shape)), x.node(), Map.of("slope", slope.toArray()));
    }
}
