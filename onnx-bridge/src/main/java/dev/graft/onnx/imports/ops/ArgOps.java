package dev.graft.onnx.imports.ops;

import dev.graft.onnx.imports.ImportContext;
import dev.graft.onnx.imports.OnnxNode;
import dev.graft.onnx.proto.ElementType;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code ArgMax} / {@code ArgMin} (opsets 1-17; {@code select_last_index} from 12) as {@code onnx-arg},
 * int64 outputs; and {@code Hardmax} (opsets 1-17; before opset 13 over the 2-D view
 * {@code [outer, inner]} split at {@code axis}): 1 at the first largest element along the axis, 0
 * elsewhere, from {@code onnx-arg} and a comparison with the constant index ramp in {@code onnx-binary} /
 * {@code onnx-unary} nodes. Rejected when the first dimension is the batch: the batch axis.
 */
public final class ArgOps {
    private ArgOps() {
    }

    abstract static class Arg extends OpConverter {
        private final String op;

        Arg(String opType, String op) {
            super(opType, 1, 17, "ONNX " + opType + " as onnx-arg " + op);
            this.op = op;
        }

        @Override
        public void convert(OnnxNode node, ImportContext ctx) {
            ImportContext.Value x = computed(ctx, node, 0, "the data");
            Map<String, Object> config = new LinkedHashMap<>();
            config.put("op", op);
            config.put("axis", exampleAxis(ctx, node.attrInt("axis", 0), fullRank(ctx, x), "axis"));
            config.put("keepdims", node.attrInt("keepdims", 1) != 0);
            config.put("select-last-index", node.attrInt("select_last_index", 0) != 0);
            ctx.bind(out(node), ctx.emit("onnx-arg", config, List.of(x.node()), Map.of(), hint(node)), ElementType.INT64);
        }
    }

    /** {@code ArgMax}. */
    public static final class ArgMax extends Arg {
        public ArgMax() {
            super("ArgMax", "max");
        }
    }

    /** {@code ArgMin}. */
    public static final class ArgMin extends Arg {
        public ArgMin() {
            super("ArgMin", "min");
        }
    }

    /** {@code Hardmax}. */
    public static final class Hardmax extends OpConverter {
        public Hardmax() {
            super("Hardmax", 1, 17, "ONNX Hardmax from onnx-arg and a comparison with the index ramp");
        }

        @Override
        public void convert(OnnxNode node, ImportContext ctx) {
            ImportContext.Value x = computed(ctx, node, 0, "the input");
            boolean modern = node.opset() >= 13;
            int axis = exampleAxis(ctx, node.attrInt("axis", modern ? -1 : 1), fullRank(ctx, x), "axis");
            String h = hint(node);
            long[] shape = x.shape().dims();
            String in = x.node();
            if (!modern) {
                // the 2-D view [outer, inner] split at axis, the hardmax along inner
                long outer = 1;
                for (int i = 0; i < axis; i++) {
                    outer *= shape[i];
                }
                long inner = x.shape().size() / outer;
                in = reshape(ctx, in, axis == 0 ? new long[] {inner} : new long[] {outer, inner}, h + "_rows");
                axis = axis == 0 ? 0 : 1;
            }
            long[] s = ctx.shapeOf(in).dims();
            long n = s[axis];
            String idx = ctx.emit("onnx-arg", Map.of("op", "max", "axis", axis, "keepdims", true), List.of(in), Map.of(), h + "_index");
            // the index ramp 0..n-1 along the axis, 1s elsewhere
            long[] rampShape = new long[s.length];
            java.util.Arrays.fill(rampShape, 1);
            rampShape[axis] = n;
            double[] ramp = new double[(int) n];
            for (int i = 0; i < n; i++) {
                ramp[i] = i;
            }
            Map<String, Object> sub = new LinkedHashMap<>();
            sub.put("op", "sub");
            sub.put("constant-shape", Params.list(rampShape));
            sub.put("trainable", false);
            String diff = ctx.emit("onnx-binary", sub, List.of(idx), Map.of("c", Const.reals(rampShape, ramp,
                    org.nd4j.linalg.api.buffer.DataType.FLOAT).toArray()), h + "_offset");
            String other = ctx.emit("onnx-unary", Map.of("op", "not-zero"), List.of(diff), Map.of(), h + "_other");
            String y = ctx.emit("onnx-unary", Map.of("op", "not"), List.of(other), Map.of(), h);
            ctx.bind(out(node), reshape(ctx, y, shape, h + "_shape"), x.type());
        }
    }
}
