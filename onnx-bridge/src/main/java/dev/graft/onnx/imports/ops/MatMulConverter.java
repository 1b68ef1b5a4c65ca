package dev.graft.onnx.imports.ops;

import dev.graft.onnx.imports.ImportContext;
import dev.graft.onnx.imports.OnnxNode;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code MatMul} (opsets 1-17).
 *
 * <ul>
 *   <li>A computed, B a constant matrix {@code [K, M]}: {@code dense} (units M, B is the weight) for
 *       {@code [K]} examples, {@code onnx-matmul} with units M for {@code [..., K]}. When the product
 *       feeds nothing but one {@code Add} of a constant that broadcasts to {@code [M]} (the bias of
 *       PyTorch's {@code Linear} exported as MatMul + Add), the Add is folded into the layer's bias.</li>
 *   <li>A and B both computed: {@code onnx-matmul} of two inputs (the same rank with equal leading axes
 *       when the first dimension is the batch).</li>
 *   <li>Under batch axis NONE also NumPy's rules for the rest: a 1-D operand is a row (A) or a column
 *       (B) dropped again afterwards, operands of lower rank get leading 1s, a constant A or a constant
 *       B of rank 3 or more becomes an {@code onnx-constant} input.</li>
 * </ul>
 * Rejected when the first dimension is the batch: a constant left operand, a constant B that is not a
 * matrix.
 */
public final class MatMulConverter extends OpConverter {
    public MatMulConverter() {
        super("MatMul", 1, 17, "ONNX MatMul as dense / onnx-matmul, folding a following bias Add");
    }

    @Override
    public void convert(OnnxNode node, ImportContext ctx) {
        if (BatchViews.matmul(node, ctx)) {
            return;
        }
        ImportContext.Value a = input(ctx, node, 0);
        ImportContext.Value b = input(ctx, node, 1);
        String h = hint(node);
        if (a.isConstant() && b.isConstant()) {
            throw new IllegalArgumentException("both operands are constants; native import needs a value computed from the model input");
        }
        if (a.isConstant()) {
            if (ctx.batchFirst()) {
                throw new IllegalArgumentException("the left operand A ('" + a.onnxName() + "') is a constant; native import handles MatMul"
                        + " of a computed value by a constant or of two computed values when the first dimension is the batch");
            }
            twoInputs(node, ctx, promote(ctx, a, b, h + "_A"), b.node(), h);
            return;
        }
        if (!b.isConstant()) {
            if (ctx.batchFirst()) {
                emit(ctx, node, "onnx-matmul", Map.of(), List.of(a.node(), b.node()), Map.of());
            } else {
                twoInputs(node, ctx, a.node(), b.node(), h);
            }
            return;
        }
        Const w = Const.of(b.constant()).noBatch("B");
        boolean vector = w.rank() == 1 && !ctx.batchFirst();
        if (vector) {
            w = w.reshape(w.shape[0], 1);
        }
        if (w.rank() != 2) {
            if (!ctx.batchFirst()) {
                twoInputs(node, ctx, a.node(), promote(ctx, b, a, h + "_B"), h);
                return;
            }
            throw new IllegalArgumentException("the constant B has shape " + Arrays.toString(w.shape) + "; native import needs a matrix [K, M]");
        }
        long k = a.shape().dim(a.shape().rank() - 1);
        if (w.shape[0] != k) {
            throw new IllegalArgumentException("A " + dims(a.shape()) + " (per example) has " + k + " columns but B has " + w.shape[0] + " rows");
        }
        long m = w.shape[1];
        Map<String, INDArray> params = new HashMap<>();
        params.put("W", w.toArray());
        OnnxNode add = vector ? null : foldableBias(node, ctx, fullRank(ctx, a), m);
        if (add != null) {
            String biasName = add.inputs().get(0).equals(out(node)) ? add.inputs().get(1) : add.inputs().get(0);
            params.put("b", Params.vector(Const.of(ctx.value(biasName).constant()), m, "the bias").toArray());
        }
        String layer = a.shape().rank() == 1 ? "dense" : "onnx-matmul";
        String name = ctx.emit(layer, Map.of("units", m, "use-bias", add != null), List.of(a.node()), params, h);
        if (vector) {
            long[] shape = a.shape().dims();
            name = reshape(ctx, name, Arrays.copyOf(shape, shape.length - 1), h + "_vector");
        }
        ctx.bind(out(node), name);
        if (add != null) {
            ctx.bind(out(add), name);
            ctx.fuse(add);
        }
    }

    /**
     * The product of two computed whole tensors (batch axis NONE) with NumPy's rules: a 1-D operand is
     * a row (left) or a column (right) that is dropped again; operands of different ranks get leading
     * 1s. The leading axes must then be equal.
     */
    private static void twoInputs(OnnxNode node, ImportContext ctx, String an, String bn, String h) {
        long[] as = ctx.shapeOf(an).dims();
        long[] bs = ctx.shapeOf(bn).dims();
        boolean rowA = as.length == 1;
        boolean colB = bs.length == 1;
        if (rowA) {
            an = reshape(ctx, an, new long[] {1, as[0]}, h + "_row");
            as = new long[] {1, as[0]};
        }
        if (colB) {
            bn = reshape(ctx, bn, new long[] {bs[0], 1}, h + "_col");
            bs = new long[] {bs[0], 1};
        }
        int r = Math.max(as.length, bs.length);
        if (as.length < r) {
            an = reshape(ctx, an, Params.padTo(as, r), h + "_a");
            as = Params.padTo(as, r);
        }
        if (bs.length < r) {
            bn = reshape(ctx, bn, Params.padTo(bs, r), h + "_b");
            bs = Params.padTo(bs, r);
        }
        String y = ctx.emit("onnx-matmul", Map.of(), List.of(an, bn), Map.of(), h);
        long[] out = ctx.shapeOf(y).dims();
        if (rowA || colB) {
            List<Long> keep = new java.util.ArrayList<>();
            for (int i = 0; i < out.length; i++) {
                if ((rowA && i == out.length - 2) || (colB && i == out.length - 1)) {
                    continue;
                }
                keep.add(out[i]);
            }
            y = reshape(ctx, y, keep.stream().mapToLong(Long::longValue).toArray(), h + "_drop");
        }
        ctx.bind(out(node), y);
    }

    /**
     * The {@code Add} after this MatMul that can become the layer's bias: the product's only consumer,
     * not a graph output, adding a known constant that broadcasts to {@code [M]} without adding axes
     * beyond {@code rank}, the ONNX rank of the product.
     */
    static OnnxNode foldableBias(OnnxNode node, ImportContext ctx, int rank, long m) {
        String product = out(node);
        if (ctx.isGraphOutput(product)) {
            return null;
        }
        List<OnnxNode> users = ctx.consumers(product);
        if (users.size() != 1) {
            return null;
        }
        OnnxNode add = users.get(0);
        if (!add.opType().equals("Add") || !add.domain().isEmpty() || add.inputs().size() != 2 || add.outputs().size() != 1) {
            return null;
        }
        String other = add.inputs().get(0).equals(product) ? add.inputs().get(1) : add.inputs().get(0);
        if (other.equals(product) || other.isEmpty()) {
            return null;
        }
        INDArray c;
        try {
            ImportContext.Value v = ctx.value(other);
            if (!v.isConstant()) {
                return null;
            }
            c = v.constant();
        } catch (IllegalArgumentException notYetKnown) {
            return null;
        }
        Const bias = Const.of(c);
        if (bias.hasBatch() || bias.rank() > rank) {
            return null;
        }
        for (int i = 0; i < bias.rank() - 1; i++) {
            if (bias.shape[i] != 1) {
                return null;
            }
        }
        long last = bias.rank() == 0 ? 1 : bias.shape[bias.rank() - 1];
        return last == m || last == 1 ? add : null;
    }
}
