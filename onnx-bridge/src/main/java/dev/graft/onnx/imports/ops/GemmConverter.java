package dev.graft.onnx.imports.ops;

import dev.graft.onnx.imports.ImportContext;
import dev.graft.onnx.imports.OnnxNode;

import java.util.HashMap;
import java.util.Map;

/**
 * {@code Gemm} (opsets 7-17), {@code Y = alpha * A * B' + beta * C}, as a {@code dense} layer: A is
 * the computed {@code [batch, K]} input, B a constant {@code [K, M]} ({@code transB = 1}:
 * {@code [M, K]}, transposed at import into dense's {@code [in, out]} weight), C an optional
 * constant that broadcasts to {@code [M]} (the bias; absent: {@code use-bias = false}). {@code alpha}
 * and {@code beta} are folded into the weight and the bias. Rejected: {@code transA = 1} (it would
 * transpose the batch axis), a computed B or C, and a C with a row per batch example.
 */
public final class GemmConverter extends OpConverter {
    public GemmConverter() {
        super("Gemm", 7, 17, "ONNX Gemm with a constant B (and C) as a dense layer");
    }

    @Override
    public void convert(OnnxNode node, ImportContext ctx) {
        if (BatchViews.gemm(node, ctx)) {
            return;
        }
        if (node.attrInt("transA", 0) != 0) {
            throw new IllegalArgumentException("transA = 1 transposes the batch axis of A, which native import does not support");
        }
        ImportContext.Value a = computed(ctx, node, 0, "A");
        if (a.shape().rank() != 1) {
            throw new IllegalArgumentException("A must be [batch, K]; its per-example shape is " + dims(a.shape()));
        }
        Const b = Const.of(constant(ctx, node, 1, "B")).noBatch("B");
        if (b.rank() != 2) {
            throw new IllegalArgumentException("B must be a matrix, got shape " + java.util.Arrays.toString(b.shape));
        }
        Const w = node.attrInt("transB", 0) != 0 ? b.transpose(new int[] {1, 0}) : b;
        long k = a.shape().dim(0);
        if (w.shape[0] != k) {
            throw new IllegalArgumentException("A has " + k + " columns but B" + (node.attrInt("transB", 0) != 0 ? "'" : "")
                    + " has " + w.shape[0] + " rows");
        }
        long m = w.shape[1];
        double alpha = attrDouble(node, "alpha", 1f);
        double beta = attrDouble(node, "beta", 1f);
        if (alpha != 1) {
            w = w.map(v -> v * alpha, "B");
        }
        Map<String, org.nd4j.linalg.api.ndarray.INDArray> params = new HashMap<>();
        params.put("W", w.toArray());
        org.nd4j.linalg.api.ndarray.INDArray cArr = optionalConstant(ctx, node, 2, "C");
        boolean bias = cArr != null && beta != 0;
        if (bias) {
            params.put("b", Params.vector(Const.of(cArr), m, "C").map(v -> v * beta, "C").toArray());
        }
        emit(ctx, node, "dense", Map.of("units", m, "use-bias", bias), a.node(), params);
    }
}
