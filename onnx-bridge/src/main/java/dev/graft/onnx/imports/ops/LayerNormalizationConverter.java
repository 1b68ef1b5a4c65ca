package dev.graft.onnx.imports.ops;

import dev.graft.onnx.imports.ImportContext;
import dev.graft.onnx.imports.OnnxNode;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code LayerNormalization} (opset 17) as {@code layer-norm} over the trailing axes from
 * {@code axis} (default -1): the constant {@code Scale} and optional {@code B} (zeros when absent),
 * expanded to the normalised axes' shape if they broadcast to it, become {@code gamma} and
 * {@code beta}; {@code epsilon} is {@code eps}. Rejected: normalising the batch axis, computed
 * scale or bias, and requests for the {@code Mean} / {@code InvStdDev} outputs.
 */
public final class LayerNormalizationConverter extends OpConverter {
    public LayerNormalizationConverter() {
        super("LayerNormalization", 17, 17, "ONNX LayerNormalization over trailing axes as layer-norm");
    }

    @Override
    public void convert(OnnxNode node, ImportContext ctx) {
        onlyFirstOutput(node, "Mean or InvStdDev");
        ImportContext.Value x = computed(ctx, node, 0, "the input X");
        int full = fullRank(x);
        int axis = exampleAxis(node.attrInt("axis", -1), full, "axis");
        int count = x.shape().rank() - axis;
        long[] normalised = Arrays.copyOfRange(x.shape().dims(), axis, x.shape().rank());
        Const scale = expand(Const.of(constant(ctx, node, 1, "Scale")), normalised, "Scale");
        org.nd4j.linalg.api.ndarray.INDArray bArr = optionalConstant(ctx, node, 2, "B");
        Const bias = bArr == null ? Const.reals(normalised, new double[(int) Arrays.stream(normalised).reduce(1, Math::multiplyExact)],
                org.nd4j.linalg.api.buffer.DataType.FLOAT) : expand(Const.of(bArr), normalised, "B");
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("axes", count);
        config.put("eps", attrDouble(node, "epsilon", 1e-5f));
        config.put("elementwise-affine", true);
        Map<String, org.nd4j.linalg.api.ndarray.INDArray> params = new LinkedHashMap<>();
        params.put("gamma", scale.toArray());
        params.put("beta", bias.toArray());
        emit(ctx, node, "layer-norm", config, x.node(), params);
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
