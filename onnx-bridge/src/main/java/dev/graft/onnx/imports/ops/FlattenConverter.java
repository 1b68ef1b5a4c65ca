package dev.graft.onnx.imports.ops;

import dev.graft.onnx.imports.ImportContext;
import dev.graft.onnx.imports.OnnxNode;

import java.util.Arrays;
import java.util.Map;

/**
 * {@code Flatten} (opsets 7-17) with {@code axis = 1} (the default) as {@code flatten}: each example
 * becomes a vector. Other axes would merge example axes into the batch axis (or the batch into the
 * features) and are rejected. A constant input is flattened at import.
 */
public final class FlattenConverter extends OpConverter {
    public FlattenConverter() {
        super("Flatten", 7, 17, "ONNX Flatten with axis 1 as flatten");
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
        int full = fullRank(x);
        long a = axis < 0 ? axis + full : axis;
        if (a != 1) {
            throw new IllegalArgumentException("axis " + axis + " would flatten to [" + (a == 0 ? "1, batch * ..." : "batch * ..., ...")
                    + "], mixing the batch with the example axes; native import supports axis 1 (per-example shape "
                    + Arrays.toString(x.shape().dims()) + ")");
        }
        emit(ctx, node, "flatten", Map.of(), x.node(), Map.of());
    }
}
