package dev.graft.onnx.export.builtin;

import dev.graft.api.Shape;
import dev.graft.onnx.export.OnnxGraph;

/** Op forms that depend on the opset, and small compositions the exporters share. */
final class Ops {
    private Ops() {
    }

    /** {@code Reshape} to {@code [batch, ...shape]}. */
    static String reshape(OnnxGraph g, String x, Shape shape) {
        return g.op("Reshape").input(x, g.longs("shape", shape.withBatch(-1))).output();
    }

    /** {@code Unsqueeze} (axes as an input, opset 13 on). */
    static String unsqueeze(OnnxGraph g, String x, long... axes) {
        return g.op("Unsqueeze").input(x, g.longs("axes", axes)).output();
    }

    /** {@code Squeeze} (axes as an input, opset 13 on). */
    static String squeeze(OnnxGraph g, String x, long... axes) {
        return g.op("Squeeze").input(x, g.longs("axes", axes)).output();
    }

    /**
     * A {@code Reduce*} op over full-tensor {@code axes}: axes as an input for {@code ReduceSum} from
     * opset 13 and for the others from opset 18, as an attribute before.
     */
    static String reduce(OnnxGraph g, String op, String x, long[] axes, boolean keepdims) {
        boolean asInput = op.equals("ReduceSum") || g.opset() >= 18;
        OnnxGraph.Node n = g.op(op).input(x);
        if (asInput) {
            n.input(g.longs("axes", axes));
        } else {
            n.ints("axes", axes);
        }
        return n.attr("keepdims", keepdims ? 1L : 0L).output();
    }

    /** Element-wise {@code a op b}. */
    static String binary(OnnxGraph g, String op, String a, String b) {
        return g.op(op).input(a, b).output();
    }

    /** An ONNX pads list {@code [begin..., end...]} from {@code [axis][before, after]}, with {@code leading} zero axes in front. */
    static long[] pads(long[][] pads, int leading) {
        int n = pads.length + leading;
        long[] out = new long[2 * n];
        for (int i = 0; i < pads.length; i++) {
            out[leading + i] = pads[i][0];
            out[n + leading + i] = pads[i][1];
        }
        return out;
    }
}
