package dev.graft.onnx.export.builtin;

import dev.graft.onnx.export.OnnxGraph;
import dev.graft.onnx.export.OnnxLayerExporter.Context;

import java.util.List;
import java.util.Map;

/**
 * Exporters of the {@code onnx-*} layers the importer creates, back to the ONNX ops they came from, so
 * an imported model (fine-tuned, with a new head) exports again. Per-example axes become full-tensor
 * axes by adding one for the batch.
 */
public final class OnnxLayers {
    private OnnxLayers() {
    }

    private static long[] plusOne(long[] axes) {
        long[] out = new long[axes.length];
        for (int i = 0; i < axes.length; i++) {
            out[i] = axes[i] + 1;
        }
        return out;
    }

    /** {@code onnx-binary} as {@code Add}, {@code Sub}, {@code Mul}, {@code Div} or {@code Pow}, the constant as an initializer. */
    public static final class Binary extends Base.Layer {
        public Binary() {
            super("onnx-binary", "exports onnx-binary as ONNX Add, Sub, Mul, Div or Pow");
        }

        @Override
        public String export(Context ctx) {
            Map<String, Object> c = ctx.config();
            String op = switch (Cfg.string(c, "op")) {
                case "add" -> "Add";
                case "sub" -> "Sub";
                case "mul" -> "Mul";
                case "div" -> "Div";
                case "pow" -> "Pow";
                default -> throw new IllegalArgumentException("unknown op '" + Cfg.string(c, "op") + "'");
            };
            String a = ctx.input();
            String b;
            if (Cfg.has(c, "constant-shape")) {
                // [batch, ...x] and c (rank <= x's rank) line up at their last axes, as ONNX broadcasts
                b = ctx.param("c");
            } else {
                b = ctx.inputs().get(1);
            }
            if (Cfg.bool(c, "constant-first")) {
                String t = a;
                a = b;
                b = t;
            }
            return Ops.binary(ctx, op, a, b);
        }
    }

    /** {@code onnx-unary} as its ONNX op; {@code hard-swish} below opset 14 as {@code x * HardSigmoid(x)}. */
    public static final class Unary extends Base.Layer {
        public Unary() {
            super("onnx-unary", "exports onnx-unary as ONNX Sqrt, Exp, Log, Neg, Abs, Reciprocal, Erf, Softplus, Softsign, HardSigmoid,"
                    + " HardSwish or Clip");
        }

        @Override
        public String export(Context ctx) {
            Map<String, Object> c = ctx.config();
            String x = ctx.input();
            String fn = Cfg.string(c, "op");
            return switch (fn) {
                case "sqrt" -> ctx.op("Sqrt").input(x).output();
                case "exp" -> ctx.op("Exp").input(x).output();
                case "log" -> ctx.op("Log").input(x).output();
                case "neg" -> ctx.op("Neg").input(x).output();
                case "abs" -> ctx.op("Abs").input(x).output();
                case "reciprocal" -> ctx.op("Reciprocal").input(x).output();
                case "erf" -> ctx.op("Erf").input(x).output();
                case "softplus" -> ctx.op("Softplus").input(x).output();
                case "softsign" -> ctx.op("Softsign").input(x).output();
                case "hard-sigmoid" -> ctx.op("HardSigmoid").input(x).attr("alpha", Cfg.number(c, "alpha"))
                        .attr("beta", Cfg.number(c, "beta")).output();
                case "hard-swish" -> ctx.opset() >= 14 ? ctx.op("HardSwish").input(x).output()
                        : Ops.binary(ctx, "Mul", x, ctx.op("HardSigmoid").input(x).attr("alpha", 1.0 / 6).attr("beta", 0.5).output());
                case "clip" -> clip(ctx, x, c);
                default -> throw new IllegalArgumentException("unknown function '" + fn + "'");
            };
        }

        private static String clip(Context ctx, String x, Map<String, Object> c) {
            if (!Cfg.has(c, "min") && !Cfg.has(c, "max")) {
                return x;
            }
            String min = Cfg.has(c, "min") ? ctx.scalar("min", Cfg.number(c, "min")) : "";
            String max = Cfg.has(c, "max") ? ctx.scalar("max", Cfg.number(c, "max")) : "";
            OnnxGraph.Node n = ctx.op("Clip").input(x, min);
            if (!max.isEmpty()) {
                n.input(max);
            }
            return n.output();
        }
    }

    /** {@code onnx-transpose} as {@code Transpose} with the batch axis kept first. */
    public static final class Transpose extends Base.Layer {
        public Transpose() {
            super("onnx-transpose", "exports onnx-transpose as ONNX Transpose");
        }

        @Override
        public String export(Context ctx) {
            long[] perm = Cfg.longs(ctx.config(), "perm");
            long[] full = new long[perm.length + 1];
            for (int i = 0; i < perm.length; i++) {
                full[i + 1] = perm[i] + 1;
            }
            return ctx.op("Transpose").input(ctx.input()).ints("perm", full).output();
        }
    }

    /** {@code onnx-pad} as {@code Pad} in constant mode, the batch axis unpadded. */
    public static final class Pad extends Base.Layer {
        public Pad() {
            super("onnx-pad", "exports onnx-pad as ONNX Pad (constant mode)");
        }

        @Override
        public String export(Context ctx) {
            long[] pads = Cfg.longs(ctx.config(), "pads");
            int rank = pads.length / 2;
            long[][] perAxis = new long[rank][2];
            for (int i = 0; i < rank; i++) {
                perAxis[i][0] = pads[i];
                perAxis[i][1] = pads[i + rank];
            }
            return ctx.op("Pad").input(ctx.input(), ctx.longs("pads", Ops.pads(perAxis, 1)), ctx.scalar("value", Cfg.number(ctx.config(), "value")))
                    .attr("mode", "constant").output();
        }
    }

    /** {@code onnx-slice} as {@code Slice} on the per-example axes + 1. */
    public static final class Slice extends Base.Layer {
        public Slice() {
            super("onnx-slice", "exports onnx-slice as ONNX Slice");
        }

        @Override
        public String export(Context ctx) {
            Map<String, Object> c = ctx.config();
            long[] axes = Cfg.longs(c, "axes");
            long[] steps = new long[axes.length];
            java.util.Arrays.fill(steps, 1);
            if (Cfg.has(c, "steps")) {
                steps = Cfg.longs(c, "steps");
            }
            return ctx.op("Slice").input(ctx.input(), ctx.longs("starts", Cfg.longs(c, "starts")), ctx.longs("ends", Cfg.longs(c, "ends")),
                    ctx.longs("axes", plusOne(axes)), ctx.longs("steps", steps)).output();
        }
    }

    /** {@code onnx-prelu} as {@code PRelu} (the slope broadcasts from the last axes, as in the layer). */
    public static final class PRelu extends Base.Layer {
        public PRelu() {
            super("onnx-prelu", "exports onnx-prelu as ONNX PRelu");
        }

        @Override
        public String export(Context ctx) {
            return ctx.op("PRelu").input(ctx.input(), ctx.param("slope")).output();
        }
    }

    /** {@code onnx-nary} as the variadic {@code Max}, {@code Min}, {@code Sum} or {@code Mean}. */
    public static final class Nary extends Base.Layer {
        public Nary() {
            super("onnx-nary", "exports onnx-nary as ONNX Max, Min, Sum or Mean");
        }

        @Override
        public String export(Context ctx) {
            List<String> in = ctx.inputs();
            if (in.size() == 1) {
                return in.get(0);
            }
            String op = switch (Cfg.string(ctx.config(), "op")) {
                case "max" -> "Max";
                case "min" -> "Min";
                case "sum" -> "Sum";
                case "mean" -> "Mean";
                default -> throw new IllegalArgumentException("unknown op '" + Cfg.string(ctx.config(), "op") + "'");
            };
            return ctx.op(op).input(in.toArray(new String[0])).output();
        }
    }

    /** {@code onnx-reduce} as the matching {@code Reduce*} op on the per-example axes + 1. */
    public static final class Reduce extends Base.Layer {
        public Reduce() {
            super("onnx-reduce", "exports onnx-reduce as ONNX ReduceMean, ReduceSum, ReduceMax, ReduceMin, ReduceSumSquare or ReduceL2");
        }

        @Override
        public String export(Context ctx) {
            Map<String, Object> c = ctx.config();
            String op = switch (Cfg.string(c, "op")) {
                case "mean" -> "ReduceMean";
                case "sum" -> "ReduceSum";
                case "max" -> "ReduceMax";
                case "min" -> "ReduceMin";
                case "sum-square" -> "ReduceSumSquare";
                case "l2" -> "ReduceL2";
                default -> throw new IllegalArgumentException("unknown reduction '" + Cfg.string(c, "op") + "'");
            };
            return Ops.reduce(ctx, op, ctx.input(), plusOne(Cfg.longs(c, "axes")), Cfg.bool(c, "keepdims"));
        }
    }

    /** {@code onnx-matmul} as {@code MatMul} (and {@code Add} of the bias), or the product of its two inputs. */
    public static final class MatMul extends Base.Layer {
        public MatMul() {
            super("onnx-matmul", "exports onnx-matmul as ONNX MatMul (+ Add)");
        }

        @Override
        public String export(Context ctx) {
            if (!Cfg.has(ctx.config(), "units")) {
                return ctx.op("MatMul").input(ctx.inputs().get(0), ctx.inputs().get(1)).output();
            }
            String y = ctx.op("MatMul").input(ctx.input(), ctx.param("W")).output();
            return Cfg.bool(ctx.config(), "use-bias") ? Ops.binary(ctx, "Add", y, ctx.param("b")) : y;
        }
    }
}
