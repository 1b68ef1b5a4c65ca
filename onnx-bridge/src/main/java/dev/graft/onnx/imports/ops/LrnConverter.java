package dev.graft.onnx.imports.ops;

import dev.graft.onnx.imports.ImportContext;
import dev.graft.onnx.imports.OnnxNode;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code LRN} (opsets 1-17), local response normalisation across channels:
 * {@code y = x / (bias + alpha / size * sum of x^2 over the size channels around)^beta}. The sum is an
 * {@code onnx-pool} average over the channel axis (moved last, the other axes merged into rows), times
 * {@code size}; the rest is {@code onnx-binary} / {@code onnx-unary} arithmetic. For whole tensors
 * (batch axis NONE) and for batches (the channel axis is then the first per-example axis).
 */
public final class LrnConverter extends OpConverter {
    public LrnConverter() {
        super("LRN", 1, 17, "ONNX LRN from an onnx-pool average over channels and element-wise nodes");
    }

    @Override
    public void convert(OnnxNode node, ImportContext ctx) {
        ImportContext.Value x = computed(ctx, node, 0, "the input");
        long size = node.attrInt("size", 0);
        if (size <= 0) {
            throw new IllegalArgumentException("size must be positive, got " + size);
        }
        double alpha = attrDouble(node, "alpha", 1e-4f);
        double beta = attrDouble(node, "beta", 0.75f);
        double bias = attrDouble(node, "bias", 1f);
        int b = batchAxes(ctx);
        long[] d = x.shape().dims();
        int c = 1 - b;
        if (d.length < c + 1) {
            throw new IllegalArgumentException("the input must be [N, C, ...], got " + dims(x.shape()));
        }
        String h = hint(node);
        String sq = ctx.emit("onnx-binary", Map.of("op", "mul"), List.of(x.node(), x.node()), Map.of(), h + "_sq");
        // [outer, C, inner] -> [outer * inner rows, 1, C]: the channel axis as the one spatial axis of a 1-D pooling
        long outer = 1;
        for (int i = 0; i < c; i++) {
            outer *= d[i];
        }
        long channels = d[c];
        long inner = x.shape().size() / outer / channels;
        String three = reshape(ctx, sq, new long[] {outer, channels, inner}, h + "_split");
        String last = ctx.emit("onnx-transpose", Map.of("perm", List.of(0, 2, 1)), List.of(three), Map.of(), h + "_channels_last");
        String rows = reshape(ctx, last, new long[] {outer * inner, 1, channels}, h + "_rows");
        String folded = ctx.emit("onnx-fold-batch", Map.of(), List.of(rows), Map.of(), h + "_fold");
        Map<String, Object> pool = new LinkedHashMap<>();
        pool.put("op", "avg");
        pool.put("kernel", List.of((int) size));
        pool.put("strides", List.of(1));
        pool.put("dilations", List.of(1));
        pool.put("pads", List.of((size - 1) / 2, size - 1 - (size - 1) / 2));
        String avg = ctx.emit("onnx-pool", pool, List.of(folded), Map.of(), h + "_window");
        String unfolded = ctx.emit("onnx-unfold-batch", Map.of("n", outer * inner), List.of(avg), Map.of(), h + "_unfold");
        String back = reshape(ctx, unfolded, new long[] {outer, inner, channels}, h + "_rows_back");
        String moved = ctx.emit("onnx-transpose", Map.of("perm", List.of(0, 2, 1)), List.of(back), Map.of(), h + "_channels_back");
        String sum = reshape(ctx, moved, d, h + "_sum");
        // bias + alpha / size * sum = bias + alpha * average
        String scaled = scalar(ctx, sum, "mul", alpha, h + "_alpha");
        String base = scalar(ctx, scaled, "add", bias, h + "_bias");
        String denom = scalar(ctx, base, "pow", beta, h + "_beta");
        emit(ctx, node, "onnx-binary", Map.of("op", "div"), List.of(x.node(), denom), Map.of());
    }

    private static String scalar(ImportContext ctx, String node, String op, double value, String h) {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("op", op);
        config.put("constant-shape", List.of(1L));
        config.put("trainable", false);
        return ctx.emit("onnx-binary", config, List.of(node), Map.of("c", Const.reals(new long[] {1}, new double[] {value},
                org.nd4j.linalg.api.buffer.DataType.FLOAT).toArray()), h);
    }
}
