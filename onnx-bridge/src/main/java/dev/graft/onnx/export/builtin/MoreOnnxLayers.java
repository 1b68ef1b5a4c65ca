package dev.graft.onnx.export.builtin;

import dev.graft.api.Shape;
import dev.graft.onnx.export.OnnxGraph;
import dev.graft.onnx.export.OnnxLayerExporter.Context;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Exporters of the {@code onnx-*} layers of graphs imported as whole tensors and of the later
 * converters: {@code onnx-reshape}, {@code onnx-fold-batch}, {@code onnx-unfold-batch},
 * {@code onnx-constant}, {@code onnx-reverse}, {@code onnx-conv2d}, {@code onnx-conv3d},
 * {@code onnx-pool}, {@code onnx-cumsum}, {@code onnx-arg} and {@code onnx-select}. Per-example axes
 * become full-tensor axes by adding one for the batch.
 */
public final class MoreOnnxLayers {
    private MoreOnnxLayers() {
    }

    private static long[] ints(Map<String, Object> c, String key) {
        return Cfg.longs(c, key);
    }

    /** {@code [b..., b...]}: the same padding at both ends of each axis, in ONNX's pads layout. */
    private static long[] symmetric(long[] perAxis) {
        long[] out = new long[2 * perAxis.length];
        for (int i = 0; i < perAxis.length; i++) {
            out[i] = perAxis[i];
            out[i + perAxis.length] = perAxis[i];
        }
        return out;
    }

    /** The batch size of {@code x} as a 1-D int64 of one element ({@code Shape}, then {@code Slice}). */
    private static String batchSize(Context ctx, String x) {
        return ctx.op("Slice").input(ctx.op("Shape").input(x).output(), ctx.longs("start", 0), ctx.longs("end", 1)).output();
    }

    /** {@code onnx-reshape} as {@code Reshape} to {@code [batch, ...shape]} ({@code [batch]} for scalars). */
    public static final class Reshape extends Base.Layer {
        public Reshape() {
            super("onnx-reshape", "exports onnx-reshape as ONNX Reshape");
        }

        @Override
        public String export(Context ctx) {
            return Ops.reshape(ctx, ctx.input(), ctx.outputShape());
        }
    }

    /** {@code onnx-fold-batch} as {@code Reshape} to {@code [-1, ...rest]}: the first per-example axis joins the batch. */
    public static final class FoldBatch extends Base.Layer {
        public FoldBatch() {
            super("onnx-fold-batch", "exports onnx-fold-batch as ONNX Reshape");
        }

        @Override
        public String export(Context ctx) {
            return Ops.reshape(ctx, ctx.input(), ctx.outputShape());
        }
    }

    /** {@code onnx-unfold-batch} as {@code Reshape} to {@code [-1, n, ...rest]}. */
    public static final class UnfoldBatch extends Base.Layer {
        public UnfoldBatch() {
            super("onnx-unfold-batch", "exports onnx-unfold-batch as ONNX Reshape");
        }

        @Override
        public String export(Context ctx) {
            return Ops.reshape(ctx, ctx.input(), ctx.outputShape());
        }
    }

    /**
     * {@code onnx-constant} as {@code Expand} of the parameter {@code value} to {@code [batch,
     * ...shape]}, the batch size read by {@code Shape} from the input (whose values are not used,
     * as in the layer).
     */
    public static final class Constant extends Base.Layer {
        public Constant() {
            super("onnx-constant", "exports onnx-constant as ONNX Expand of the value to the input's batch size");
        }

        @Override
        public String export(Context ctx) {
            long[] shape = ints(ctx.config(), "shape");
            String batch = batchSize(ctx, ctx.input());
            String target = shape.length == 0 ? batch : ctx.op("Concat").input(batch, ctx.longs("shape", shape)).attr("axis", 0L).output();
            return ctx.op("Expand").input(ctx.param("value"), target).output();
        }
    }

    /** {@code onnx-reverse} as {@code Slice} with step -1 over the per-example axes + 1. */
    public static final class Reverse extends Base.Layer {
        public Reverse() {
            super("onnx-reverse", "exports onnx-reverse as ONNX Slice with step -1");
        }

        @Override
        public String export(Context ctx) {
            long[] axes = ints(ctx.config(), "axes");
            long[] full = new long[axes.length];
            long[] starts = new long[axes.length];
            long[] ends = new long[axes.length];
            long[] steps = new long[axes.length];
            for (int i = 0; i < axes.length; i++) {
                full[i] = axes[i] + 1;
                starts[i] = -1;
                ends[i] = -Long.MAX_VALUE;      // before the first element, whatever the size
                steps[i] = -1;
            }
            return ctx.op("Slice").input(ctx.input(), ctx.longs("starts", starts), ctx.longs("ends", ends), ctx.longs("axes", full),
                    ctx.longs("steps", steps)).output();
        }
    }

    /**
     * {@code onnx-conv2d} as {@code Conv} whose weight (and bias) are the node's second (and third)
     * inputs with their batch of one squeezed away.
     */
    public static final class Conv2d extends Base.Layer {
        public Conv2d() {
            super("onnx-conv2d", "exports onnx-conv2d as ONNX Conv with the weight and bias as inputs");
        }

        @Override
        public String export(Context ctx) {
            Map<String, Object> c = ctx.config();
            List<String> in = ctx.inputs();
            OnnxGraph.Node n = ctx.op("Conv").input(in.get(0), Ops.squeeze(ctx, in.get(1), 0));
            if (in.size() == 3) {
                n.input(Ops.squeeze(ctx, in.get(2), 0));
            }
            Shape w = ctx.inputShapes().get(1);
            return n.ints("kernel_shape", w.dim(2), w.dim(3)).ints("strides", ints(c, "stride")).ints("dilations", ints(c, "dilation"))
                    .ints("pads", symmetric(ints(c, "padding"))).output();
        }
    }

    /** {@code onnx-conv3d} as {@code Conv} with a 5-D weight (already ONNX's layout). */
    public static final class Conv3d extends Base.Layer {
        public Conv3d() {
            super("onnx-conv3d", "exports onnx-conv3d as ONNX Conv");
        }

        @Override
        public String export(Context ctx) {
            Map<String, Object> c = ctx.config();
            OnnxGraph.Node n = ctx.op("Conv").input(ctx.input(), ctx.param("W"));
            if (Cfg.bool(c, "use-bias")) {
                n.input(ctx.param("b"));
            }
            return n.ints("kernel_shape", ints(c, "kernel")).ints("strides", ints(c, "stride")).ints("dilations", ints(c, "dilation"))
                    .ints("pads", symmetric(ints(c, "padding"))).attr("group", Cfg.integer(c, "groups")).output();
        }
    }

    /**
     * {@code onnx-pool} as {@code MaxPool} (padding never wins) or {@code AveragePool} with
     * {@code count_include_pad = 1} (the layer divides by the window size). An average with dilations
     * below opset 19, where {@code AveragePool} has none, is written as the depthwise {@code Conv}
     * by a window of {@code 1 / window size}, which computes the same mean. {@code argmax} is
     * {@code MaxPool}'s {@code Indices} output ({@code storage_order} 1 for {@code column-major}; the
     * first of equal maxima in window order, as in the layer) modulo the size of a channel plane,
     * which removes the batch and channel offset, then {@code Cast} to float.
     */
    public static final class Pool extends Base.Layer {
        public Pool() {
            super("onnx-pool", "exports onnx-pool as ONNX MaxPool or AveragePool (count_include_pad = 1)");
        }

        @Override
        public String export(Context ctx) {
            Map<String, Object> c = ctx.config();
            long[] kernel = ints(c, "kernel");
            long[] strides = ints(c, "strides");
            long[] dilations = ints(c, "dilations");
            long[] pads = ints(c, "pads");
            boolean dilated = Arrays.stream(dilations).anyMatch(d -> d != 1);
            String op = Cfg.string(c, "op");
            if (op.equals("max") || op.equals("argmax")) {
                OnnxGraph.Node n = ctx.op("MaxPool").input(ctx.input()).ints("kernel_shape", kernel).ints("strides", strides)
                        .ints("dilations", dilations).ints("pads", pads);
                if (op.equals("max")) {
                    return n.output();
                }
                boolean columnMajor = Cfg.has(c, "column-major") && Cfg.bool(c, "column-major");
                String indices = n.attr("storage_order", columnMajor ? 1L : 0L).outputs(2).get(1);
                long plane = ctx.inputShape().size() / ctx.inputShape().dim(0);
                String within = Ops.binary(ctx, "Mod", indices, ctx.constant("plane", Nd4j.scalar(DataType.LONG, plane)));
                return ctx.op("Cast").input(within).attr("to", (long) onnx.Onnx.TensorProto.DataType.FLOAT_VALUE).output();
            }
            if (!dilated || ctx.opset() >= 19) {
                OnnxGraph.Node n = ctx.op("AveragePool").input(ctx.input()).ints("kernel_shape", kernel).ints("strides", strides)
                        .ints("pads", pads).attr("count_include_pad", 1L);
                if (dilated) {
                    n.ints("dilations", dilations);
                }
                return n.output();
            }
            long channels = ctx.inputShape().dim(0);
            long[] wShape = new long[kernel.length + 2];
            wShape[0] = channels;
            wShape[1] = 1;
            long windows = 1;
            for (int i = 0; i < kernel.length; i++) {
                wShape[i + 2] = kernel[i];
                windows *= kernel[i];
            }
            INDArray w = Nd4j.zeros(DataType.FLOAT, wShape).addi(1.0 / windows);
            return ctx.op("Conv").input(ctx.input(), ctx.constant("mean_window", w)).ints("kernel_shape", kernel).ints("strides", strides)
                    .ints("dilations", dilations).ints("pads", pads).attr("group", channels).output();
        }
    }

    /** {@code onnx-cumsum} as {@code CumSum} over the per-example axis + 1, with {@code exclusive} and {@code reverse}. */
    public static final class CumSum extends Base.Layer {
        public CumSum() {
            super("onnx-cumsum", "exports onnx-cumsum as ONNX CumSum");
        }

        @Override
        public String export(Context ctx) {
            Map<String, Object> c = ctx.config();
            String axis = ctx.constant("axis", Nd4j.scalar(DataType.LONG, Cfg.integer(c, "axis") + 1));
            return ctx.op("CumSum").input(ctx.input(), axis).attr("exclusive", Cfg.bool(c, "exclusive") ? 1L : 0L)
                    .attr("reverse", Cfg.bool(c, "reverse") ? 1L : 0L).output();
        }
    }

    /** {@code onnx-arg} as {@code ArgMax} or {@code ArgMin} (keepdims, select_last_index as configured), then {@code Cast} to float. */
    public static final class Arg extends Base.Layer {
        public Arg() {
            super("onnx-arg", "exports onnx-arg as ONNX ArgMax or ArgMin + Cast to float");
        }

        @Override
        public String export(Context ctx) {
            Map<String, Object> c = ctx.config();
            String op = switch (Cfg.string(c, "op")) {
                case "max" -> "ArgMax";
                case "min" -> "ArgMin";
                default -> throw new IllegalArgumentException("unknown op '" + Cfg.string(c, "op") + "'");
            };
            OnnxGraph.Node n = ctx.op(op).input(ctx.input()).attr("axis", Cfg.integer(c, "axis") + 1)
                    .attr("keepdims", Cfg.bool(c, "keepdims") ? 1L : 0L);
            if (Cfg.bool(c, "select-last-index")) {
                n.attr("select_last_index", 1L);
            }
            return ctx.op("Cast").input(n.output()).attr("to", (long) onnx.Onnx.TensorProto.DataType.FLOAT_VALUE).output();
        }
    }

    /**
     * {@code onnx-select} on the flattened examples: {@code Gather} of the source of each target when
     * no target has two sources (times a 0 / 1 mask when some targets have none), else the layer's own
     * {@code MatMul} by the 0 / 1 matrix of the pairs; then {@code Reshape} to the output shape. (The
     * gather picks elements where the product also meets the others times 0: the two differ only for
     * infinite or NaN inputs, where the product gives NaN.)
     */
    public static final class Select extends Base.Layer {
        public Select() {
            super("onnx-select", "exports onnx-select as ONNX Gather (or MatMul by its 0 / 1 matrix) on the flattened examples");
        }

        @Override
        public String export(Context ctx) {
            Map<String, Object> c = ctx.config();
            long[] sources = ints(c, "sources");
            long[] targets = ints(c, "targets");
            long inSize = ctx.inputShape().size();
            long outSize = ctx.outputShape().size();
            long[] source = new long[(int) outSize];
            Arrays.fill(source, -1);
            boolean unique = true;
            for (int i = 0; i < sources.length; i++) {
                int t = (int) targets[i];
                unique &= source[t] < 0;
                source[t] = sources[i];
            }
            String flat = Ops.reshape(ctx, ctx.input(), Shape.of(inSize));
            String y;
            if (unique) {
                boolean complete = Arrays.stream(source).allMatch(s -> s >= 0);
                long[] idx = Arrays.stream(source).map(s -> Math.max(s, 0)).toArray();
                y = ctx.op("Gather").input(flat, ctx.longs("indices", idx)).attr("axis", 1L).output();
                if (!complete) {
                    float[] mask = new float[(int) outSize];
                    for (int t = 0; t < outSize; t++) {
                        mask[t] = source[t] >= 0 ? 1 : 0;
                    }
                    y = Ops.binary(ctx, "Mul", y, ctx.floats("mask", new long[] {outSize}, mask));
                }
            } else {
                INDArray m = Nd4j.create(DataType.FLOAT, inSize, outSize);
                for (int i = 0; i < sources.length; i++) {
                    m.putScalar(sources[i], targets[i], m.getDouble(sources[i], targets[i]) + 1);
                }
                y = ctx.op("MatMul").input(flat, ctx.constant("selection", m)).output();
            }
            return Ops.reshape(ctx, y, ctx.outputShape());
        }
    }
}
