package dev.graft.onnx.imports.ops;

import dev.graft.onnx.imports.ImportContext;
import dev.graft.onnx.imports.OnnxNode;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code LayerNormalization} (opset 17) over the trailing axes from {@code axis} (default -1).
 *
 * <ul>
 *   <li>With a constant {@code Scale} and optional constant {@code B} (zeros when absent), and only
 *       the {@code Y} output asked for: {@code layer-norm}, the scale and bias expanded to the
 *       normalised axes' shape if they broadcast to it becoming {@code gamma} and {@code beta};
 *       {@code epsilon} is {@code eps}.</li>
 *   <li>With a computed scale or bias, or the {@code Mean} / {@code InvStdDev} outputs asked for: the
 *       normalisation written out as {@code onnx-reduce} / {@code onnx-binary} / {@code onnx-unary}
 *       nodes, {@code Mean} and {@code InvStdDev = 1 / sqrt(variance + epsilon)} keeping the normalised
 *       axes as size 1.</li>
 * </ul>
 * Rejected when the first dimension is the batch: normalising it.
 */
public final class LayerNormalizationConverter extends OpConverter {
    public LayerNormalizationConverter() {
        super("LayerNormalization", 17, 17, "ONNX LayerNormalization over trailing axes as layer-norm (or reduce and element-wise nodes)");
    }

    @Override
    public void convert(OnnxNode node, ImportContext ctx) {
        ImportContext.Value x = computed(ctx, node, 0, "the input X");
        int full = fullRank(ctx, x);
        int axis = exampleAxis(ctx, node.attrInt("axis", -1), full, "axis");
        int count = x.shape().rank() - axis;
        long[] normalised = Arrays.copyOfRange(x.shape().dims(), axis, x.shape().rank());
        ImportContext.Value scaleV = input(ctx, node, 1);
        ImportContext.Value biasV = node.input(2).isPresent() ? input(ctx, node, 2) : null;
        boolean stats = false;
        for (int i = 1; i < node.outputs().size(); i++) {
            stats |= !node.outputs().get(i).isEmpty();
        }
        if (!stats && scaleV.isConstant() && (biasV == null || biasV.isConstant())) {
            Const scale = expand(Const.of(scaleV.constant()), normalised, "Scale");
            Const bias = biasV == null ? Const.reals(normalised, new double[(int) Arrays.stream(normalised).reduce(1, Math::multiplyExact)],
                    org.nd4j.linalg.api.buffer.DataType.FLOAT) : expand(Const.of(biasV.constant()), normalised, "B");
            Map<String, Object> config = new LinkedHashMap<>();
            config.put("axes", count);
            config.put("eps", attrDouble(node, "epsilon", 1e-5f));
            config.put("elementwise-affine", true);
            Map<String, org.nd4j.linalg.api.ndarray.INDArray> params = new LinkedHashMap<>();
            params.put("gamma", scale.toArray());
            params.put("beta", bias.toArray());
            emit(ctx, node, "layer-norm", config, x.node(), params);
            return;
        }
        String h = hint(node);
        int r = x.shape().rank();
        List<Integer> axes = new ArrayList<>();
        for (int i = axis; i < r; i++) {
            axes.add(i);
        }
        double eps = attrDouble(node, "epsilon", 1e-5f);
        String mean = ctx.emit("onnx-reduce", Map.of("op", "mean", "axes", axes, "keepdims", true), List.of(x.node()), Map.of(), h + "_mean");
        String centred = ctx.emit("onnx-binary", Map.of("op", "sub"), List.of(x.node(), mean), Map.of(), h + "_centred");
        String sq = ctx.emit("onnx-binary", Map.of("op", "mul"), List.of(centred, centred), Map.of(), h + "_sq");
        String var = ctx.emit("onnx-reduce", Map.of("op", "mean", "axes", axes, "keepdims", true), List.of(sq), Map.of(), h + "_var");
        Map<String, Object> plusEps = new LinkedHashMap<>();
        plusEps.put("op", "add");
        plusEps.put("constant-shape", List.of(1L));
        plusEps.put("trainable", false);
        String ve = ctx.emit("onnx-binary", plusEps, List.of(var), Map.of("c", Const.reals(new long[] {1}, new double[] {eps},
                org.nd4j.linalg.api.buffer.DataType.FLOAT).toArray()), h + "_eps");
        String std = ctx.emit("onnx-unary", Map.of("op", "sqrt"), List.of(ve), Map.of(), h + "_std");
        String inv = ctx.emit("onnx-unary", Map.of("op", "reciprocal"), List.of(std), Map.of(), h + "_inv_std");
        String y = ctx.emit("onnx-binary", Map.of("op", "mul"), List.of(centred, inv), Map.of(), h + "_normalised");
        y = ctx.emit("onnx-binary", Map.of("op", "mul"), List.of(y, operand(ctx, scaleV, x, normalised, h + "_scale")), Map.of(), h + "_scaled");
        if (biasV != null) {
            y = ctx.emit("onnx-binary", Map.of("op", "add"), List.of(y, operand(ctx, biasV, x, normalised, h + "_B")), Map.of(), h);
        }
        ctx.bind(out(node), y, x.type());
        if (node.outputs().size() > 1 && !node.outputs().get(1).isEmpty()) {
            ctx.bind(node.outputs().get(1), mean, x.type());
        }
        if (node.outputs().size() > 2 && !node.outputs().get(2).isEmpty()) {
            ctx.bind(node.outputs().get(2), inv, x.type());
        }
    }

    /** Scale or B as a node of X's rank (leading 1s) that broadcasts against X. */
    private static String operand(ImportContext ctx, ImportContext.Value v, ImportContext.Value x, long[] normalised, String h) {
        int r = x.shape().rank();
        if (v.isConstant()) {
            Const c = expand(Const.of(v.constant()), normalised, v.onnxName());
            long[] shape = Params.padTo(c.shape, r);
            return ctx.emit("onnx-constant", Map.of("shape", Params.list(shape), "trainable", true), List.of(x.node()),
                    Map.of("value", c.reshape(shape).toArray()), h);
        }
        if (v.shape().rank() > r) {
            throw new IllegalArgumentException("'" + v.onnxName() + "' has more axes than X");
        }
        return reshape(ctx, v.node(), Params.padTo(v.shape().dims(), r), h);
    }

    /** {@code c} broadcast to exactly {@code shape}. */
    private static Const expand(Const c, long[] shape, String what) {
        c.noBatch(what);
        if (Arrays.equals(c.shape, shape)) {
            return c;
        }
        int n = (int) Arrays.stream(shape).reduce(1, Math::multiplyExact);
        Const zeros = Const.reals(shape, new double[n], c.type);
        if (c.rank() > shape.length) {
            throw new IllegalArgumentException(what + " has shape " + Arrays.toString(c.shape) + ", which does not fit the normalised axes "
                    + Arrays.toString(shape));
        }
        Const out = Const.binary(zeros, c, Double::sum, null, what);
        if (!Arrays.equals(out.shape, shape)) {
            throw new IllegalArgumentException(what + " has shape " + Arrays.toString(c.shape) + ", which does not broadcast to the"
                    + " normalised axes " + Arrays.toString(shape));
        }
        return out;
    }
}
