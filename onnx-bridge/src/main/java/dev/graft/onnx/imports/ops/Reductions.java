package dev.graft.onnx.imports.ops;

import dev.graft.onnx.imports.ImportContext;
import dev.graft.onnx.imports.OnnxNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code ReduceMean}, {@code ReduceSum}, {@code ReduceMax}, {@code ReduceMin},
 * {@code ReduceSumSquare}, {@code ReduceL2}, {@code ReduceL1}, {@code ReduceLogSum},
 * {@code ReduceLogSumExp} and {@code ReduceProd} (opsets 1-17) as {@code onnx-reduce}, with
 * {@code keepdims} (default 1). {@code axes} is an attribute, except for {@code ReduceSum} from opset 13
 * where it is an optional constant input (with {@code noop_with_empty_axes}); no axes means every
 * axis. Rejected when the first dimension is the batch: reducing the batch axis (including the
 * default "every axis"). Also rejected: computed axes, constant inputs.
 */
public final class Reductions {
    private Reductions() {
    }

    abstract static class Reduce extends OpConverter {
        private final String op;

        Reduce(String opType, String op) {
            super(opType, 1, 17, "ONNX " + opType + " as onnx-reduce " + op);
            this.op = op;
        }

        @Override
        public void convert(OnnxNode node, ImportContext ctx) {
            ImportContext.Value x = computed(ctx, node, 0, "the data");
            long[] axes;
            boolean axesInput = opType().equals("ReduceSum") && node.opset() >= 13;
            if (axesInput) {
                org.nd4j.linalg.api.ndarray.INDArray a = optionalConstant(ctx, node, 1, "axes");
                axes = a == null ? null : Const.of(a).noBatch("axes").longs("axes");
                if ((axes == null || axes.length == 0) && node.attrInt("noop_with_empty_axes", 0) != 0) {
                    ctx.bind(out(node), x.node());
                    return;
                }
            } else {
                axes = node.attrInts("axes", null);
            }
            int full = fullRank(ctx, x);
            if (axes == null || axes.length == 0) {
                if (ctx.batchFirst()) {
                    throw new IllegalArgumentException("no axes means every axis, the batch axis included; native import reduces example axes"
                            + " only when the first dimension is the batch");
                }
                axes = new long[full];
                for (int i = 0; i < full; i++) {
                    axes[i] = i;
                }
            }
            List<Integer> perExample = new ArrayList<>();
            for (long a : axes) {
                int e = exampleAxis(ctx, a, full, "axis");
                if (!perExample.contains(e)) {
                    perExample.add(e);
                }
            }
            if (perExample.isEmpty()) {
                ctx.bind(out(node), x.node());
                return;
            }
            boolean keep = node.attrInt("keepdims", 1) != 0;
            Map<String, Object> config = new LinkedHashMap<>();
            config.put("op", op);
            config.put("axes", perExample);
            config.put("keepdims", keep);
            emit(ctx, node, "onnx-reduce", config, x.node(), Map.of());
        }
    }

    /** {@code ReduceMean}. */
    public static final class ReduceMean extends Reduce {
        public ReduceMean() {
            super("ReduceMean", "mean");
        }
    }

    /** {@code ReduceSum}. */
    public static final class ReduceSum extends Reduce {
        public ReduceSum() {
            super("ReduceSum", "sum");
        }
    }

    /** {@code ReduceMax}. */
    public static final class ReduceMax extends Reduce {
        public ReduceMax() {
            super("ReduceMax", "max");
        }
    }

    /** {@code ReduceMin}. */
    public static final class ReduceMin extends Reduce {
        public ReduceMin() {
            super("ReduceMin", "min");
        }
    }

    /** {@code ReduceSumSquare}. */
    public static final class ReduceSumSquare extends Reduce {
        public ReduceSumSquare() {
            super("ReduceSumSquare", "sum-square");
        }
    }

    /** {@code ReduceL2}. */
    public static final class ReduceL2 extends Reduce {
        public ReduceL2() {
            super("ReduceL2", "l2");
        }
    }

    /** {@code ReduceL1}. */
    public static final class ReduceL1 extends Reduce {
        public ReduceL1() {
            super("ReduceL1", "l1");
        }
    }

    /** {@code ReduceLogSum}. */
    public static final class ReduceLogSum extends Reduce {
        public ReduceLogSum() {
            super("ReduceLogSum", "log-sum");
        }
    }

    /** {@code ReduceLogSumExp}. */
    public static final class ReduceLogSumExp extends Reduce {
        public ReduceLogSumExp() {
            super("ReduceLogSumExp", "log-sum-exp");
        }
    }

    /** {@code ReduceProd}. */
    public static final class ReduceProd extends Reduce {
        public ReduceProd() {
            super("ReduceProd", "prod");
        }
    }
}
