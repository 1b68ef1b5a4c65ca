package dev.graft.onnx.export.builtin;

import dev.graft.api.Shape;
import dev.graft.onnx.export.OnnxLayerExporter.Context;

import java.util.List;
import java.util.Map;

/**
 * Exporters of the pooling layers. Average pooling counts padding as zeros in the mean, as the Graft
 * layers do: {@code AveragePool} with {@code count_include_pad = 1} and explicit pads (never a separate
 * {@code Pad} node, which ONNX Runtime 1.19's PadFusion would fold into the pool wrongly).
 */
public final class Pools {
    private Pools() {
    }

    private static String pool(Context ctx, boolean max, int[] kernel, int[] stride, List<String> padding) {
        Shape in = ctx.inputShape();
        long[] sizes = java.util.Arrays.copyOfRange(in.dims(), 1, in.rank());
        long[][] pads = Geometry.pads(padding, sizes, kernel, stride, Geometry.ones(kernel.length));
        var n = ctx.op(max ? "MaxPool" : "AveragePool").input(ctx.input())
                .ints("kernel_shape", Geometry.longs(kernel)).ints("strides", Geometry.longs(stride)).ints("pads", Ops.pads(pads, 0));
        if (!max) {
            n.attr("count_include_pad", 1L);
        }
        return n.output();
    }

    private static String pool2d(Context ctx, boolean max) {
        Map<String, Object> c = ctx.config();
        int[] kernel = Geometry.sizes(Cfg.list(c, "kernel"), 2);
        int[] stride = Cfg.has(c, "stride") ? Geometry.sizes(Cfg.list(c, "stride"), 2) : kernel;
        return pool(ctx, max, kernel, stride, Cfg.strings(c, "padding"));
    }

    private static String pool1d(Context ctx, boolean max) {
        Map<String, Object> c = ctx.config();
        int[] kernel = {(int) Cfg.integer(c, "kernel")};
        int[] stride = Cfg.has(c, "stride") ? new int[] {(int) Cfg.integer(c, "stride")} : kernel;
        return pool(ctx, max, kernel, stride, List.of(Cfg.string(c, "padding")));
    }

    /** {@code max-pool2d} as {@code MaxPool}. */
    public static final class MaxPool2d extends Base.Layer {
        public MaxPool2d() {
            super("max-pool2d", "exports max-pool2d as ONNX MaxPool");
        }

        @Override
        public String export(Context ctx) {
            return pool2d(ctx, true);
        }
    }

    /** {@code avg-pool2d} as {@code AveragePool} counting padding. */
    public static final class AvgPool2d extends Base.Layer {
        public AvgPool2d() {
            super("avg-pool2d", "exports avg-pool2d as ONNX AveragePool (count_include_pad = 1)");
        }

        @Override
        public String export(Context ctx) {
            return pool2d(ctx, false);
        }
    }

    /** {@code max-pool1d} as a 1-D {@code MaxPool}. */
    public static final class MaxPool1d extends Base.Layer {
        public MaxPool1d() {
            super("max-pool1d", "exports max-pool1d as ONNX MaxPool over one axis");
        }

        @Override
        public String export(Context ctx) {
            return pool1d(ctx, true);
        }
    }

    /** {@code avg-pool1d} as a 1-D {@code AveragePool} counting padding. */
    public static final class AvgPool1d extends Base.Layer {
        public AvgPool1d() {
            super("avg-pool1d", "exports avg-pool1d as ONNX AveragePool over one axis (count_include_pad = 1)");
        }

        @Override
        public String export(Context ctx) {
            return pool1d(ctx, false);
        }
    }

    /** {@code global-avg-pool} as {@code GlobalAveragePool} and {@code Flatten}. */
    public static final class GlobalAvgPool extends Base.Layer {
        public GlobalAvgPool() {
            super("global-avg-pool", "exports global-avg-pool as ONNX GlobalAveragePool + Flatten");
        }

        @Override
        public String export(Context ctx) {
            String pooled = ctx.op("GlobalAveragePool").input(ctx.input()).output();
            return ctx.op("Flatten").input(pooled).attr("axis", 1L).output();
        }
    }
}
