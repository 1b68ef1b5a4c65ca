package dev.graft.onnx.imports.ops;

import dev.graft.api.Shape;
import dev.graft.onnx.imports.ImportContext;
import dev.graft.onnx.imports.OnnxNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;


import static dev.graft.onnx.imports.ops.OpConverter.computed;
import static dev.graft.onnx.imports.ops.OpConverter.dims;
import static dev.graft.onnx.imports.ops.OpConverter.emit;
import static dev.graft.onnx.imports.ops.OpConverter.exampleAxis;
import static dev.graft.onnx.imports.ops.OpConverter.fullRank;
import static dev.graft.onnx.imports.ops.OpConverter.hint;

/**
 * {@code Softmax} and {@code LogSoftmax} (opsets 1-17) as {@code softmax} / {@code log-softmax}, which
 * normalise over the last axis.
 *
 * <ul>
 *   <li>Opset 13 and later normalise along {@code axis} (default -1): the last axis maps directly;
 *       another (non-batch) axis is swapped to the end with {@code onnx-transpose} and back.</li>
 *   <li>Before opset 13, {@code axis} (default 1) splits the tensor into a 2-D {@code [outer, inner]}
 *       matrix and normalises each row of {@code inner} values: the last axis (e.g. axis 1 of a
 *       {@code [batch, classes]} tensor) maps directly, an earlier one becomes a {@code reshape} to
 *       that matrix per example, the softmax, and a {@code reshape} back.</li>
 * </ul>
 * Rejected when the first dimension is the batch: normalising along it.
 */
public final class Softmaxes {
    private Softmaxes() {
    }

    /** {@code Softmax}. */
    public static final class Softmax extends OpConverter {
        public Softmax() {
            super("Softmax", 1, 17, "ONNX Softmax as softmax over the last axis (any axis with reshapes or transposes)");
        }

        @Override
        public void convert(OnnxNode node, ImportContext ctx) {
            convertSoftmax(node, ctx, "softmax");
        }
    }

    /** {@code LogSoftmax}. */
    public static final class LogSoftmax extends OpConverter {
        public LogSoftmax() {
            super("LogSoftmax", 1, 17, "ONNX LogSoftmax as log-softmax over the last axis (any axis with reshapes or transposes)");
        }

        @Override
        public void convert(OnnxNode node, ImportContext ctx) {
            convertSoftmax(node, ctx, "log-softmax");
        }
    }

    static void convertSoftmax(OnnxNode node, ImportContext ctx, String layer) {
        if (BatchViews.softmax(node, ctx, layer)) {
            return;
        }
        ImportContext.Value x = computed(ctx, node, 0, "the input");
        int full = fullRank(ctx, x);
        Shape s = x.shape();
        int r = s.rank();
        boolean modern = node.opset() >= 13;
        int axis = exampleAxis(ctx, node.attrInt("axis", modern ? -1 : 1), full, "axis");
        if (axis == r - 1) {
            emit(ctx, node, layer, Map.of(), x.node(), Map.of());
            return;
        }
        String h = hint(node);
        if (modern) {
            List<Integer> perm = new ArrayList<>();
            for (int i = 0; i < r; i++) {
                perm.add(i == axis ? r - 1 : i == r - 1 ? axis : i);
            }
            String t = ctx.emit("onnx-transpose", Map.of("perm", perm), List.of(x.node()), Map.of(), h + "_to_last");
            String y = ctx.emit(layer, Map.of(), List.of(t), Map.of(), h);
            emit(ctx, node, "onnx-transpose", Map.of("perm", perm), y, Map.of());
            return;
        }
        long outer = 1;
        for (int i = 0; i < axis; i++) {
            outer *= s.dim(i);
        }
        long inner = s.size() / outer;
        List<Long> matrix = axis == 0 ? List.of(inner) : List.of(outer, inner);
        String flat = ctx.emit("reshape", Map.of("shape", matrix), List.of(x.node()), Map.of(), h + "_rows");
        String y = ctx.emit(layer, Map.of(), List.of(flat), Map.of(), h);
        emit(ctx, node, "reshape", Map.of("shape", Params.list(s.dims())), y, Map.of());
    }
}
