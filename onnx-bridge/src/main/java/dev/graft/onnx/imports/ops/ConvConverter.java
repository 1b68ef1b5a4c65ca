package dev.graft.onnx.imports.ops;

import dev.graft.onnx.imports.ImportContext;
import dev.graft.onnx.imports.OnnxNode;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code Conv} (opsets 1-17) on 1-D ({@code [C, L]}), 2-D ({@code [C, H, W]}) and 3-D examples, as
 * {@code conv1d} / {@code conv2d}: W (a constant {@code [M, C/group, ...kernel]}, Graft's layout) and
 * the optional constant B become the layer's parameters ({@code use-bias = false} without B);
 * {@code strides}, {@code dilations} and {@code group} carry over. Padding, whatever {@code auto_pad}
 * says, is resolved for the input's size: none is {@code valid}, the same amount at both ends of each
 * axis is the layer's padding, the asymmetric padding of {@code SAME_UPPER} is {@code same}, and any
 * other asymmetric padding ({@code SAME_LOWER}, uneven {@code pads}) becomes an {@code onnx-pad} node of
 * zeros in front of an unpadded convolution. A 3-D weight makes an {@code onnx-conv3d}. Under batch axis
 * NONE the ONNX batch axis is folded into Graft's batch around the convolution, and a weight computed
 * from the inputs (2-D, one group) makes an {@code onnx-conv2d} of the images and the weight.
 * Rejected: computed weights when the first dimension is the batch.
 */
public final class ConvConverter extends OpConverter {
    public ConvConverter() {
        super("Conv", 1, 17, "ONNX Conv (1-D and 2-D) as conv1d / conv2d");
    }

    @Override
    public void convert(OnnxNode node, ImportContext ctx) {
        ImportContext.Value x = computed(ctx, node, 0, "the input X");
        ImportContext.Value wv = input(ctx, node, 1);
        String h = hint(node);
        String folded = fold(ctx, x, h);
        dev.graft.api.Shape xs = ctx.shapeOf(folded);
        long[] wShape = wv.isConstant() ? wv.constant().shape() : onnxShape(ctx, wv, 1);
        int spatial = wShape.length - 2;
        if (spatial < 1 || spatial > 3) {
            throw new IllegalArgumentException("W has shape " + Arrays.toString(wShape) + "; native import converts 1-D, 2-D and 3-D"
                    + " convolutions only");
        }
        if (xs.rank() != spatial + 1) {
            throw new IllegalArgumentException("X has per-example shape " + dims(xs) + " but W " + Arrays.toString(wShape)
                    + " is a " + spatial + "-D kernel");
        }
        int[] kernel = new int[spatial];
        for (int i = 0; i < spatial; i++) {
            kernel[i] = (int) wShape[2 + i];
        }
        long[] ks = node.attrInts("kernel_shape", null);
        if (ks != null && !Arrays.equals(ks, Arrays.stream(kernel).asLongStream().toArray())) {
            throw new IllegalArgumentException("kernel_shape " + Arrays.toString(ks) + " does not match the weight " + Arrays.toString(wShape));
        }
        long group = node.attrInt("group", 1);
        long[] sizes = Arrays.copyOfRange(xs.dims(), 1, spatial + 1);
        Geometry g = Geometry.of(node, kernel, sizes);
        if (!wv.isConstant()) {
            computedWeight(node, ctx, x, folded, xs, wv, g, group, spatial);
            return;
        }
        Const w = Const.of(wv.constant()).noBatch("the weight W");
        if (spatial == 3) {
            conv3d(node, ctx, x, folded, w, g, group);
            return;
        }

        String input = folded;
        String padding;
        if (g.none()) {
            padding = "valid";
        } else if (g.symmetric()) {
            padding = null;   // explicit amounts below
        } else if (g.graftSame(sizes)) {
            padding = "same";
        } else {
            input = ctx.emit("onnx-pad", Map.of("pads", g.padLayout()), List.of(input), Map.of(), h + "_pad");
            padding = "valid";
        }
        boolean explicit = padding == null;

        Map<String, INDArray> params = new HashMap<>();
        params.put("W", w.toArray());
        INDArray bArr = optionalConstant(ctx, node, 2, "the bias B");
        if (bArr != null) {
            params.put("b", Params.vector(Const.of(bArr), w.shape[0], "the bias B").toArray());
        }
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("filters", w.shape[0]);
        config.put("groups", group);
        config.put("use-bias", bArr != null);
        String y;
        if (spatial == 2) {
            config.put("kernel", Geometry.list(kernel));
            config.put("stride", Geometry.list(g.strides));
            config.put("dilation", Geometry.list(g.dilations));
            config.put("padding", explicit ? Geometry.strings(g.pads) : List.of(padding));
            y = ctx.emit("conv2d", config, List.of(input), params, h);
        } else {
            config.put("kernel", kernel[0]);
            config.put("stride", g.strides[0]);
            config.put("dilation", g.dilations[0]);
            config.put("padding", explicit ? String.valueOf(g.pads[0][0]) : padding);
            y = ctx.emit("conv1d", config, List.of(input), params, h);
        }
        ctx.bind(out(node), unfold(ctx, y, x, h + "_unfold"));
    }

    /** A 3-D convolution: {@code onnx-conv3d} (after an {@code onnx-pad} for asymmetric padding). */
    private static void conv3d(OnnxNode node, ImportContext ctx, ImportContext.Value x, String folded, Const w, Geometry g, long group) {
        String h = hint(node);
        String input = folded;
        if (!g.symmetric()) {
            input = ctx.emit("onnx-pad", Map.of("pads", g.padLayout()), List.of(input), Map.of(), h + "_pad");
        }
        Map<String, INDArray> params = new HashMap<>();
        params.put("W", w.toArray());
        INDArray bArr = optionalConstant(ctx, node, 2, "the bias B");
        if (bArr != null) {
            params.put("b", Params.vector(Const.of(bArr), w.shape[0], "the bias B").toArray());
        }
        List<Integer> padding = new java.util.ArrayList<>();
        for (long[] p : g.pads) {
            padding.add(g.symmetric() ? (int) p[0] : 0);
        }
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("filters", w.shape[0]);
        config.put("kernel", Geometry.list(g.kernel));
        config.put("stride", Geometry.list(g.strides));
        config.put("dilation", Geometry.list(g.dilations));
        config.put("padding", padding);
        config.put("groups", group);
        config.put("use-bias", bArr != null);
        String y = ctx.emit("onnx-conv3d", config, List.of(input), params, h);
        ctx.bind(out(node), unfold(ctx, y, x, h + "_unfold"));
    }

    /** A 2-D convolution by a weight computed from the inputs (whole tensors): {@code onnx-conv2d}. */
    private static void computedWeight(OnnxNode node, ImportContext ctx, ImportContext.Value x, String folded, dev.graft.api.Shape xs,
                                       ImportContext.Value w, Geometry g, long group, int spatial) {
        String h = hint(node);
        if (ctx.batchFirst() || spatial != 2 || group != 1) {
            throw new IllegalArgumentException("the weight W ('" + w.onnxName() + "') is computed from the model input; native import"
                    + " convolves by a computed weight only for whole tensors (batch axis none), in 2-D and without groups");
        }
        String input = folded;
        if (!g.symmetric()) {
            input = ctx.emit("onnx-pad", Map.of("pads", g.padLayout()), List.of(input), Map.of(), h + "_pad");
        }
        List<String> inputs = new java.util.ArrayList<>(List.of(input, w.node()));
        ImportContext.Value b = node.input(2).isPresent() ? input(ctx, node, 2) : null;
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("stride", Geometry.list(g.strides));
        config.put("dilation", Geometry.list(g.dilations));
        config.put("padding", g.symmetric() ? List.of(g.pads[0][0], g.pads[1][0]) : List.of(0L, 0L));
        if (b != null) {
            inputs.add(b.isConstant() ? promote(ctx, b, w, h + "_B") : b.node());
        }
        String y = ctx.emit("onnx-conv2d", config, inputs, Map.of(), h);
        ctx.bind(out(node), unfold(ctx, y, x, h + "_unfold"));
    }
}
