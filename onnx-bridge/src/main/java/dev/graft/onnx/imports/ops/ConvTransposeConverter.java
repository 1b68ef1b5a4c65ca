package dev.graft.onnx.imports.ops;

import dev.graft.onnx.imports.ImportContext;
import dev.graft.onnx.imports.OnnxNode;
import dev.graft.onnx.imports.UnsupportedNodeException;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code ConvTranspose} (opsets 7-17) on 1-D ({@code [C, L]}) and 2-D ({@code [C, H, W]}) examples,
 * as {@code onnx-conv-transpose}: W (a constant {@code [C, M/group, ...kernel]}) and the optional
 * constant B become the layer's parameters; {@code strides}, {@code dilations}, {@code group} and
 * {@code output_padding} carry over. The padding is resolved at import: explicit {@code pads};
 * {@code VALID} (none); {@code SAME_UPPER} / {@code SAME_LOWER} (the output is {@code size * stride},
 * the odd element of the padding at the end / the beginning); or an {@code output_shape} (spatial
 * sizes, or with batch and channels in front), whose padding is split as the operator's definition
 * says (the odd element at the end for {@code SAME_UPPER}, else at the beginning). Under batch axis
 * {@code NONE} the ONNX batch axis is folded into Graft's batch around the layer. Rejected: 3-D
 * kernels, computed weights, and an {@code output_shape} larger than the unpadded result.
 */
public final class ConvTransposeConverter extends OpConverter {
    public ConvTransposeConverter() {
        super("ConvTranspose", 7, 17, "ONNX ConvTranspose (1-D and 2-D) as onnx-conv-transpose");
    }

    @Override
    public void convert(OnnxNode node, ImportContext ctx) {
        ImportContext.Value x = computed(ctx, node, 0, "the input X");
        String h = hint(node);
        String folded = fold(ctx, x, h);
        dev.graft.api.Shape xs = ctx.shapeOf(folded);
        for (int i = 1; i <= 2; i++) {
            if (node.input(i).isPresent() && !input(ctx, node, i).isConstant() && !input(ctx, node, i).isIntegral()) {
                throw new UnsupportedNodeException((i == 1 ? "the weight W" : "the bias B") + " ('" + node.inputs().get(i) + "') is computed"
                        + " from the inputs; native import takes the weight and bias of a ConvTranspose as constants (initializers)");
            }
        }
        Const w = Const.of(constant(ctx, node, 1, "the weight W")).noBatch("the weight W");
        int n = w.rank() - 2;
        if (n != 1 && n != 2) {
            throw new UnsupportedNodeException("W has shape " + Arrays.toString(w.shape) + "; native import converts 1-D and 2-D"
                    + " transposed convolutions only");
        }
        if (xs.rank() != n + 1) {
            throw new IllegalArgumentException("X has per-example shape " + dims(xs) + " but W " + Arrays.toString(w.shape)
                    + " is a " + n + "-D kernel");
        }
        long group = node.attrInt("group", 1);
        if (group <= 0 || xs.dim(0) != w.shape[0] || xs.dim(0) % group != 0) {
            throw new IllegalArgumentException("X has " + xs.dim(0) + " channels, W " + Arrays.toString(w.shape) + " and group "
                    + group + " do not fit (W's first axis is the input channels, divisible by group)");
        }
        int[] kernel = new int[n];
        for (int i = 0; i < n; i++) {
            kernel[i] = (int) w.shape[2 + i];
        }
        long[] ks = node.attrInts("kernel_shape", null);
        if (ks != null && !Arrays.equals(ks, Arrays.stream(kernel).asLongStream().toArray())) {
            throw new IllegalArgumentException("kernel_shape " + Arrays.toString(ks) + " does not match the weight " + Arrays.toString(w.shape));
        }
        long[] strides = perAxis(node, "strides", n, 1);
        long[] dilations = perAxis(node, "dilations", n, 1);
        long[] outputPadding = perAxis(node, "output_padding", n, 0);
        long[] sizes = Arrays.copyOfRange(xs.dims(), 1, n + 1);
        long[] pads = pads(node, n, sizes, kernel, strides, dilations, outputPadding);

        long filters = w.shape[1] * group;
        Map<String, INDArray> params = new HashMap<>();
        params.put("W", w.toArray());
        INDArray bArr = optionalConstant(ctx, node, 2, "the bias B");
        if (bArr != null) {
            params.put("b", Params.vector(Const.of(bArr), filters, "the bias B").toArray());
        }
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("filters", filters);
        config.put("kernel", Arrays.stream(kernel).boxed().toList());
        config.put("stride", ints(strides));
        config.put("dilation", ints(dilations));
        config.put("pads", ints(pads));
        config.put("output-padding", ints(outputPadding));
        config.put("groups", group);
        config.put("use-bias", bArr != null);
        String y = ctx.emit("onnx-conv-transpose", config, List.of(folded), params, h);
        ctx.bind(out(node), unfold(ctx, y, x, h + "_unfold"));
    }

    /** {@code [before..., after...]} from pads, auto_pad or output_shape. */
    static long[] pads(OnnxNode node, int n, long[] sizes, int[] kernel, long[] strides, long[] dilations, long[] outputPadding) {
        String autoPad = node.attrString("auto_pad", "NOTSET");
        long[] outputShape = node.attrInts("output_shape", null);
        if (!List.of("NOTSET", "VALID", "SAME_UPPER", "SAME_LOWER").contains(autoPad)) {
            throw new IllegalArgumentException("auto_pad '" + autoPad + "' is not one of NOTSET, VALID, SAME_UPPER, SAME_LOWER");
        }
        long[] pads = new long[2 * n];
        long[] target = null;
        if (outputShape != null) {
            if (outputShape.length != n && outputShape.length != n + 2) {
                throw new IllegalArgumentException("output_shape " + Arrays.toString(outputShape) + " must give the " + n + " spatial sizes");
            }
            target = Arrays.copyOfRange(outputShape, outputShape.length - n, outputShape.length);
        } else if (autoPad.startsWith("SAME")) {
            target = new long[n];
            for (int i = 0; i < n; i++) {
                target[i] = sizes[i] * strides[i];
            }
        }
        if (target == null) {
            if (autoPad.equals("VALID")) {
                return pads;
            }
            long[] p = node.attrInts("pads", pads);
            if (p.length != 2 * n || Arrays.stream(p).anyMatch(v -> v < 0)) {
                throw new IllegalArgumentException("pads " + Arrays.toString(p) + " must be " + 2 * n + " non-negative amounts");
            }
            return p;
        }
        for (int i = 0; i < n; i++) {
            long full = strides[i] * (sizes[i] - 1) + outputPadding[i] + (kernel[i] - 1) * dilations[i] + 1;
            long total = full - target[i];
            if (total < 0) {
                throw new IllegalArgumentException("the output size " + target[i] + " on axis " + i + " is larger than the "
                        + full + " elements the transposed convolution produces; native import does not pad outputs beyond output_padding");
            }
            boolean extraAtEnd = autoPad.equals("SAME_UPPER");
            pads[i] = extraAtEnd ? total / 2 : total - total / 2;
            pads[i + n] = total - pads[i];
        }
        return pads;
    }

    private static long[] perAxis(OnnxNode node, String attr, int n, long dflt) {
        long[] v = node.attrInts(attr, null);
        if (v == null) {
            long[] out = new long[n];
            Arrays.fill(out, dflt);
            return out;
        }
        if (v.length != n || Arrays.stream(v).anyMatch(e -> e < dflt)) {
            throw new IllegalArgumentException(attr + " " + Arrays.toString(v) + " must have " + n + " entries >= " + dflt);
        }
        return v;
    }

    private static List<Integer> ints(long[] v) {
        List<Integer> out = new ArrayList<>();
        for (long e : v) {
            out.add(Math.toIntExact(e));
        }
        return out;
    }
}
