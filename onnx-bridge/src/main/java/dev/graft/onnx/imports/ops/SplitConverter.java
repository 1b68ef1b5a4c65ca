package dev.graft.onnx.imports.ops;

import dev.graft.onnx.imports.ImportContext;
import dev.graft.onnx.imports.OnnxNode;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * {@code Split} (opsets 7-17): the part sizes are the {@code split} attribute before opset 13 and
 * the optional constant {@code split} input from 13; without them the axis is cut into as many equal
 * parts as the node has outputs. Of a constant, every part is computed at import; of a computed
 * value, each output is its own {@code onnx-slice} node along the (non-batch) axis, and a part that
 * is the whole axis is the input itself. Rejected: splitting the batch axis (when the first
 * dimension is the batch), sizes that do not add up to the axis, computed sizes.
 */
public final class SplitConverter extends OpConverter {
    public SplitConverter() {
        super("Split", 7, 17, "ONNX Split into onnx-slice nodes, one per output, folded for constants");
    }

    @Override
    public void convert(OnnxNode node, ImportContext ctx) {
        long axis = node.attrInt("axis", 0);
        long[] split;
        if (node.opset() < 13) {
            split = node.attrInts("split", null);
        } else {
            org.nd4j.linalg.api.ndarray.INDArray s = optionalConstant(ctx, node, 1, "split");
            split = s == null ? null : Const.of(s).noBatch("split").longs("split");
        }
        List<String> outs = node.outputs();
        if (BatchViews.split(node, ctx, axis, split)) {
            return;
        }
        ImportContext.Value x = input(ctx, node, 0);
        if (x.isConstant()) {
            Const c = Const.of(x.constant());
            int a = (int) (axis < 0 ? axis + c.rank() : axis);
            if (a < 0 || a >= c.rank()) {
                throw new IllegalArgumentException("axis " + axis + " is out of range for a constant of rank " + c.rank());
            }
            long[] sizes = sizes(split, c.shape[a], outs.size(), axis);
            long start = 0;
            for (int i = 0; i < outs.size(); i++) {
                Const part = c.slice(new int[] {a}, new long[] {start}, new long[] {start + sizes[i]}, new long[] {1});
                if (!outs.get(i).isEmpty()) {
                    ctx.bindConstant(outs.get(i), part.toArray());
                }
                start += sizes[i];
            }
            return;
        }
        int a = exampleAxis(ctx, axis, fullRank(ctx, x), "axis");
        long dim = x.shape().dim(a);
        long[] sizes = sizes(split, dim, outs.size(), axis);
        String h = hint(node);
        long start = 0;
        for (int i = 0; i < outs.size(); i++) {
            String out = outs.get(i);
            if (!out.isEmpty()) {
                if (sizes[i] == 0) {
                    throw new IllegalArgumentException("output " + i + " ('" + out + "') would be empty; native import has no empty values");
                }
                if (sizes[i] == dim) {
                    ctx.bind(out, x.node());
                } else {
                    String name = ctx.emit("onnx-slice", Map.of("axes", List.of(a), "starts", List.of(start), "ends", List.of(start + sizes[i])),
                            List.of(x.node()), Map.of(), h + "_" + i);
                    ctx.bind(out, name);
                }
            }
            start += sizes[i];
        }
    }

    /** The part sizes: as given (adding up to the axis), or equal parts. */
    static long[] sizes(long[] split, long dim, int parts, long axis) {
        if (split != null && split.length > 0) {
            if (split.length != parts) {
                throw new IllegalArgumentException("split " + Arrays.toString(split) + " gives " + split.length + " sizes for " + parts + " outputs");
            }
            if (Arrays.stream(split).anyMatch(s -> s < 0) || Arrays.stream(split).sum() != dim) {
                throw new IllegalArgumentException("split " + Arrays.toString(split) + " must be non-negative sizes adding up to " + dim
                        + ", the size of axis " + axis);
            }
            return split;
        }
        if (parts == 0 || dim % parts != 0) {
            throw new IllegalArgumentException("axis " + axis + " of size " + dim + " does not split into " + parts + " equal parts");
        }
        long[] out = new long[parts];
        Arrays.fill(out, dim / parts);
        return out;
    }
}
