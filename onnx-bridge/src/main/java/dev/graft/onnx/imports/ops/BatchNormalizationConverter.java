package dev.graft.onnx.imports.ops;

import dev.graft.onnx.imports.ImportContext;
import dev.graft.onnx.imports.OnnxNode;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code BatchNormalization} (opsets 7-17) in its inference form as {@code batch-norm}: the constants
 * {@code scale}, {@code B}, {@code input_mean} and {@code input_var} become {@code gamma},
 * {@code beta}, {@code running_mean} and {@code running_var}; {@code epsilon} is {@code eps}, and
 * ONNX's {@code momentum} (the weight of the old running value, default 0.9) becomes Graft's
 * {@code 1 - momentum} (PyTorch's convention, the weight of the batch statistic). Fine-tuning then
 * normalises with batch statistics and updates the running ones, as PyTorch's {@code train()} does.
 * Rejected: {@code spatial = 0} (opset 7), {@code training_mode = 1} and the training outputs.
 */
public final class BatchNormalizationConverter extends OpConverter {
    public BatchNormalizationConverter() {
        super("BatchNormalization", 7, 17, "ONNX BatchNormalization (inference form) as batch-norm with its running statistics");
    }

    @Override
    public void convert(OnnxNode node, ImportContext ctx) {
        onlyFirstOutput(node, "running or saved statistics of training mode");
        if (node.attrInt("spatial", 1) != 1) {
            throw new IllegalArgumentException("spatial = 0 (statistics per activation, not per channel) is not supported");
        }
        if (node.attrInt("training_mode", 0) != 0) {
            throw new IllegalArgumentException("training_mode = 1 normalises with batch statistics at inference; native import"
                    + " converts the inference form (export the model in eval mode)");
        }
        ImportContext.Value x = computed(ctx, node, 0, "the input X");
        if (x.shape().rank() < 1) {
            throw new IllegalArgumentException("X must have a channel axis");
        }
        long c = x.shape().dim(0);
        Map<String, org.nd4j.linalg.api.ndarray.INDArray> params = new LinkedHashMap<>();
        String[][] names = {{"gamma", "scale"}, {"beta", "B"}, {"running_mean", "input_mean"}, {"running_var", "input_var"}};
        for (int i = 0; i < 4; i++) {
            Const v = Const.of(constant(ctx, node, i + 1, names[i][1])).noBatch(names[i][1]);
            if (v.size() != c || (v.rank() != 1 && v.rank() != 0)) {
                throw new IllegalArgumentException(names[i][1] + " has shape " + java.util.Arrays.toString(v.shape) + "; it must be [" + c
                        + "] (one value per channel)");
            }
            params.put(names[i][0], v.reshape(c).toArray());
        }
        double momentum = attrDouble(node, "momentum", 0.9f);
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("momentum", Math.min(1.0, Math.max(0.0, 1.0 - momentum)));
        config.put("eps", attrDouble(node, "epsilon", 1e-5f));
        config.put("affine", true);
        emit(ctx, node, "batch-norm", config, x.node(), params);
    }
}
