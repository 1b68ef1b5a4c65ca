package dev.graft.onnx.imports.ops;

import dev.graft.onnx.imports.ImportContext;
import dev.graft.onnx.imports.OnnxNode;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;


import static dev.graft.onnx.imports.ops.OpConverter.computed;
import static dev.graft.onnx.imports.ops.OpConverter.dims;
import static dev.graft.onnx.imports.ops.OpConverter.emit;
import static dev.graft.onnx.imports.ops.OpConverter.hint;
import static dev.graft.onnx.imports.ops.OpConverter.out;

/**
 * The pooling ops (opsets 1-17). Under batch axis NONE the ONNX batch axis is folded into Graft's
 * batch around the pooling layer.
 *
 * <ul>
 *   <li>{@code MaxPool}, 1-D and 2-D without dilations: {@code max-pool1d} / {@code max-pool2d} with
 *       ONNX's {@code kernel_shape}, {@code strides} (default 1) and padding resolved as for
 *       {@code Conv}; padding the layer cannot express (asymmetric, or more than half the kernel) is an
 *       {@code onnx-pad} of the lowest float in front. {@code ceil_mode = 1} is extra padding at the
 *       end. 3-D windows and dilations: {@code onnx-pool}. The {@code Indices} output (for whole tensors
 *       only) is an {@code onnx-pool} argmax plus each channel plane's offset.</li>
 *   <li>{@code AveragePool}: {@code avg-pool1d} / {@code avg-pool2d} (or {@code onnx-pool}), whose
 *       padding counts as zeros. Where ONNX counts fewer elements, the result is multiplied by a fixed
 *       {@code onnx-binary} factor {@code window size / elements counted} per output position, which
 *       is exact: the real elements for {@code count_include_pad = 0} (the default), the input and its
 *       declared padding but not the extra end of {@code ceil_mode} for {@code count_include_pad = 1}.</li>
 *   <li>{@code GlobalAveragePool}: {@code global-avg-pool} then {@code reshape} to {@code [C, 1, 1]}
 *       ({@code [C, 1]} for 1-D); under NONE an {@code onnx-reduce} mean.</li>
 *   <li>{@code GlobalMaxPool}: {@code onnx-reduce} max over the spatial axes, keeping them.</li>
 * </ul>
 */
public final class Pooling {
    private Pooling() {
    }

    /** {@code MaxPool}. */
    public static final class MaxPool extends OpConverter {
        public MaxPool() {
            super("MaxPool", 1, 17, "ONNX MaxPool as max-pool1d / max-pool2d, or onnx-pool for 3-D windows and dilations");
        }

        @Override
        public void convert(OnnxNode node, ImportContext ctx) {
            boolean indices = node.outputs().size() > 1 && !node.outputs().get(1).isEmpty();
            if (indices && ctx.batchFirst()) {
                throw new IllegalArgumentException("the node asks for output 1 (Indices), whose values count the batch; native import computes"
                        + " it for whole tensors (batch axis none)");
            }
            pool(node, ctx, true, indices);
        }
    }

    /** {@code AveragePool}. */
    public static final class AveragePool extends OpConverter {
        public AveragePool() {
            super("AveragePool", 1, 17, "ONNX AveragePool as avg-pool1d / avg-pool2d or onnx-pool, exact for count_include_pad 0 and 1 and ceil_mode");
        }

        @Override
        public void convert(OnnxNode node, ImportContext ctx) {
            pool(node, ctx, false, false);
        }
    }

    /** {@code GlobalAveragePool}. */
    public static final class GlobalAveragePool extends OpConverter {
        public GlobalAveragePool() {
            super("GlobalAveragePool", 1, 17, "ONNX GlobalAveragePool as global-avg-pool and a reshape to [C, 1, 1]");
        }

        @Override
        public void convert(OnnxNode node, ImportContext ctx) {
            ImportContext.Value x = computed(ctx, node, 0, "the input X");
            if (!ctx.batchFirst()) {
                reduceSpatial(node, ctx, x, "mean");
                return;
            }
            if (x.shape().rank() < 2) {
                throw new IllegalArgumentException("X must have channels and spatial axes, got per-example shape " + dims(x.shape()));
            }
            String pooled = ctx.emit("global-avg-pool", Map.of(), List.of(x.node()), Map.of(), hint(node));
            List<Long> shape = new ArrayList<>();
            shape.add(x.shape().dim(0));
            for (int i = 1; i < x.shape().rank(); i++) {
                shape.add(1L);
            }
            emit(ctx, node, "reshape", Map.of("shape", shape), pooled, Map.of());
        }
    }

    /** {@code GlobalMaxPool}. */
    public static final class GlobalMaxPool extends OpConverter {
        public GlobalMaxPool() {
            super("GlobalMaxPool", 1, 17, "ONNX GlobalMaxPool as onnx-reduce max over the spatial axes");
        }

        @Override
        public void convert(OnnxNode node, ImportContext ctx) {
            reduceSpatial(node, ctx, computed(ctx, node, 0, "the input X"), "max");
        }
    }

    /** {@code onnx-reduce} over the spatial axes (those after the ONNX batch and channel axes), keeping them. */
    private static void reduceSpatial(OnnxNode node, ImportContext ctx, ImportContext.Value x, String op) {
        int first = 2 - OpConverter.batchAxes(ctx);
        if (x.shape().rank() <= first) {
            throw new IllegalArgumentException("X must have batch, channel and spatial axes, got " + (ctx.batchFirst() ? "per-example " : "")
                    + "shape " + dims(x.shape()));
        }
        List<Integer> axes = new ArrayList<>();
        for (int i = first; i < x.shape().rank(); i++) {
            axes.add(i);
        }
        emit(ctx, node, "onnx-reduce", Map.of("op", op, "axes", axes, "keepdims", true), x.node(), Map.of());
    }

    private static void pool(OnnxNode node, ImportContext ctx, boolean max, boolean indices) {
        ImportContext.Value xv = computed(ctx, node, 0, "the input X");
        String h = hint(node);
        String folded = OpConverter.fold(ctx, xv, h);
        Folded x = new Folded(folded, ctx.shapeOf(folded));
        long[] ks = node.attrInts("kernel_shape", null);
        if (ks == null) {
            throw new IllegalArgumentException("kernel_shape is required");
        }
        int spatial = ks.length;
        if (spatial < 1) {
            throw new IllegalArgumentException("kernel_shape " + Arrays.toString(ks) + " has no axes");
        }
        if (x.shape().rank() != spatial + 1) {
            throw new IllegalArgumentException("X has per-example shape " + dims(x.shape()) + " but kernel_shape " + Arrays.toString(ks)
                    + " has " + spatial + " axes");
        }
        int[] kernel = Arrays.stream(ks).mapToInt(v -> (int) v).toArray();
        long[] sizes = Arrays.copyOfRange(x.shape().dims(), 1, spatial + 1);
        Geometry g = Geometry.of(node, kernel, sizes);
        long[] padEnd = new long[spatial];
        for (int i = 0; i < spatial; i++) {
            padEnd[i] = g.pads[i][1];
        }
        boolean extended = false;
        if (node.attrInt("ceil_mode", 0) != 0) {
            long[] floor = g.outSizes(sizes, false);
            long[] ceil = g.outSizes(sizes, true);
            for (int i = 0; i < spatial; i++) {
                // as PyTorch and ONNX Runtime: the last window must start inside the input or its leading padding
                if ((ceil[i] - 1) * g.strides[i] >= sizes[i] + g.pads[i][0]) {
                    ceil[i]--;
                }
                if (ceil[i] != floor[i]) {
                    long eff = (long) g.dilations[i] * (kernel[i] - 1) + 1;
                    g.pads[i][1] += (ceil[i] - 1) * g.strides[i] + eff - (sizes[i] + g.pads[i][0] + g.pads[i][1]);
                    extended = true;
                }
            }
        }
        if (indices) {
            indices(node, ctx, xv, folded, g, kernel, h);
        }
        boolean includePad = max || node.attrInt("count_include_pad", 0) != 0;
        boolean generic = spatial > 2 || Arrays.stream(g.dilations).anyMatch(d -> d != 1);
        String pooled;
        if (generic) {
            List<Long> pads = new ArrayList<>();
            for (long[] p : g.pads) {
                pads.add(p[0]);
            }
            for (long[] p : g.pads) {
                pads.add(p[1]);
            }
            Map<String, Object> config = new LinkedHashMap<>();
            config.put("op", max ? "max" : "avg");
            config.put("kernel", Geometry.list(kernel));
            config.put("strides", Geometry.list(g.strides));
            config.put("dilations", Geometry.list(g.dilations));
            config.put("pads", pads);
            pooled = ctx.emit("onnx-pool", config, List.of(x.node()), Map.of(), h);
        } else {
            pooled = layerPool(ctx, x, g, kernel, spatial, max, h);
        }
        boolean rescale = !max && ((!includePad && !g.none()) || extended);
        if (!rescale) {
            ctx.bind(out(node), OpConverter.unfold(ctx, pooled, xv, h + "_unfold"));
            return;
        }
        // average over the real elements (count_include_pad = 0) or over the input and its declared padding (count_include_pad = 1,
        // without the extra end padding of ceil_mode): rescale each output by window size / elements counted
        long[] out = Arrays.copyOfRange(ctx.shapeOf(pooled).dims(), 1, spatial + 1);
        int n = (int) Arrays.stream(out).reduce(1, Math::multiplyExact);
        double[] factor = new double[n];
        long window = Arrays.stream(kernel).asLongStream().reduce(1, Math::multiplyExact);
        long[] idx = new long[spatial];
        for (int k = 0; k < n; k++) {
            long counted = 1;
            for (int i = 0; i < spatial; i++) {
                long start = idx[i] * g.strides[i] - g.pads[i][0];
                long lo = includePad ? -g.pads[i][0] : 0;
                long hi = includePad ? sizes[i] + padEnd[i] : sizes[i];
                long c = 0;
                for (int j = 0; j < kernel[i]; j++) {
                    long at = start + (long) j * g.dilations[i];
                    if (at >= lo && at < hi) {
                        c++;
                    }
                }
                counted *= c;
            }
            if (counted == 0) {
                throw new IllegalArgumentException("a pooling window lies entirely in the padding");
            }
            factor[k] = (double) window / counted;
            for (int i = spatial - 1; i >= 0; i--) {
                if (++idx[i] < out[i]) {
                    break;
                }
                idx[i] = 0;
            }
        }
        long[] fShape = new long[spatial + 1];
        fShape[0] = 1;
        System.arraycopy(out, 0, fShape, 1, spatial);
        Map<String, Object> mul = new LinkedHashMap<>();
        mul.put("op", "mul");
        mul.put("constant-shape", Params.list(fShape));
        mul.put("trainable", false);
        String y = ctx.emit("onnx-binary", mul, List.of(pooled),
                Map.of("c", Const.reals(fShape, factor, org.nd4j.linalg.api.buffer.DataType.FLOAT).toArray()), h + "_scale");
        ctx.bind(out(node), OpConverter.unfold(ctx, y, xv, h + "_unfold"));
    }

    /**
     * MaxPool's {@code Indices} (whole tensors): {@code onnx-pool} argmax gives each maximum's index in
     * its channel plane; the plane's offset {@code (n * C + c) * plane size} is added as a constant.
     */
    private static void indices(OnnxNode node, ImportContext ctx, ImportContext.Value x, String folded, Geometry g, int[] kernel, String h) {
        List<Long> pads = new ArrayList<>();
        for (long[] p : g.pads) {
            pads.add(p[0]);
        }
        for (long[] p : g.pads) {
            pads.add(p[1]);
        }
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("op", "argmax");
        config.put("kernel", Geometry.list(kernel));
        config.put("strides", Geometry.list(g.strides));
        config.put("dilations", Geometry.list(g.dilations));
        config.put("pads", pads);
        config.put("column-major", node.attrInt("storage_order", 0) != 0);
        String planeIndex = OpConverter.unfold(ctx, ctx.emit("onnx-pool", config, List.of(folded), Map.of(), h + "_indices"), x, h + "_indices_unfold");
        long[] d = x.shape().dims();
        long plane = 1;
        for (int i = 2; i < d.length; i++) {
            plane *= d[i];
        }
        long[] offsetShape = new long[d.length];
        Arrays.fill(offsetShape, 1);
        offsetShape[0] = d[0];
        offsetShape[1] = d[1];
        double[] offsets = new double[(int) (d[0] * d[1])];
        for (int i = 0; i < offsets.length; i++) {
            offsets[i] = (double) i * plane;
        }
        Map<String, Object> add = new LinkedHashMap<>();
        add.put("op", "add");
        add.put("constant-shape", Params.list(offsetShape));
        add.put("trainable", false);
        String y = ctx.emit("onnx-binary", add, List.of(planeIndex), Map.of("c", Const.reals(offsetShape, offsets,
                org.nd4j.linalg.api.buffer.DataType.FLOAT).toArray()), h + "_indices_offset");
        ctx.bind(node.outputs().get(1), y, dev.graft.onnx.proto.ElementType.INT64);
    }

    /** 1-D and 2-D pooling without dilations as Graft's pooling layers (and an onnx-pad for padding they cannot express). */
    private static String layerPool(ImportContext ctx, Folded x, Geometry g, int[] kernel, int spatial, boolean max, String h) {
        String input = x.node();
        List<String> padding;
        boolean layerPads = g.symmetric();
        for (int i = 0; i < spatial; i++) {
            layerPads &= 2 * g.pads[i][0] <= kernel[i];
        }
        if (g.none()) {
            padding = List.of("0");
        } else if (layerPads) {
            padding = Geometry.strings(g.pads);
        } else {
            Map<String, Object> pad = new LinkedHashMap<>();
            pad.put("pads", g.padLayout());
            pad.put("value", max ? -Float.MAX_VALUE : 0.0);
            input = ctx.emit("onnx-pad", pad, List.of(input), Map.of(), h + "_pad");
            padding = List.of("0");
        }
        String layer = (max ? "max-pool" : "avg-pool") + spatial + "d";
        Map<String, Object> config = new LinkedHashMap<>();
        if (spatial == 2) {
            config.put("kernel", Geometry.list(kernel));
            config.put("stride", Geometry.list(g.strides));
            config.put("padding", padding);
        } else {
            config.put("kernel", kernel[0]);
            config.put("stride", g.strides[0]);
            config.put("padding", padding.get(0));
        }
        return ctx.emit(layer, config, List.of(input), Map.of(), h);
    }

    /** The pooled value as the pooling layer sees it: a Graft node and its per-example shape. */
    private record Folded(String node, dev.graft.api.Shape shape) {
    }
}
