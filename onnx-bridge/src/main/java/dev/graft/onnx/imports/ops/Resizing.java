package dev.graft.onnx.imports.ops;

import dev.graft.onnx.imports.ImportContext;
import dev.graft.onnx.imports.OnnxNode;
import dev.graft.onnx.imports.UnsupportedNodeException;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.graft.onnx.imports.ops.OpConverter.emit;
import static dev.graft.onnx.imports.ops.OpConverter.out;

/**
 * {@code Resize} (opsets 10-17) and {@code Upsample} (7-9) in {@code nearest} and {@code linear}
 * modes as {@code onnx-resize}, with constant {@code scales} or {@code sizes}.
 *
 * <ul>
 *   <li>Opset 11 and later: {@code coordinate_transformation_mode} {@code half_pixel} (the default),
 *       {@code pytorch_half_pixel}, {@code align_corners} or {@code asymmetric}, the ones PyTorch and
 *       TensorFlow exports use; {@code nearest_mode} as given ({@code round_prefer_floor} by
 *       default). {@code roi} is ignored (it only matters for {@code tf_crop_and_resize}).</li>
 *   <li>Resize-10 and Upsample: {@code asymmetric} coordinates, and nearest picks the floor when
 *       enlarging and the ceiling when shrinking, as ONNX Runtime does.</li>
 * </ul>
 * The output size of each axis is {@code floor(size * scale)}, or {@code sizes}. When the first
 * dimension is the batch, the batch axis must keep its size (scale 1, or the batch size from
 * {@code Shape} in {@code sizes}); under batch axis {@code NONE} every axis may be resized. Rejected: the
 * {@code cubic} mode, the other coordinate transformations ({@code tf_half_pixel_for_nn},
 * {@code tf_crop_and_resize}, {@code half_pixel_symmetric}), computed scales or sizes (reported as
 * unsupported: integer sizes known ahead are folded).
 */
public final class Resizing {
    private Resizing() {
    }

    /** {@code Resize}. */
    public static final class Resize extends OpConverter {
        public Resize() {
            super("Resize", 10, 17, "ONNX Resize (nearest, linear) as onnx-resize");
        }

        @Override
        public String unsupported(OnnxNode node) {
            return unsupportedModes(node.attrString("mode", "nearest"),
                    node.opset() < 11 ? "asymmetric" : node.attrString("coordinate_transformation_mode", "half_pixel"),
                    node.opset() < 11 ? "simple" : node.attrString("nearest_mode", "round_prefer_floor"));
        }

        @Override
        public void convert(OnnxNode node, ImportContext ctx) {
            ImportContext.Value x = computed(ctx, node, 0, "the input X");
            INDArray scales;
            INDArray sizes = null;
            if (node.opset() < 11) {
                constantOperand(node, ctx, 1, "scales");
                scales = constant(ctx, node, 1, "scales");
            } else {
                constantOperand(node, ctx, 2, "scales");
                constantOperand(node, ctx, 3, "sizes");
                scales = optionalConstant(ctx, node, 2, "scales");
                sizes = optionalConstant(ctx, node, 3, "sizes");
            }
            String coordinates = node.opset() < 11 ? "asymmetric" : node.attrString("coordinate_transformation_mode", "half_pixel");
            String rounding = node.opset() < 11 ? "simple" : node.attrString("nearest_mode", "round_prefer_floor");
            resize(node, ctx, x, scales, sizes, node.attrString("mode", "nearest"), coordinates, rounding);
        }
    }

    /** {@code Upsample}. */
    public static final class Upsample extends OpConverter {
        public Upsample() {
            super("Upsample", 7, 9, "ONNX Upsample (nearest, linear) as onnx-resize");
        }

        @Override
        public String unsupported(OnnxNode node) {
            String mode = node.attrString("mode", "nearest");
            return unsupportedModes(mode.equals("bilinear") ? "linear" : mode, "asymmetric", "simple");
        }

        @Override
        public void convert(OnnxNode node, ImportContext ctx) {
            ImportContext.Value x = computed(ctx, node, 0, "the input X");
            INDArray scales;
            if (node.opset() < 9) {
                float[] f = node.attrFloats("scales", null);
                if (f == null) {
                    throw new IllegalArgumentException("the scales attribute is missing");
                }
                double[] d = new double[f.length];
                for (int i = 0; i < f.length; i++) {
                    d[i] = f[i];
                }
                scales = Const.reals(new long[] {f.length}, d, org.nd4j.linalg.api.buffer.DataType.FLOAT).toArray();
            } else {
                constantOperand(node, ctx, 1, "scales");
                scales = constant(ctx, node, 1, "scales");
            }
            String mode = node.attrString("mode", "nearest");
            resize(node, ctx, x, scales, null, mode.equals("bilinear") ? "linear" : mode, "asymmetric", "simple");
        }
    }

    /** Why native import cannot resize in these modes, or null when it can. */
    static String unsupportedModes(String mode, String coordinates, String rounding) {
        if (!mode.equals("nearest") && !mode.equals("linear")) {
            return "mode '" + mode + "' (native import resizes in nearest and linear modes)";
        }
        if (!List.of("asymmetric", "half_pixel", "pytorch_half_pixel", "align_corners").contains(coordinates)) {
            return "coordinate_transformation_mode '" + coordinates + "' (native import handles asymmetric, half_pixel,"
                    + " pytorch_half_pixel and align_corners)";
        }
        if (!List.of("simple", "round_prefer_floor", "round_prefer_ceil", "floor", "ceil").contains(rounding)) {
            return "nearest_mode '" + rounding + "' (round_prefer_floor, round_prefer_ceil, floor and ceil are supported)";
        }
        return null;
    }

    /**
     * Refuses real {@code scales} or {@code sizes} computed from the inputs: the output shape would
     * depend on the data, and only integer inputs can be known ahead (integer values are left to
     * {@link OpConverter#constant}, which folds them when they are).
     */
    static void constantOperand(OnnxNode node, ImportContext ctx, int i, String what) {
        if (node.input(i).isPresent()) {
            ImportContext.Value v = OpConverter.input(ctx, node, i);
            if (!v.isConstant() && !v.isIntegral()) {
                throw new UnsupportedNodeException(what + " ('" + v.onnxName() + "') is computed from the inputs, so the output shape would"
                        + " depend on the data; native import resizes by constant scales or sizes");
            }
        }
    }

    static void resize(OnnxNode node, ImportContext ctx, ImportContext.Value x, INDArray scalesArr, INDArray sizesArr, String mode,
                       String coordinates, String rounding) {
        if (!mode.equals("nearest") && !mode.equals("linear")) {
            throw new IllegalArgumentException("mode '" + mode + "' is not supported; native import resizes in nearest and linear modes");
        }
        if (!List.of("asymmetric", "half_pixel", "pytorch_half_pixel", "align_corners").contains(coordinates)) {
            throw new IllegalArgumentException("coordinate_transformation_mode '" + coordinates + "' is not supported; native import"
                    + " handles asymmetric, half_pixel, pytorch_half_pixel and align_corners");
        }
        if (!List.of("simple", "round_prefer_floor", "round_prefer_ceil", "floor", "ceil").contains(rounding)) {
            throw new IllegalArgumentException("nearest_mode '" + rounding + "' is not one of round_prefer_floor, round_prefer_ceil, floor, ceil");
        }
        long[] in = x.shape().dims();
        int b = OpConverter.batchAxes(ctx);
        int full = in.length + b;
        Const scales = scalesArr == null || scalesArr.length() == 0 ? null : Const.of(scalesArr).noBatch("scales");
        Const sizes = sizesArr == null || sizesArr.length() == 0 ? null : Const.of(sizesArr);
        if ((scales == null) == (sizes == null)) {
            throw new IllegalArgumentException("give exactly one of scales and sizes (the node has "
                    + (scales == null ? "neither" : "both") + ")");
        }
        List<Long> outSizes = new ArrayList<>();
        List<Double> factors = new ArrayList<>();
        if (scales != null) {
            double[] s = scales.doubles("scales");
            if (s.length != full) {
                throw new IllegalArgumentException("scales " + Arrays.toString(s) + " must have " + full + " entries, one per axis of the input");
            }
            if (b == 1 && s[0] != 1) {
                throw new IllegalArgumentException("scales " + Arrays.toString(s) + " resize the batch axis; native import keeps the batch size");
            }
            for (int i = 0; i < in.length; i++) {
                if (!(s[i + b] > 0)) {
                    throw new IllegalArgumentException("scales " + Arrays.toString(s) + " must be positive");
                }
                // ONNX Runtime multiplies in single precision
                long o = (long) Math.floor((float) in[i] * (float) s[i + b]);
                if (o <= 0) {
                    throw new IllegalArgumentException("scale " + s[i + b] + " leaves no element of axis " + (i + b) + " (size " + in[i] + ")");
                }
                outSizes.add(o);
                factors.add((double) (float) s[i + b]);
            }
        } else {
            long[] z = sizes.ints != null ? sizes.ints : sizes.longs("sizes");
            if (z.length != full) {
                throw new IllegalArgumentException("sizes " + Arrays.toString(z) + " must have " + full + " entries, one per axis of the input");
            }
            if (b == 1 && z[0] != Const.BATCH) {
                throw new IllegalArgumentException("sizes " + Arrays.toString(z) + " fix the batch size at " + z[0] + "; native import needs"
                        + " the batch size there, from a Shape of the data");
            }
            for (int i = 0; i < in.length; i++) {
                if (z[i + b] <= 0 || z[i + b] == Const.BATCH) {
                    throw new IllegalArgumentException("sizes " + Arrays.toString(z) + " must be positive on the non-batch axes");
                }
                outSizes.add(z[i + b]);
                factors.add((double) ((float) z[i + b] / (float) in[i]));
            }
        }
        if (outSizes.equals(Params.list(in)) && factors.stream().allMatch(f -> f == 1.0)) {
            ctx.bind(out(node), x.node());
            return;
        }
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("sizes", outSizes);
        config.put("scales", factors);
        config.put("mode", mode);
        config.put("coordinate-transformation", coordinates.replace('_', '-'));
        config.put("nearest-mode", rounding.replace('_', '-'));
        emit(ctx, node, "onnx-resize", config, x.node(), Map.of());
    }
}
