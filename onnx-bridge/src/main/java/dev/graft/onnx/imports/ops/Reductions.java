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
 * default "every axis"). A constant input is reduced at import. Also rejected: computed axes.
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
            ImportContext.Value x = input(ctx, node, 0);
            long[] axes;
            boolean axesInput = opType().equals("ReduceSum") && node.opset() >= 13;
            if (axesInput) {
                org.nd4j.linalg.api.ndarray.INDArray a = optionalConstant(ctx, node, 1, "axes");
                axes = a == null ? null : Const.of(a).noBatch("axes").longs("axes");
                if ((axes == null || axes.length == 0) && node.attrInt("noop_with_empty_axes", 0) != 0) {
                    if (x.isConstant()) {
                        ctx.bindConstant(out(node), x.constant());
                    } else {
                        ctx.bind(out(node), x.node());
                    }
                    return;
                }
            } else {
                axes = node.attrInts("axes", null);
            }
            if (x.isConstant()) {
                ctx.bindConstant(out(node), reduceConstant(op, x.constant(), axes, node.attrInt("keepdims", 1) != 0));
                return;
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

    /**
     * The reduction of a constant (a value folded at import, such as the weights an expanded loss
     * computes from integer labels known ahead), in double precision, returned in the constant's type.
     */
    private static org.nd4j.linalg.api.ndarray.INDArray reduceConstant(String op, org.nd4j.linalg.api.ndarray.INDArray c, long[] axes,
                                                                   boolean keep) {
        if (Folding.hasBatchMarker(c)) {
            throw new IllegalArgumentException("the data is a shape holding the batch size; native import keeps the batch size dynamic");
        }
        int r = c.rank();
        java.util.TreeSet<Integer> set = new java.util.TreeSet<>();
        if (axes == null || axes.length == 0) {
            for (int i = 0; i < r; i++) {
                set.add(i);
            }
        } else {
            for (long a : axes) {
                long n = a < 0 ? a + r : a;
                if (n < 0 || n >= r) {
                    throw new IllegalArgumentException("axis " + a + " is out of range for a constant of rank " + r);
                }
                set.add((int) n);
            }
        }
        int[] ax = set.stream().mapToInt(Integer::intValue).toArray();
        org.nd4j.linalg.api.ndarray.INDArray d = c.castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE);
        org.nd4j.linalg.api.ndarray.INDArray y;
        if (ax.length == 0 || d.length() == 0) {
            throw new IllegalArgumentException("reducing a constant of shape " + java.util.Arrays.toString(c.shape()) + " is not supported");
        }
        y = switch (op) {
            case "sum" -> d.sum(keep, ax);
            case "mean" -> d.mean(keep, ax);
            case "max" -> d.max(keep, ax);
            case "min" -> d.min(keep, ax);
            case "sum-square" -> d.mul(d).sum(keep, ax);
            case "l2" -> d.norm2(keep, ax);
            case "l1" -> d.norm1(keep, ax);
            case "log-sum" -> org.nd4j.linalg.ops.transforms.Transforms.log(d.sum(keep, ax), false);
            case "log-sum-exp" -> org.nd4j.linalg.ops.transforms.Transforms.log(org.nd4j.linalg.ops.transforms.Transforms.exp(d, true).sum(keep, ax), false);
            case "prod" -> d.prod(keep, ax);
            default -> throw new IllegalStateException("reduction " + op);
        };
        return y.castTo(c.dataType());
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
