package dev.graft.onnx.export.builtin;

import dev.graft.api.Shape;
import dev.graft.onnx.export.OnnxGraph;
import dev.graft.onnx.export.OnnxLayerExporter.Context;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.List;
import java.util.Map;

/** Exporters of the layers with weights: dense, conv1d, conv2d, embedding, lstm. */
public final class Linear {
    private Linear() {
    }

    /** {@code dense} as {@code Gemm(x, W, b)} (W is already {@code [in, out]}). */
    public static final class Dense extends Base.Layer {
        public Dense() {
            super("dense", "exports dense as ONNX Gemm");
        }

        @Override
        public String export(Context ctx) {
            OnnxGraph.Node n = ctx.op("Gemm").input(ctx.input(), ctx.param("W"));
            if (Cfg.bool(ctx.config(), "use-bias")) {
                n.input(ctx.param("b"));
            }
            return n.output();
        }
    }

    /** {@code conv2d} as {@code Conv} (same weight layout), "same" padding resolved to explicit pads. */
    public static final class Conv2d extends Base.Layer {
        public Conv2d() {
            super("conv2d", "exports conv2d as ONNX Conv");
        }

        @Override
        public String export(Context ctx) {
            Map<String, Object> c = ctx.config();
            int[] kernel = Geometry.sizes(Cfg.list(c, "kernel"), 2);
            int[] stride = Geometry.sizes(Cfg.list(c, "stride"), 2);
            int[] dilation = Geometry.sizes(Cfg.list(c, "dilation"), 2);
            Shape in = ctx.inputShape();
            long[][] pads = Geometry.pads(Cfg.strings(c, "padding"), new long[] {in.dim(1), in.dim(2)}, kernel, stride, dilation);
            return convNode(ctx, kernel, stride, dilation, pads, Cfg.integer(c, "groups"));
        }
    }

    /** {@code conv1d} as a 1-D {@code Conv}. */
    public static final class Conv1d extends Base.Layer {
        public Conv1d() {
            super("conv1d", "exports conv1d as ONNX Conv over one axis");
        }

        @Override
        public String export(Context ctx) {
            Map<String, Object> c = ctx.config();
            int[] kernel = {(int) Cfg.integer(c, "kernel")};
            int[] stride = {(int) Cfg.integer(c, "stride")};
            int[] dilation = {(int) Cfg.integer(c, "dilation")};
            long[][] pads = Geometry.pads(List.of(Cfg.string(c, "padding")), new long[] {ctx.inputShape().dim(1)}, kernel, stride, dilation);
            return convNode(ctx, kernel, stride, dilation, pads, Cfg.integer(c, "groups"));
        }
    }

    static String convNode(Context ctx, int[] kernel, int[] stride, int[] dilation, long[][] pads,
                           long groups) {
        OnnxGraph.Node n = ctx.op("Conv").input(ctx.input(), ctx.param("W"));
        if (Cfg.bool(ctx.config(), "use-bias")) {
            n.input(ctx.param("b"));
        }
        return n.ints("kernel_shape", Geometry.longs(kernel)).ints("strides", Geometry.longs(stride))
                .ints("dilations", Geometry.longs(dilation)).ints("pads", Ops.pads(pads, 0)).attr("group", groups).output();
    }

    /**
     * {@code embedding} as {@code Gather(W, ids)}, with the layer's treatment of ids kept exactly: ids
     * are rounded half away from zero ({@code Sign(x) * Floor(|x| + 0.5)}), and an id outside
     * {@code [0, vocab-size)} gives a row of zeros (it is gathered as row 0 and multiplied by 0).
     */
    public static final class Embedding extends Base.Layer {
        public Embedding() {
            super("embedding", "exports embedding as ONNX Gather, zero rows for out-of-range ids");
        }

        @Override
        public String export(Context ctx) {
            long vocab = Cfg.integer(ctx.config(), "vocab-size");
            String x = ctx.input();
            String rounded = Ops.binary(ctx, "Mul", ctx.op("Sign").input(x).output(),
                    ctx.op("Floor").input(Ops.binary(ctx, "Add", ctx.op("Abs").input(x).output(), ctx.scalar("half", 0.5))).output());
            String zero = ctx.scalar("zero", 0);
            String valid = ctx.op("And").input(ctx.op("GreaterOrEqual").input(rounded, zero).output(),
                    ctx.op("Less").input(rounded, ctx.scalar("vocab_size", vocab)).output()).output();
            String ids = ctx.op("Cast").input(ctx.op("Where").input(valid, rounded, zero).output())
                    .attr("to", (long) onnx.Onnx.TensorProto.DataType.INT64_VALUE).output();
            String rows = ctx.op("Gather").input(ctx.param("W"), ids).attr("axis", 0L).output();
            String mask = ctx.op("Cast").input(valid).attr("to", (long) onnx.Onnx.TensorProto.DataType.FLOAT_VALUE).output();
            return Ops.binary(ctx, "Mul", rows, Ops.unsqueeze(ctx, mask, -1));
        }
    }

    /**
     * {@code lstm} as ONNX {@code LSTM}: the gate blocks reordered from Graft's i, f, g, o to ONNX's
     * i, o, f, c, the weights transposed to {@code [1, 4 * units, in]}, the bias as the input bias
     * (recurrence bias zero), and the batch-first sequence transposed to time-first and back.
     */
    public static final class Lstm extends Base.Layer {
        public Lstm() {
            super("lstm", "exports lstm as ONNX LSTM (gates reordered to i, o, f, c)");
        }

        @Override
        public String export(Context ctx) {
            long units = Cfg.integer(ctx.config(), "units");
            boolean sequences = Cfg.bool(ctx.config(), "return-sequences");
            INDArray w = gates(ctx.paramValue("W").transpose(), units);     // [4H, F]
            INDArray r = gates(ctx.paramValue("R").transpose(), units);     // [4H, H]
            INDArray b = gates(ctx.paramValue("b").reshape(4 * units, 1), units).reshape(4 * units);
            INDArray bias = Nd4j.concat(0, b, Nd4j.zeros(DataType.FLOAT, 4 * units)).reshape(1, 8 * units);
            String xt = ctx.op("Transpose").input(ctx.input()).ints("perm", 1, 0, 2).output();
            List<String> out = ctx.op("LSTM").input(xt, ctx.constant("W", w.reshape(1, 4 * units, w.size(1))),
                            ctx.constant("R", r.reshape(1, 4 * units, units)), ctx.constant("B", bias))
                    .attr("hidden_size", units).outputs(2);
            if (sequences) {
                String y = Ops.squeeze(ctx, out.get(0), 1);                     // [T, N, H]
                return ctx.op("Transpose").input(y).ints("perm", 1, 0, 2).output();
            }
            return Ops.squeeze(ctx, out.get(1), 0);                             // [N, H]
        }

        /** Rows in blocks of {@code units}, Graft's i, f, g, o reordered to ONNX's i, o, f, c. */
        private static INDArray gates(INDArray rows, long units) {
            INDArray x = rows.castTo(DataType.FLOAT);
            int[] order = {0, 3, 1, 2};
            INDArray[] parts = new INDArray[4];
            for (int k = 0; k < 4; k++) {
                parts[k] = x.get(NDArrayIndex.interval(order[k] * units, (order[k] + 1) * units), NDArrayIndex.all()).dup('c');
            }
            return Nd4j.concat(0, parts);
        }
    }

}
