package dev.graft.onnx.imports.ops;

import dev.graft.onnx.imports.ImportContext;
import dev.graft.onnx.imports.OnnxNode;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code Pad} (opsets 7-17) in {@code constant} mode on the non-batch axes of a computed value, as
 * {@code onnx-pad} ({@code pads} and {@code value} attributes before opset 11, inputs from 11); no
 * padding at all passes the input through (PyTorch puts a zero {@code Pad} before every average
 * pooling). Rejected: other modes, negative pads (cropping), padding the batch axis, computed pads.
 */
public final class PadConverter extends OpConverter {
    public PadConverter() {
        super("Pad", 7, 17, "ONNX Pad (constant mode, non-batch axes) as onnx-pad");
    }

    @Override
    public void convert(OnnxNode node, ImportContext ctx) {
        ImportContext.Value x = computed(ctx, node, 0, "the data");
        String mode = node.attrString("mode", "constant");
        if (!mode.equals("constant")) {
            throw new IllegalArgumentException("mode '" + mode + "' is not supported; native import pads with a constant");
        }
        long[] pads;
        double value;
        if (node.opset() < 11) {
            pads = node.attrInts("pads", null);
            value = attrDouble(node, "value", 0f);
        } else {
            pads = Const.of(constant(ctx, node, 1, "pads")).noBatch("pads").longs("pads");
            org.nd4j.linalg.api.ndarray.INDArray v = optionalConstant(ctx, node, 2, "constant_value");
            value = v == null ? 0 : Const.of(v).scalar("constant_value");
        }
        int r = fullRank(x);
        if (pads == null || pads.length != 2 * r) {
            throw new IllegalArgumentException("pads " + Arrays.toString(pads) + " must have " + 2 * r + " entries");
        }
        if (Arrays.stream(pads).anyMatch(p -> p < 0)) {
            throw new IllegalArgumentException("negative pads " + Arrays.toString(pads) + " (cropping) are not supported");
        }
        if (pads[0] != 0 || pads[r] != 0) {
            throw new IllegalArgumentException("pads " + Arrays.toString(pads) + " pad the batch axis");
        }
        if (Arrays.stream(pads).allMatch(p -> p == 0)) {
            ctx.bind(out(node), x.node());
            return;
        }
        List<Integer> perExample = new ArrayList<>();
        for (int i = 1; i < r; i++) {
            perExample.add((int) pads[i]);
        }
        for (int i = 1; i < r; i++) {
            perExample.add((int) pads[r + i]);
        }
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("pads", perExample);
        config.put("value", value);
        emit(ctx, node, "onnx-pad", config, x.node(), Map.of());
    }
}
