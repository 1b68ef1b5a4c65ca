package dev.graft.onnx.imports.ops;

import dev.graft.onnx.imports.ImportContext;
import dev.graft.onnx.imports.OnnxNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code InstanceNormalization} (opsets 1-17): each channel of each example normalised over its
 * spatial axes, {@code scale * (x - mean) / sqrt(variance + epsilon) + B}, written out as
 * {@code onnx-reduce}, {@code onnx-binary} and {@code onnx-unary} nodes; a constant scale and bias
 * become trainable {@code onnx-binary} constants. {@code consumed_inputs} (opset 1) is ignored.
 */
public final class InstanceNormalizationConverter extends OpConverter {
    public InstanceNormalizationConverter() {
        super("InstanceNormalization", 1, 17, "ONNX InstanceNormalization as reduce and element-wise nodes");
    }

    @Override
    public void convert(OnnxNode node, ImportContext ctx) {
        ImportContext.Value x = computed(ctx, node, 0, "the input");
        int b = batchAxes(ctx);
        int r = x.shape().rank();
        int channel = 1 - b;
        if (r < channel + 2) {
            throw new IllegalArgumentException("the input must be [N, C, spatial...], got " + (b == 1 ? "per-example " : "") + dims(x.shape()));
        }
        String h = hint(node);
        List<Integer> axes = new ArrayList<>();
        for (int i = channel + 1; i < r; i++) {
            axes.add(i);
        }
        String mean = ctx.emit("onnx-reduce", Map.of("op", "mean", "axes", axes, "keepdims", true), List.of(x.node()), Map.of(), h + "_mean");
        String centred = ctx.emit("onnx-binary", Map.of("op", "sub"), List.of(x.node(), mean), Map.of(), h + "_centred");
        String sq = ctx.emit("onnx-binary", Map.of("op", "mul"), List.of(centred, centred), Map.of(), h + "_sq");
        String var = ctx.emit("onnx-reduce", Map.of("op", "mean", "axes", axes, "keepdims", true), List.of(sq), Map.of(), h + "_var");
        Map<String, Object> plusEps = new LinkedHashMap<>();
        plusEps.put("op", "add");
        plusEps.put("constant-shape", List.of(1L));
        plusEps.put("trainable", false);
        String ve = ctx.emit("onnx-binary", plusEps, List.of(var), Map.of("c", Const.reals(new long[] {1},
                new double[] {attrDouble(node, "epsilon", 1e-5f)}, org.nd4j.linalg.api.buffer.DataType.FLOAT).toArray()), h + "_eps");
        String std = ctx.emit("onnx-unary", Map.of("op", "sqrt"), List.of(ve), Map.of(), h + "_std");
        ImportContext.Value normalised = Arithmetic.value(ctx, ctx.emit("onnx-binary", Map.of("op", "div"), List.of(centred, std), Map.of(),
                h + "_normalised"), x.type());
        ImportContext.Value scaled = Arithmetic.value(ctx, Arithmetic.binary(ctx, "mul", normalised, perChannel(ctx, input(ctx, node, 1), r, b),
                h + "_scaled"), x.type());
        ctx.bind(out(node), Arithmetic.binary(ctx, "add", scaled, perChannel(ctx, input(ctx, node, 2), r, b), h), x.type());
    }

    /** A [C] scale or bias as a value that broadcasts against X: [C, 1, ...] (the ONNX shape without the batch axis). */
    private static ImportContext.Value perChannel(ImportContext ctx, ImportContext.Value v, int rank, int b) {
        int full = rank + b;
        long[] target = new long[full - 1];
        java.util.Arrays.fill(target, 1);
        if (v.isConstant()) {
            Const c = Const.of(v.constant());
            target[0] = c.size();
            return new ImportContext.Value(v.onnxName(), null, null, c.reshape(target).toArray(), v.type());
        }
        if (v.shape().rank() != 1 || b == 1) {
            throw new IllegalArgumentException("a computed scale or bias is supported as a [C] whole tensor (batch axis none)");
        }
        target[0] = v.shape().dim(0);
        String n = reshape(ctx, v.node(), target, v.onnxName() + "_channels");
        return Arithmetic.value(ctx, n, v.type());
    }
}
