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
 * {@code Conv} (opsets 7-17) on 1-D ({@code [C, L]}) and 2-D ({@code [C, H, W]}) examples, as
 * {@code conv1d} / {@code conv2d}: W (a constant {@code [M, C/group, ...kernel]}, Graft's layout) and
 * the optional constant B become the layer's parameters ({@code use-bias = false} without B);
 * {@code strides}, {@code dilations} and {@code group} carry over. Padding, whatever {@code auto_pad}
 * says, is resolved for the input's size: none is {@code valid}, the same amount at both ends of each
 * axis is the layer's padding, the asymmetric padding of {@code SAME_UPPER} is {@code same}, and any
 * other asymmetric padding ({@code SAME_LOWER}, uneven {@code pads}) becomes an {@code onnx-pad} node of
 * zeros in front of an unpadded convolution. Rejected: 3-D convolutions and computed weights.
 */
public final class ConvConverter extends OpConverter {
    public ConvConverter() {
        super("Conv", 7, 17, "ONNX Conv (1-D and 2-D) as conv1d / conv2d");
    }

    @Override
    public void convert(OnnxNode node, ImportContext ctx) {
        ImportContext.Value x = computed(ctx, node, 0, "the input X");
        Const w = Const.of(constant(ctx, node, 1, "the weight W")).noBatch("the weight W");
        int spatial = w.rank() - 2;
        if (spatial != 1 && spatial != 2) {
            throw new IllegalArgumentException("W has shape " + Arrays.toString(w.shape) + "; native import converts 1-D and 2-D"
                    + " convolutions only");
        }
        if (x.shape().rank() != spatial + 1) {
            throw new IllegalArgumentException("X has per-example shape " + dims(x.shape()) + " but W " + Arrays.toString(w.shape)
                    + " is a " + spatial + "-D kernel");
        }
        int[] kernel = new int[spatial];
        for (int i = 0; i < spatial; i++) {
            kernel[i] = (int) w.shape[2 + i];
        }
        long[] ks = node.attrInts("kernel_shape", null);
        if (ks != null && !Arrays.equals(ks, Arrays.stream(kernel).asLongStream().toArray())) {
            throw new IllegalArgumentException("kernel_shape " + Arrays.toString(ks) + " does not match the weight " + Arrays.toString(w.shape));
        }
        long group = node.attrInt("group", 1);
        long[] sizes = Arrays.copyOfRange(x.shape().dims(), 1, spatial + 1);
        Geometry g = Geometry.of(node, kernel, sizes);

        String input = x.node();
        String padding;
        if (g.none()) {
            padding = "valid";
        } else if (g.symmetric()) {
            padding = null;   // explicit amounts below
        } else if (g.graftSame(sizes)) {
            padding = "same";
        } else {
            input = ctx.emit("onnx-pad", Map.of("pads", g.padLayout()), List.of(input), Map.of(), hint(node) + "_pad");
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
        if (spatial == 2) {
            config.put("kernel", Geometry.list(kernel));
            config.put("stride", Geometry.list(g.strides));
            config.put("dilation", Geometry.list(g.dilations));
            config.put("padding", explicit ? Geometry.strings(g.pads) : List.of(padding));
            emit(ctx, node, "conv2d", config, input, params);
        } else {
            config.put("kernel", kernel[0]);
            config.put("stride", g.strides[0]);
            config.put("dilation", g.dilations[0]);
            config.put("padding", explicit ? String.valueOf(g.pads[0][0]) : padding);
            emit(ctx, node, "conv1d", config, input, params);
        }
    }
}
