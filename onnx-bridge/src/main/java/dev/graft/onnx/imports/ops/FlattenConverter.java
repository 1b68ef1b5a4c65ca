package dev.graft.onnx.imports.ops;

import dev.graft.onnx.imports.ImportContext;
import dev.graft.onnx.imports.OnnxNode;

import java.util.Arrays;
import java.util.Map;

/**
 * {@code Flatten} (opsets 1-17) to the matrix {@code [d0 * ... * d(axis-1), d(axis) * ... ]}. When
 * the first dimension is the batch only {@code axis = 1} (the default) is possible, as
 * {@code flatten}: each example becomes a vector; other axes would merge example axes into the batch
 * axis (or the batch into the features) and are rejected. Under batch axis NONE any axis is a
 * {@code reshape}. A constant input is flattened at import.
 */
public final class FlattenConverter extends OpConverter {
    public FlattenConverter() {
        super("Flatten", 1, 17, "ONNX Flatten as flatten (axis 1 of a batch) or reshape");
    }

    @Override
    public void convert(OnnxNode node, ImportContext ctx) {
        ImportContext.Value x = input(ctx, node, 0);
        long axis = node.attrInt("axis", 1);
        if (x.isConstant()) {
            Const c = Const.of(x.constant());
            long a = axis < 0 ? axis + c.rank() : axis;
            long outer = 1;
            for (int i = 0; i < a; i++) {
                outer *= c.shape[i];
            }
            ctx.bindConstant(out(node), c.reshape(outer, c.size() / Math.max(outer, 1)).toArray());
            return;
        }
        int full = fullRank(ctx, x);
        long a = axis < 0 ? axis + full : axis;
        if (a < 0 || a > full) {
            throw new IllegalArgumentException("axis " + axis + " is out of range for a tensor of rank " + full);
        }
        if (!ctx.batchFirst()) {
            long[] d = x.shape().dims();
            long outer = 1;
            for (int i = 0; i < a; i++) {
                outer *= d[i];
            }
            ctx.bind(out(node), reshape(ctx, x.node(), new long[] {outer, x.shape().size() / outer}, hint(node)), x.type());
            return;
        }
        if (a != 1) {
            throw new IllegalArgumentException("axis " + axis + " would flatten to [" + (a == 0 ? "1, batch * ..." : "batch * ..., ...")
                    + "], mixing the batch with the example axes; native import supports axis 1 (per-example shape "
                    + Arrays.toString(x.shape().dims()) + ") when the first dimension is the batch");
        }
        emit(ctx, node, "flatten", Map.of(), x.node(), Map.of());
    }
}
