package dev.graft.onnx.imports.ops;

import dev.graft.onnx.imports.ImportContext;
import dev.graft.onnx.imports.OnnxNode;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code Pad} (opsets 1-17: {@code paddings} and {@code value} attributes in opset 1, {@code pads}
 * and {@code value} to opset 10, inputs from 11) of a computed value. {@code constant} mode is an
 * {@code onnx-pad}; {@code edge} and {@code reflect} are built from {@code onnx-slice},
 * {@code onnx-reverse} and {@code concat} nodes, one axis at a time; negative pads crop with an
 * {@code onnx-slice}. No padding at all passes the input through (PyTorch puts a zero {@code Pad}
 * before every average pooling). Rejected: padding the batch axis when the first dimension is the
 * batch, computed pads, and {@code reflect} pads as large as the axis.
 */
public final class PadConverter extends OpConverter {
    public PadConverter() {
        super("Pad", 1, 17, "ONNX Pad (constant, edge and reflect modes) as onnx-pad or slices and concatenations");
    }

    @Override
    public String unsupported(OnnxNode node) {
        String mode = node.attrString("mode", "constant");
        return mode.equals("constant") || mode.equals("edge") || mode.equals("reflect") ? null
                : "mode '" + mode + "' (native import pads in constant, edge and reflect modes)";
    }

    @Override
    public void convert(OnnxNode node, ImportContext ctx) {
        ImportContext.Value x = computed(ctx, node, 0, "the data");
        String mode = node.attrString("mode", "constant");
        long[] pads;
        double value;
        ImportContext.Value computedValue = null;
        if (node.opset() < 11) {
            pads = node.attrInts(node.opset() < 2 ? "paddings" : "pads", null);
            value = attrDouble(node, "value", 0f);
        } else {
            pads = Const.of(constant(ctx, node, 1, "pads")).noBatch("pads").longs("pads");
            ImportContext.Value v = node.input(2).isPresent() ? input(ctx, node, 2) : null;
            if (v != null && !v.isConstant() && ctx.fold(v.onnxName()) == null) {
                computedValue = v;
                value = 0;
            } else {
                org.nd4j.linalg.api.ndarray.INDArray c = optionalConstant(ctx, node, 2, "constant_value");
                value = c == null ? 0 : Const.of(c).scalar("constant_value");
            }
        }
        int r = fullRank(ctx, x);
        int b = batchAxes(ctx);
        if (pads == null || pads.length != 2 * r) {
            throw new IllegalArgumentException("pads " + Arrays.toString(pads) + " must have " + 2 * r + " entries");
        }
        if (b == 1 && (pads[0] != 0 || pads[r] != 0)) {
            throw new IllegalArgumentException("pads " + Arrays.toString(pads) + " pad the batch axis");
        }
        int n = r - b;
        long[] before = new long[n];
        long[] after = new long[n];
        for (int i = 0; i < n; i++) {
            before[i] = pads[b + i];
            after[i] = pads[r + b + i];
        }
        String h = hint(node);
        String y = x.node();
        // crop first
        List<Integer> cropAxes = new ArrayList<>();
        List<Long> cropStarts = new ArrayList<>();
        List<Long> cropEnds = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (before[i] < 0 || after[i] < 0) {
                long dim = x.shape().dim(i);
                long s = Math.max(0, -before[i]);
                long e = dim - Math.max(0, -after[i]);
                if (e <= s) {
                    throw new IllegalArgumentException("pads " + Arrays.toString(pads) + " crop axis " + (i + b) + " (size " + dim + ") to nothing");
                }
                cropAxes.add(i);
                cropStarts.add(s);
                cropEnds.add(e);
                before[i] = Math.max(0, before[i]);
                after[i] = Math.max(0, after[i]);
            }
        }
        if (!cropAxes.isEmpty()) {
            y = ctx.emit("onnx-slice", Map.of("axes", cropAxes, "starts", cropStarts, "ends", cropEnds), List.of(y), Map.of(), h + "_crop");
        }
        boolean any = Arrays.stream(before).anyMatch(p -> p > 0) || Arrays.stream(after).anyMatch(p -> p > 0);
        if (!any) {
            ctx.bind(out(node), y, x.type());
            return;
        }
        if (mode.equals("constant")) {
            List<Integer> perExample = new ArrayList<>();
            for (long p : before) {
                perExample.add((int) p);
            }
            for (long p : after) {
                perExample.add((int) p);
            }
            Map<String, Object> config = new LinkedHashMap<>();
            config.put("pads", perExample);
            config.put("value", value);
            String padded = ctx.emit("onnx-pad", config, List.of(y), Map.of(), h);
            if (computedValue != null) {
                padded = fillComputed(ctx, y, padded, config, computedValue, h);
            }
            ctx.bind(out(node), padded, x.type());
            return;
        }
        boolean reflect = mode.equals("reflect");
        for (int i = 0; i < n; i++) {
            if (before[i] == 0 && after[i] == 0) {
                continue;
            }
            long dim = ctx.shapeOf(y).dim(i);
            if (reflect && (before[i] >= dim || after[i] >= dim)) {
                throw new IllegalArgumentException("reflect pads " + Arrays.toString(pads) + " reach past the edge of axis " + (i + b)
                        + " (size " + dim + ")");
            }
            List<String> parts = new ArrayList<>();
            if (before[i] > 0) {
                parts.addAll(border(ctx, y, i, before[i], true, reflect, dim, h));
            }
            parts.add(y);
            if (after[i] > 0) {
                parts.addAll(border(ctx, y, i, after[i], false, reflect, dim, h));
            }
            y = ctx.emit("concat", Map.of("axis", i), parts, Map.of(), h + "_axis" + i);
        }
        ctx.bind(out(node), y, x.type());
    }

    /**
     * {@code padded} (padded with 0) plus a computed padding value where the padding is: the value
     * times {@code 1 - pad(ones)}, so the inside keeps its values whatever the padding value is.
     */
    private static String fillComputed(ImportContext ctx, String y, String padded, Map<String, Object> config, ImportContext.Value value,
                                       String h) {
        if (value.shape().size() != 1) {
            throw new IllegalArgumentException("constant_value must be a single value, got shape " + dims(value.shape()));
        }
        dev.graft.api.Shape s = ctx.shapeOf(y);
        long n = s.size();
        double[] ones = new double[(int) n];
        java.util.Arrays.fill(ones, 1);
        String one = ctx.emit("onnx-constant", Map.of("shape", Params.list(s.dims()), "trainable", false), List.of(y),
                Map.of("value", Const.reals(s.dims(), ones, org.nd4j.linalg.api.buffer.DataType.FLOAT).toArray()), h + "_inside");
        String inside = ctx.emit("onnx-pad", config, List.of(one), Map.of(), h + "_inside_padded");
        Map<String, Object> flip = new LinkedHashMap<>();
        flip.put("op", "sub");
        flip.put("constant-shape", List.of(1L));
        flip.put("constant-first", true);
        flip.put("trainable", false);
        String outside = ctx.emit("onnx-binary", flip, List.of(inside), Map.of("c", Const.reals(new long[] {1}, new double[] {1},
                org.nd4j.linalg.api.buffer.DataType.FLOAT).toArray()), h + "_outside");
        int r = ctx.shapeOf(outside).rank();
        String v = reshape(ctx, value.node(), Params.padTo(new long[0], r), h + "_value");
        String fill = ctx.emit("onnx-binary", Map.of("op", "mul"), List.of(outside, v), Map.of(), h + "_fill");
        return ctx.emit("onnx-binary", Map.of("op", "add"), List.of(padded, fill), Map.of(), h + "_filled");
    }

    /** The nodes that make up the padding of {@code count} elements at one end of axis {@code i}. */
    private static List<String> border(ImportContext ctx, String y, int i, long count, boolean start, boolean reflect, long dim, String h) {
        if (reflect) {
            // before: x[count], ..., x[1]; after: x[dim - 2], ..., x[dim - 1 - count]
            long lo = start ? 1 : dim - 1 - count;
            long hi = start ? count + 1 : dim - 1;
            String s = ctx.emit("onnx-slice", Map.of("axes", List.of(i), "starts", List.of(lo), "ends", List.of(hi)), List.of(y), Map.of(),
                    h + "_reflect");
            return List.of(ctx.emit("onnx-reverse", Map.of("axes", List.of(i)), List.of(s), Map.of(), h + "_reflect"));
        }
        long at = start ? 0 : dim - 1;
        String edge = dim == 1 ? y : ctx.emit("onnx-slice", Map.of("axes", List.of(i), "starts", List.of(at), "ends", List.of(at + 1)),
                List.of(y), Map.of(), h + "_edge");
        List<String> out = new ArrayList<>();
        for (long k = 0; k < count; k++) {
            out.add(edge);
        }
        return out;
    }
}
