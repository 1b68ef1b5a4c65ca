package dev.graft.onnx.imports.ops;

import dev.graft.onnx.imports.ImportContext;
import dev.graft.onnx.imports.OnnxNode;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code BatchNormalization} (opsets 1-17).
 *
 * <ul>
 *   <li>Inference form with constant statistics ({@code spatial = 1}): {@code batch-norm}, the constants
 *       {@code scale}, {@code B}, {@code input_mean} and {@code input_var} becoming {@code gamma},
 *       {@code beta}, {@code running_mean} and {@code running_var}; {@code epsilon} is {@code eps}, and
 *       ONNX's {@code momentum} (the weight of the old running value, default 0.9) becomes Graft's
 *       {@code 1 - momentum} (PyTorch's convention, the weight of the batch statistic). Fine-tuning then
 *       normalises with batch statistics and updates the running ones, as PyTorch's {@code train()} does.
 *       Under batch axis NONE the ONNX batch axis is folded into Graft's batch around it.</li>
 *   <li>Under batch axis NONE also: computed statistics or scale, {@code spatial = 0} (statistics per
 *       activation), and the training form ({@code training_mode = 1}, or {@code is_test = 0} before
 *       opset 7) with its {@code running_mean} / {@code running_var} outputs, all as
 *       {@code onnx-reduce} / {@code onnx-binary} / {@code onnx-unary} nodes:
 *       {@code (x - mean) / sqrt(var + epsilon) * scale + B}, with the batch mean and (population)
 *       variance over every axis but the channels in training form.</li>
 * </ul>
 * {@code consumed_inputs} (opsets 1-5) is ignored. Rejected when the first dimension is the batch:
 * computed statistics, {@code spatial = 0} and the training form.
 */
public final class BatchNormalizationConverter extends OpConverter {
    public BatchNormalizationConverter() {
        super("BatchNormalization", 1, 17, "ONNX BatchNormalization as batch-norm (or reduce and element-wise nodes)");
    }

    private static boolean training(OnnxNode node) {
        return node.opset() < 7 ? node.attrInt("is_test", 0) == 0 && node.outputs().size() > 1 : node.attrInt("training_mode", 0) != 0;
    }

    @Override
    public void convert(OnnxNode node, ImportContext ctx) {
        boolean training = training(node);
        boolean spatial = node.attrInt("spatial", 1) == 1;
        ImportContext.Value x = computed(ctx, node, 0, "the input X");
        boolean allConstant = true;
        for (int i = 1; i < 5; i++) {
            allConstant &= input(ctx, node, i).isConstant();
        }
        if (!training) {
            for (int i = 1; i < node.outputs().size(); i++) {
                if (!node.outputs().get(i).isEmpty()) {
                    throw new IllegalArgumentException("the node asks for output " + i + " in inference form; native import computes the"
                            + " running statistics in training form only");
                }
            }
        }
        if (allConstant && spatial && !training) {
            layer(node, ctx, x);
            return;
        }
        if (ctx.batchFirst()) {
            String why = training ? "training_mode = 1 normalises with batch statistics" : !spatial ? "spatial = 0 (statistics per activation)"
                    : "computed statistics or scale";
            throw new IllegalArgumentException(why + " is supported for whole tensors (batch axis none) only; native import converts the"
                    + " inference form when the first dimension is the batch (export the model in eval mode)");
        }
        composed(node, ctx, x, training);
    }

    private static void layer(OnnxNode node, ImportContext ctx, ImportContext.Value x) {
        String h = hint(node);
        String folded = fold(ctx, x, h);
        dev.graft.api.Shape xs = ctx.shapeOf(folded);
        if (xs.rank() < 1) {
            throw new IllegalArgumentException("X must have a channel axis");
        }
        long c = xs.dim(0);
        Map<String, org.nd4j.linalg.api.ndarray.INDArray> params = new LinkedHashMap<>();
        String[][] names = {{"gamma", "scale"}, {"beta", "B"}, {"running_mean", "input_mean"}, {"running_var", "input_var"}};
        for (int i = 0; i < 4; i++) {
            Const v = Const.of(constant(ctx, node, i + 1, names[i][1])).noBatch(names[i][1]);
            if (v.size() != c || (v.rank() != 1 && v.rank() != 0)) {
                throw new IllegalArgumentException(names[i][1] + " has shape " + Arrays.toString(v.shape) + "; it must be [" + c
                        + "] (one value per channel)");
            }
            params.put(names[i][0], v.reshape(c).toArray());
        }
        double momentum = attrDouble(node, "momentum", 0.9f);
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("momentum", Math.min(1.0, Math.max(0.0, 1.0 - momentum)));
        config.put("eps", attrDouble(node, "epsilon", 1e-5f));
        config.put("affine", true);
        String y = ctx.emit("batch-norm", config, List.of(folded), params, h);
        ctx.bind(out(node), unfold(ctx, y, x, h + "_unfold"));
    }

    /** The normalisation written out in element-wise and reduce nodes (whole tensors). */
    private static void composed(OnnxNode node, ImportContext ctx, ImportContext.Value x, boolean training) {
        String h = hint(node);
        int r = x.shape().rank();
        if (r < 2) {
            throw new IllegalArgumentException("X must be [N, C, ...], got " + dims(x.shape()));
        }
        double eps = attrDouble(node, "epsilon", 1e-5f);
        String scale = operand(ctx, input(ctx, node, 1), x, h + "_scale");
        String bias = operand(ctx, input(ctx, node, 2), x, h + "_B");
        String mean;
        String var;
        String xc;
        if (training) {
            List<Integer> axes = new ArrayList<>();
            for (int i = 0; i < r; i++) {
                if (i != 1) {
                    axes.add(i);
                }
            }
            mean = ctx.emit("onnx-reduce", Map.of("op", "mean", "axes", axes, "keepdims", true), List.of(x.node()), Map.of(), h + "_mean");
            xc = ctx.emit("onnx-binary", Map.of("op", "sub"), List.of(x.node(), mean), Map.of(), h + "_centred");
            String sq = ctx.emit("onnx-binary", Map.of("op", "mul"), List.of(xc, xc), Map.of(), h + "_sq");
            var = ctx.emit("onnx-reduce", Map.of("op", "mean", "axes", axes, "keepdims", true), List.of(sq), Map.of(), h + "_var");
        } else {
            mean = operand(ctx, input(ctx, node, 3), x, h + "_input_mean");
            var = operand(ctx, input(ctx, node, 4), x, h + "_input_var");
            xc = ctx.emit("onnx-binary", Map.of("op", "sub"), List.of(x.node(), mean), Map.of(), h + "_centred");
        }
        String ve = constantOp(ctx, var, "add", eps, h + "_eps");
        String sd = ctx.emit("onnx-unary", Map.of("op", "sqrt"), List.of(ve), Map.of(), h + "_std");
        String normalised = ctx.emit("onnx-binary", Map.of("op", "div"), List.of(xc, sd), Map.of(), h + "_normalised");
        String scaled = ctx.emit("onnx-binary", Map.of("op", "mul"), List.of(normalised, scale), Map.of(), h + "_scaled");
        ctx.bind(out(node), ctx.emit("onnx-binary", Map.of("op", "add"), List.of(scaled, bias), Map.of(), h), x.type());
        if (training) {
            double momentum = attrDouble(node, "momentum", 0.9f);
            String[] batchStats = {mean, var};
            for (int k = 0; k < 2; k++) {
                int output = k + 1;
                if (output >= node.outputs().size() || node.outputs().get(output).isEmpty()) {
                    continue;
                }
                ImportContext.Value old = input(ctx, node, 3 + k);
                long c = x.shape().dim(1);
                String stat = reshape(ctx, batchStats[k], new long[] {c}, h + "_stat" + k);
                String oldNode = old.isConstant() ? promote(ctx, old, x, h + "_old" + k) : old.node();
                oldNode = reshape(ctx, oldNode, new long[] {c}, h + "_old" + k + "_vec");
                String a = constantOp(ctx, oldNode, "mul", momentum, h + "_keep" + k);
                String b = constantOp(ctx, stat, "mul", 1 - momentum, h + "_new" + k);
                ctx.bind(node.outputs().get(output), ctx.emit("onnx-binary", Map.of("op", "add"), List.of(a, b), Map.of(),
                        h + (k == 0 ? "_running_mean" : "_running_var")), x.type());
            }
        }
    }

    /**
     * A per-channel (or, with {@code spatial = 0}, per-activation) input as a node that broadcasts
     * against X {@code [N, C, ...]}: its values at axes 1, 2, ... with 1s around.
     */
    private static String operand(ImportContext ctx, ImportContext.Value v, ImportContext.Value x, String h) {
        long[] s = v.isConstant() ? v.constant().shape() : v.shape().dims();
        int r = x.shape().rank();
        if (s.length == 0 || s.length > r - 1) {
            throw new IllegalArgumentException("'" + v.onnxName() + "' has shape " + Arrays.toString(s) + "; it must be [C] or the shape of"
                    + " X without its first axis");
        }
        long[] target = new long[r];
        Arrays.fill(target, 1);
        System.arraycopy(s, 0, target, 1, s.length);
        if (v.isConstant()) {
            Const c = Const.of(v.constant()).reshape(target);
            return ctx.emit("onnx-constant", Map.of("shape", Params.list(target), "trainable", true), List.of(x.node()),
                    Map.of("value", c.toArray()), h);
        }
        return reshape(ctx, v.node(), target, h);
    }

    private static String constantOp(ImportContext ctx, String node, String op, double value, String h) {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("op", op);
        config.put("constant-shape", List.of(1L));
        config.put("trainable", false);
        return ctx.emit("onnx-binary", config, List.of(node), Map.of("c", Const.reals(new long[] {1}, new double[] {value},
                org.nd4j.linalg.api.buffer.DataType.FLOAT).toArray()), h);
    }
}
