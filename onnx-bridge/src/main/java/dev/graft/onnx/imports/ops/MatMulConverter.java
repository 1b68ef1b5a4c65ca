package dev.graft.onnx.imports.ops;

import dev.graft.onnx.imports.ImportContext;
import dev.graft.onnx.imports.OnnxNode;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code MatMul} (opsets 7-17).
 *
 * <ul>
 *   <li>A computed, B a constant matrix {@code [K, M]}: {@code dense} (units M, B is the weight) for
 *       {@code [batch, K]} inputs, {@code onnx-matmul} with units M for {@code [batch, ..., K]}. When the
 *       product feeds nothing but one {@code Add} of a constant that broadcasts to {@code [M]} (the bias
 *       of PyTorch's {@code Linear} exported as MatMul + Add), the Add is folded into the layer's bias.</li>
 *   <li>A and B both computed, of the same rank with equal leading axes: {@code onnx-matmul} of two inputs.</li>
 * </ul>
 * Rejected: a constant left operand, a constant B that is not a matrix, and 1-D operands.
 */
public final class MatMulConverter extends OpConverter {
    public MatMulConverter() {
        super("MatMul", 7, 17, "ONNX MatMul as dense / onnx-matmul, folding a following bias Add");
    }

    @Override
    public void convert(OnnxNode node, ImportContext ctx) {
        if (BatchViews.matmul(node, ctx)) {
            return;
        }
        ImportContext.Value a = input(ctx, node, 0);
        ImportContext.Value b = input(ctx, node, 1);
        if (a.isConstant()) {
            throw new IllegalArgumentException("the left operand A ('" + a.onnxName() + "') is a constant; native import handles MatMul"
                    + " of a computed value by a constant or of two computed values");
        }
        if (!b.isConstant()) {
            emit(ctx, node, "onnx-matmul", Map.of(), List.of(a.node(), b.node()), Map.of());
            return;
        }
        Const w = Const.of(b.constant()).noBatch("B");
        if (w.rank() != 2) {
            throw new IllegalArgumentException("the constant B has shape " + Arrays.toString(w.shape) + "; native import needs a matrix [K, M]");
        }
        long k = a.shape().dim(a.shape().rank() - 1);
        if (w.shape[0] != k) {
            throw new IllegalArgumentException("A " + dims(a.shape()) + " (per example) has " + k + " columns but B has " + w.shape[0] + " rows");
        }
        long m = w.shape[1];
        Map<String, INDArray> params = new HashMap<>();
        params.put("W", w.toArray());
        OnnxNode add = foldableBias(node, ctx, fullRank(a), m);
        if (add != null) {
            String biasName = add.inputs().get(0).equals(out(node)) ? add.inputs().get(1) : add.inputs().get(0);
            params.put("b", Params.vector(Const.of(ctx.value(biasName).constant()), m, "the bias").toArray());
        }
        String layer = a.shape().rank() == 1 ? "dense" : "onnx-matmul";
        String name = ctx.emit(layer, Map.of("units", m, "use-bias", add != null), List.of(a.node()), params, hint(node));
        ctx.bind(out(node), name);
        if (add != null) {
            ctx.bind(out(add), name);
            ctx.fuse(add);
        }
    }

    /**
     * The {@code Add} after this MatMul that can become the layer's bias: the product's only consumer,
     * not a graph output, adding a known constant that broadcasts to {@code [M]} without adding axes.
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
