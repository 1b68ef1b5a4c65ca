package dev.graft.onnx.imports.ops;

import dev.graft.onnx.imports.ImportContext;
import dev.graft.onnx.imports.OnnxNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code Concat} (opsets 7-17): of computed values along a non-batch axis as {@code concat} (axis
 * counted without the batch); of constants at import (shape arithmetic keeps the batch size marker);
 * a single computed input is passed through. Rejected: the batch axis, and mixing computed values
 * with constants.
 */
public final class ConcatConverter extends OpConverter {
    public ConcatConverter() {
        super("Concat", 7, 17, "ONNX Concat along a non-batch axis as concat, folded for constants");
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
        long axis = node.attrInt("axis", 0);
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
        if (in.stream().anyMatch(ImportContext.Value::isConstant)) {
            throw new IllegalArgumentException("Concat mixes computed values with constants " + in.stream().filter(ImportContext.Value::isConstant)
                    .map(ImportContext.Value::onnxName).toList() + "; native import concatenates computed values only");
        }
        if (in.size() == 1) {
            ctx.bind(out(node), in.get(0).node());
            return;
        }
        int a = exampleAxis(axis, fullRank(in.get(0)), "axis");
        emit(ctx, node, "concat", Map.of("axis", a), in.stream().map(ImportContext.Value::node).toList(), Map.of());
    }
}
