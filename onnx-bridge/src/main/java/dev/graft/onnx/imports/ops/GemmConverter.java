package dev.graft.onnx.imports.ops;

import dev.graft.onnx.imports.ImportContext;
import dev.graft.onnx.imports.OnnxNode;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code Gemm} (opsets 1-17), {@code Y = alpha * A' * B' + beta * C}.
 *
 * <ul>
 *   <li>A computed, B a constant: a {@code dense} layer when the first dimension is the batch (A
 *       {@code [batch, K]}), an {@code onnx-matmul} with {@code units} for a whole-tensor A
 *       {@code [N, K]} (batch axis NONE). B ({@code transB = 1}: {@code [M, K]}, transposed at import) is
 *       the weight, {@code alpha} folded into it; a constant C that broadcasts to {@code [M]} is the bias
 *       ({@code beta} folded in), another constant C an {@code onnx-binary} add after the product.</li>
 *   <li>Under batch axis NONE also: {@code transA = 1} as an {@code onnx-transpose}, a computed B
 *       (an {@code onnx-matmul} of two inputs, {@code alpha} an {@code onnx-binary} mul), a computed C
 *       (an {@code onnx-binary} add), a constant A ({@code onnx-constant}).</li>
 * </ul>
 * Rejected when the first dimension is the batch: {@code transA = 1} (it would transpose the batch
 * axis), a computed B or C, and a C with a row per batch example.
 */
public final class GemmConverter extends OpConverter {
    public GemmConverter() {
        super("Gemm", 1, 17, "ONNX Gemm as a dense layer (constant B) or onnx-matmul and onnx-binary nodes");
    }

    @Override
    public void convert(OnnxNode node, ImportContext ctx) {
        if (BatchViews.gemm(node, ctx)) {
            return;
        }
        boolean transA = node.attrInt("transA", 0) != 0;
        boolean transB = node.attrInt("transB", 0) != 0;
        double alpha = attrDouble(node, "alpha", 1f);
        double beta = attrDouble(node, "beta", 1f);
        ImportContext.Value a = input(ctx, node, 0);
        ImportContext.Value b = input(ctx, node, 1);
        ImportContext.Value c = node.input(2).isPresent() ? input(ctx, node, 2) : null;
        if (ctx.batchFirst()) {
            if (transA) {
                throw new IllegalArgumentException("transA = 1 transposes the batch axis of A, which native import does not support"
                        + " when the first dimension is the batch");
            }
            a = computed(ctx, node, 0, "A");
            if (a.shape().rank() != 1) {
                throw new IllegalArgumentException("A must be [batch, K]; its per-example shape is " + dims(a.shape()));
            }
            constant(ctx, node, 1, "B");
            if (c != null) {
                constant(ctx, node, 2, "C");
            }
        }
        String h = hint(node);
        ImportContext.Value like = !a.isConstant() ? a : !b.isConstant() ? b : c != null && !c.isConstant() ? c : null;
        if (like == null) {
            throw new IllegalArgumentException("A, B and C are all constants; native import needs a value computed from the model input");
        }
        String an = a.isConstant() ? promote(ctx, a, like, h + "_A") : a.node();
        if (transA) {
            an = ctx.emit("onnx-transpose", Map.of("perm", List.of(1, 0)), List.of(an), Map.of(), h + "_At");
        }
        long k = ctx.shapeOf(an).dim(ctx.shapeOf(an).rank() - 1);
        String y;
        boolean biasDone = false;
        if (b.isConstant()) {
            Const bc = Const.of(b.constant()).noBatch("B");
            if (bc.rank() != 2) {
                throw new IllegalArgumentException("B must be a matrix, got shape " + java.util.Arrays.toString(bc.shape));
            }
            Const w = transB ? bc.transpose(new int[] {1, 0}) : bc;
            if (w.shape[0] != k) {
                throw new IllegalArgumentException("A has " + k + " columns but B" + (transB ? "'" : "") + " has " + w.shape[0] + " rows");
            }
            long m = w.shape[1];
            if (alpha != 1) {
                w = w.map(v -> v * alpha, "B");
            }
            Map<String, INDArray> params = new HashMap<>();
            params.put("W", w.toArray());
            Const bias = null;
            if (c != null && c.isConstant() && beta != 0) {
                bias = vectorOrNull(Const.of(c.constant()), m);
                if (bias == null && ctx.batchFirst()) {
                    Params.vector(Const.of(c.constant()), m, "C");   // throws with the reason
                }
            }
            boolean useBias = bias != null;
            if (useBias) {
                Const bb = bias;
                params.put("b", bb.map(v -> v * beta, "C").toArray());
                biasDone = true;
            } else if (c == null || (c.isConstant() && beta == 0)) {
                biasDone = true;
            }
            String layer = ctx.shapeOf(an).rank() == 1 ? "dense" : "onnx-matmul";
            y = ctx.emit(layer, Map.of("units", m, "use-bias", useBias), List.of(an), params, h);
        } else {
            String bn = b.node();
            if (transB) {
                bn = ctx.emit("onnx-transpose", Map.of("perm", List.of(1, 0)), List.of(bn), Map.of(), h + "_Bt");
            }
            y = ctx.emit("onnx-matmul", Map.of(), List.of(an, bn), Map.of(), h);
            if (alpha != 1) {
                y = scale(ctx, y, alpha, h + "_alpha");
            }
            if (c == null || (c.isConstant() && beta == 0)) {
                biasDone = true;
            }
        }
        if (!biasDone) {
            ImportContext.Value yv = new ImportContext.Value(out(node), y, ctx.shapeOf(y), null, a.type());
            if (c.isConstant()) {
                Const cc = Params.perExample(ctx, Const.of(c.constant()), yv, "C").map(v -> v * beta, "C");
                Map<String, Object> config = new LinkedHashMap<>();
                config.put("op", "add");
                config.put("constant-shape", Params.list(cc.shape));
                y = ctx.emit("onnx-binary", config, List.of(y), Map.of("c", cc.toArray()), h + "_C");
            } else {
                String cn = c.node();
                if (beta != 1) {
                    cn = scale(ctx, cn, beta, h + "_beta");
                }
                int r = ctx.shapeOf(y).rank();
                if (ctx.shapeOf(cn).rank() < r) {
                    cn = reshape(ctx, cn, Params.padTo(ctx.shapeOf(cn).dims(), r), h + "_Cup");
                }
                y = ctx.emit("onnx-binary", Map.of("op", "add"), List.of(y, cn), Map.of(), h + "_C");
            }
        }
        ctx.bind(out(node), y, a.type());
    }

    /** {@code c} as a vector of {@code m} values when it broadcasts to {@code [m]} along the last axis, else null. */
    private static Const vectorOrNull(Const c, long m) {
        if (c.hasBatch()) {
            return null;
        }
        for (int i = 0; i < c.rank() - 1; i++) {
            if (c.shape[i] != 1) {
                return null;
            }
        }
        long last = c.rank() == 0 ? 1 : c.shape[c.rank() - 1];
        return last == m || last == 1 ? Params.vector(c, m, "C") : null;
    }

    private static String scale(ImportContext ctx, String node, double factor, String hint) {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("op", "mul");
        config.put("constant-shape", List.of(1L));
        config.put("trainable", false);
        return ctx.emit("onnx-binary", config, List.of(node), Map.of("c", Const.reals(new long[] {1}, new double[] {factor},
                org.nd4j.linalg.api.buffer.DataType.FLOAT).toArray()), hint);
    }
}
