package dev.graft.onnx.export.builtin;

import dev.graft.api.Shape;
import dev.graft.onnx.export.OnnxTransformExporter.Context;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Exporters of the built-in feature transforms, written in front of the first layer. */
public final class Transforms {
    private Transforms() {
    }

    /** {@code (x - offset) / scale} per feature, the vectors shaped like one example. */
    private static String affine(Context ctx, String offsetKey, String scaleKey) {
        Map<String, INDArray> state = ctx.state();
        Shape in = ctx.inputShape();
        INDArray offset = state.get(offsetKey);
        INDArray scale = state.get(scaleKey);
        if (offset == null || scale == null || offset.length() != in.size() || scale.length() != in.size()) {
            throw new IllegalArgumentException("the fitted state needs '" + offsetKey + "' and '" + scaleKey + "' with " + in.size()
                    + " values (one per feature of " + in + "), got " + state.keySet());
        }
        String o = ctx.constant(offsetKey, offset.castTo(DataType.FLOAT).reshape('c', in.withBatch(1)));
        String s = ctx.constant(scaleKey, scale.castTo(DataType.FLOAT).reshape('c', in.withBatch(1)));
        return Ops.binary(ctx, "Div", Ops.binary(ctx, "Sub", ctx.input(), o), s);
    }

    /** {@code standardize} as {@code (x - mean) / std}. */
    public static final class Standardize extends Base.Transform {
        public Standardize() {
            super("standardize", "exports standardize as ONNX Sub and Div by the fitted mean and std");
        }

        @Override
        public String export(Context ctx) {
            return affine(ctx, "mean", "std");
        }
    }

    /** {@code min-max} as {@code (x - min) / range}. */
    public static final class MinMax extends Base.Transform {
        public MinMax() {
            super("min-max", "exports min-max as ONNX Sub and Div by the fitted minimum and range");
        }

        @Override
        public String export(Context ctx) {
            return affine(ctx, "min", "range");
        }
    }

    /**
     * {@code one-hot}: the columns in order, runs of kept columns as {@code Slice}s and each categorical
     * column as {@code Cast(Equal(column, categories))} (a value outside the categories gives zeros), joined
     * with {@code Concat}.
     */
    public static final class OneHot extends Base.Transform {
        public OneHot() {
            super("one-hot", "exports one-hot as ONNX Slice, Equal, Cast and Concat");
        }

        @Override
        public String export(Context ctx) {
            Map<String, INDArray> state = ctx.state();
            if (ctx.inputShape().rank() != 1 || state.get("width") == null) {
                throw new IllegalArgumentException("needs flat examples and a fitted state with 'width', got " + ctx.inputShape()
                        + " and " + state.keySet());
            }
            long width = ctx.inputShape().dim(0);
            Map<Long, INDArray> categories = new TreeMap<>();
            for (Map.Entry<String, INDArray> e : state.entrySet()) {
                if (e.getKey().startsWith("categories/")) {
                    categories.put(Long.parseLong(e.getKey().substring("categories/".length())), e.getValue());
                }
            }
            String x = ctx.input();
            List<String> parts = new ArrayList<>();
            long start = 0;
            for (long col = 0; col <= width; col++) {
                boolean categorical = categories.containsKey(col);
                if (col == width || categorical) {
                    if (col > start) {
                        parts.add(slice(ctx, x, start, col));
                    }
                    start = col + 1;
                }
                if (categorical) {
                    INDArray cats = categories.get(col);
                    String eq = ctx.op("Equal").input(slice(ctx, x, col, col + 1),
                            ctx.constant("categories_" + col, cats.castTo(DataType.FLOAT).reshape(1, cats.length()))).output();
                    parts.add(ctx.op("Cast").input(eq).attr("to", (long) onnx.Onnx.TensorProto.DataType.FLOAT_VALUE).output());
                }
            }
            return parts.size() == 1 ? parts.get(0) : ctx.op("Concat").input(parts.toArray(new String[0])).attr("axis", 1L).output();
        }

        private static String slice(Context ctx, String x, long from, long to) {
            return ctx.op("Slice").input(x, ctx.longs("starts", from), ctx.longs("ends", to), ctx.longs("axes", 1)).output();
        }
    }
}
