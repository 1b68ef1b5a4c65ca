package dev.graft.onnx.imports.ops;

import dev.graft.onnx.imports.ImportContext;
import dev.graft.onnx.imports.OnnxNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code Concat} (opsets 1-17; {@code axis} defaults to 1 before opset 4): of computed values as
 * {@code concat} (axis counted without the batch when the first dimension is the batch); constants
 * among them become {@code onnx-constant} nodes; of constants only at import (shape arithmetic keeps
 * the batch size marker); a single computed input is passed through. Rejected: the batch axis.
 */
public final class ConcatConverter extends OpConverter {
    public ConcatConverter() {
        super("Concat", 1, 17, "ONNX Concat as concat, folded for constants");
    }

    @Override
    public void convert(OnnxNode node, ImportContext ctx) {
        List<ImportContext.Value> in = new ArrayList<>();
        for (int i = 0; i < node.inputs().size(); i++) {
            if (node.input(i).isPresent()) {
                in.add(ctx.value(node.inputs().get(i)));
            }
        }
        if (in.isEmpty()) {
            throw new IllegalArgumentException("Concat has no inputs");
        }
        long axis = node.attrInt("axis", node.opset() < 4 ? 1 : 0);
        if (in.stream().allMatch(ImportContext.Value::isConstant)) {
            List<Const> parts = in.stream().map(v -> Const.of(v.constant())).toList();
            int r = parts.get(0).rank();
            long a = axis < 0 ? axis + r : axis;
            if (a < 0 || a >= r) {
                throw new IllegalArgumentException("axis " + axis + " is out of range for constants of rank " + r);
            }
            ctx.bindConstant(out(node), Const.concat(parts, (int) a).toArray());
            return;
        }
        ImportContext.Value like = in.stream().filter(v -> !v.isConstant()).findFirst().orElseThrow();
        int a = exampleAxis(ctx, axis, fullRank(ctx, like), "axis");
        List<String> nodes = new ArrayList<>();
        String h = hint(node);
        for (ImportContext.Value v : in) {
            if (v.isConstant()) {
                if (Const.of(v.constant()).size() == 0) {
                    continue;   // an empty part adds nothing
                }
                nodes.add(promote(ctx, v, like, h + "_const"));
            } else {
                nodes.add(v.node());
            }
        }
        if (nodes.size() == 1) {
            ctx.bind(out(node), nodes.get(0), like.type());
            return;
        }
        ctx.bind(out(node), ctx.emit("concat", Map.of("axis", a), nodes, Map.of(), h), like.type());
    }
}
