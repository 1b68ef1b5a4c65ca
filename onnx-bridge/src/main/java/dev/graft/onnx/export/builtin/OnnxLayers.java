package dev.graft.onnx.export.builtin;

import dev.graft.onnx.export.OnnxGraph;
import dev.graft.onnx.export.OnnxLayerExporter.Context;
import dev.graft.onnx.layers.ResizeProvider;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.Locale;
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

    /**
     * {@code onnx-unary} as its ONNX op; {@code hard-swish} below opset 14 as {@code x * HardSigmoid(x)};
     * {@code trunc} as {@code Sign(x) * Floor(Abs(x))} and {@code not-zero} as {@code Abs(Sign(x))}, the
     * layer's formulas; {@code not} as {@code 1 - x} (ONNX's {@code Not} takes bools only).
     */
    public static final class Unary extends Base.Layer {
        public Unary() {
            super("onnx-unary", "exports onnx-unary as ONNX Sqrt, Exp, Log, Neg, Abs, Reciprocal, Erf, Softplus, Softsign, HardSigmoid,"
                    + " HardSwish, Clip, Floor, Ceil, Round, Sign, the trigonometric and hyperbolic ops, Selu, Celu, ThresholdedRelu or Shrink");
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
                case "trunc" -> Ops.binary(ctx, "Mul", ctx.op("Sign").input(x).output(),
                        ctx.op("Floor").input(ctx.op("Abs").input(x).output()).output());
                case "not-zero" -> ctx.op("Abs").input(ctx.op("Sign").input(x).output()).output();
                case "floor" -> ctx.op("Floor").input(x).output();
                case "ceil" -> ctx.op("Ceil").input(x).output();
                case "round" -> ctx.op("Round").input(x).output();
                case "sign" -> ctx.op("Sign").input(x).output();
                case "sin" -> ctx.op("Sin").input(x).output();
                case "cos" -> ctx.op("Cos").input(x).output();
                case "tan" -> ctx.op("Tan").input(x).output();
                case "asin" -> ctx.op("Asin").input(x).output();
                case "acos" -> ctx.op("Acos").input(x).output();
                case "atan" -> ctx.op("Atan").input(x).output();
                case "sinh" -> ctx.op("Sinh").input(x).output();
                case "cosh" -> ctx.op("Cosh").input(x).output();
                case "asinh" -> ctx.op("Asinh").input(x).output();
                case "acosh" -> ctx.op("Acosh").input(x).output();
                case "atanh" -> ctx.op("Atanh").input(x).output();
                case "selu" -> ctx.op("Selu").input(x).attr("alpha", Cfg.number(c, "alpha")).attr("gamma", Cfg.number(c, "beta")).output();
                case "celu" -> ctx.op("Celu").input(x).attr("alpha", Cfg.number(c, "alpha")).output();
                case "thresholded-relu" -> ctx.op("ThresholdedRelu").input(x).attr("alpha", Cfg.number(c, "alpha")).output();
                case "shrink" -> ctx.op("Shrink").input(x).attr("lambd", Cfg.number(c, "alpha")).attr("bias", Cfg.number(c, "beta")).output();
                case "not" -> Ops.binary(ctx, "Sub", ctx.scalar("one", 1), x);
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
            super("onnx-reduce", "exports onnx-reduce as ONNX ReduceMean, ReduceSum, ReduceMax, ReduceMin, ReduceSumSquare, ReduceL2,"
                    + " ReduceL1, ReduceLogSum, ReduceLogSumExp or ReduceProd");
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
                case "l1" -> "ReduceL1";
                case "log-sum" -> "ReduceLogSum";
                case "log-sum-exp" -> "ReduceLogSumExp";
                case "prod" -> "ReduceProd";
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

    /**
     * {@code onnx-conv-transpose} as {@code ConvTranspose} (the weight {@code [in, filters / groups,
     * ...kernel]} is already ONNX's layout), with the layer's explicit pads, strides, dilations,
     * output padding and group.
     */
    public static final class ConvTranspose extends Base.Layer {
        public ConvTranspose() {
            super("onnx-conv-transpose", "exports onnx-conv-transpose as ONNX ConvTranspose");
        }

        @Override
        public String export(Context ctx) {
            Map<String, Object> c = ctx.config();
            OnnxGraph.Node n = ctx.op("ConvTranspose").input(ctx.input(), ctx.param("W"));
            if (Cfg.bool(c, "use-bias")) {
                n.input(ctx.param("b"));
            }
            return n.ints("kernel_shape", Cfg.longs(c, "kernel")).ints("strides", Cfg.longs(c, "stride"))
                    .ints("dilations", Cfg.longs(c, "dilation")).ints("pads", Cfg.longs(c, "pads"))
                    .ints("output_padding", Cfg.longs(c, "output-padding")).attr("group", Cfg.integer(c, "groups")).output();
        }
    }

    /**
     * {@code onnx-expand} as {@code Expand} to {@code [1, ...shape]} (the batch broadcasts from 1 to
     * itself); an input of lower rank first gets its missing leading axes after the batch axis
     * ({@code Unsqueeze}), so that ONNX's alignment at the last axes does not move the batch.
     */
    public static final class Expand extends Base.Layer {
        public Expand() {
            super("onnx-expand", "exports onnx-expand as ONNX Expand (after an Unsqueeze for a lower-rank input)");
        }

        @Override
        public String export(Context ctx) {
            long[] target = Cfg.longs(ctx.config(), "shape");
            long[] in = ctx.inputShape().dims();
            String x = ctx.input();
            int missing = target.length - in.length;
            if (missing > 0) {
                long[] axes = new long[missing];
                for (int i = 0; i < missing; i++) {
                    axes[i] = i + 1;
                }
                x = Ops.unsqueeze(ctx, x, axes);
            }
            boolean grows = false;
            for (int i = 0; i < target.length; i++) {
                grows |= (i < missing ? 1 : in[i - missing]) != target[i];
            }
            if (!grows) {
                return x;
            }
            long[] full = new long[target.length + 1];
            full[0] = 1;
            System.arraycopy(target, 0, full, 1, target.length);
            return ctx.op("Expand").input(x, ctx.longs("shape", full)).output();
        }
    }

    /**
     * {@code onnx-compare} as {@code Equal}, {@code Less} or {@code Greater} (the constant {@code c}
     * as an initializer, in front when {@code constant-first}), then {@code Cast} to float for the
     * layer's 1 / 0.
     */
    public static final class Compare extends Base.Layer {
        public Compare() {
            super("onnx-compare", "exports onnx-compare as ONNX Equal, Less or Greater + Cast to float");
        }

        @Override
        public String export(Context ctx) {
            Map<String, Object> c = ctx.config();
            String op = switch (Cfg.string(c, "op")) {
                case "equal" -> "Equal";
                case "less" -> "Less";
                case "greater" -> "Greater";
                default -> throw new IllegalArgumentException("unknown comparison '" + Cfg.string(c, "op") + "'");
            };
            String a = ctx.input();
            String b = Cfg.has(c, "constant-shape") ? ctx.param("c") : ctx.inputs().get(1);
            if (Cfg.bool(c, "constant-first")) {
                String t = a;
                a = b;
                b = t;
            }
            return ctx.op("Cast").input(Ops.binary(ctx, op, a, b)).attr("to", (long) onnx.Onnx.TensorProto.DataType.FLOAT_VALUE).output();
        }
    }

    /**
     * {@code onnx-where} as {@code Where}. The layer computes {@code m * x + (1 - m) * y}: with a
     * computed condition {@code m} is 1 where it is not 0, written {@code Where(Equal(cond, 0), y, x)}
     * (NaN counts as true, as in the layer); a fixed condition of 1s and 0s becomes a bool constant.
     * A fixed condition with other values blends the branches, and is written as that formula. (Where
     * the layer meets {@code 0 * infinity} in the branch it does not select it gives NaN, {@code Where}
     * the selected value; the importer keeps infinities out of such operands.)
     */
    public static final class Where extends Base.Layer {
        public Where() {
            super("onnx-where", "exports onnx-where as ONNX Where (or m * x + (1 - m) * y for a fixed non-binary condition)");
        }

        @Override
        public String export(Context ctx) {
            Map<String, Object> c = ctx.config();
            List<String> names = List.of("condition", "x", "y");
            String[] v = new String[3];
            int k = 0;
            for (int i = 0; i < 3; i++) {
                v[i] = Cfg.has(c, names.get(i) + "-shape") ? null : ctx.inputs().get(k++);
            }
            for (int i = 1; i < 3; i++) {
                if (v[i] == null) {
                    v[i] = ctx.param(names.get(i));
                }
            }
            if (v[0] != null) {
                String zero = ctx.op("Equal").input(v[0], ctx.scalar("zero", 0)).output();
                return ctx.op("Where").input(zero, v[2], v[1]).output();
            }
            INDArray m = ctx.paramValue("condition");
            boolean binary = true;
            for (double e : m.castTo(DataType.DOUBLE).dup('c').data().asDouble()) {
                binary &= e == 0 || e == 1;
            }
            if (binary) {
                return ctx.op("Where").input(ctx.constant("condition", m.neq(0)), v[1], v[2]).output();
            }
            String mask = ctx.param("condition");
            String rest = Ops.binary(ctx, "Sub", ctx.scalar("one", 1), mask);
            return Ops.binary(ctx, "Add", Ops.binary(ctx, "Mul", mask, v[1]), Ops.binary(ctx, "Mul", rest, v[2]));
        }
    }

    /**
     * {@code onnx-resize} as {@code Resize} with the layer's mode, coordinate transformation and
     * nearest mode ({@code simple}, the rounding of Resize-10 and Upsample, becomes {@code floor} when
     * every resized axis grows or keeps its size and {@code ceil} when every one shrinks). The
     * layer's {@code scales} are written when ONNX's output size {@code floor(size * scale)} (in
     * single precision) gives its {@code sizes}; otherwise its {@code sizes} (with the batch size
     * taken from the input's {@code Shape}) when ONNX's scale {@code size / input size} is its scale.
     * A layer whose sizes and scales fit neither, whose {@code simple} rounding mixes growing and
     * shrinking axes, or whose linear resize ONNX Runtime does not run (a resized axis outside the
     * two innermost of a 4-D tensor whose last axis also changes, outside the three innermost of a
     * 5-D one, or tensors of 6 or more axes) is written as
     * it computes: one {@code MatMul} by the axis's interpolation matrix per resized axis.
     */
    public static final class Resize extends Base.Layer {
        public Resize() {
            super("onnx-resize", "exports onnx-resize as ONNX Resize (nearest, linear), or as its interpolation matrices");
        }

        private static <E extends Enum<E>> E parse(Class<E> type, String kebab) {
            return Enum.valueOf(type, kebab.toUpperCase(Locale.ROOT).replace('-', '_'));
        }

        @Override
        public String export(Context ctx) {
            Map<String, Object> c = ctx.config();
            long[] in = ctx.inputShape().dims();
            long[] sizes = Cfg.longs(c, "sizes");
            double[] scales = Cfg.list(c, "scales").stream().mapToDouble(v -> ((Number) v).doubleValue()).toArray();
            ResizeProvider.Mode mode = parse(ResizeProvider.Mode.class, Cfg.string(c, "mode"));
            ResizeProvider.Coordinates coords = parse(ResizeProvider.Coordinates.class, Cfg.string(c, "coordinate-transformation"));
            ResizeProvider.Rounding rounding = parse(ResizeProvider.Rounding.class, Cfg.string(c, "nearest-mode"));
            int r = in.length;
            boolean[] resized = new boolean[r];
            boolean any = false;
            boolean grows = false;
            boolean shrinks = false;
            boolean byScales = true;
            boolean bySizes = true;
            for (int a = 0; a < r; a++) {
                resized[a] = in[a] != sizes[a] || scales[a] != 1.0;
                any |= resized[a];
                grows |= resized[a] && scales[a] >= 1;
                shrinks |= resized[a] && scales[a] < 1;
                byScales &= (long) Math.floor((float) in[a] * (float) scales[a]) == sizes[a];
                bySizes &= (float) sizes[a] / (float) in[a] == (float) scales[a];
            }
            if (!any) {
                return ctx.input();
            }
            String nearestMode = rounding == ResizeProvider.Rounding.SIMPLE ? (shrinks ? "ceil" : "floor")
                    : Cfg.string(c, "nearest-mode").replace('-', '_');
            boolean mixed = mode == ResizeProvider.Mode.NEAREST && rounding == ResizeProvider.Rounding.SIMPLE && grows && shrinks;
            if (mixed || !(byScales || bySizes) || (mode == ResizeProvider.Mode.LINEAR && !ortLinear(resized))) {
                return matrices(ctx, in, sizes, scales, mode, coords, rounding, resized);
            }
            String scalesIn = "";
            String sizesIn = "";
            if (byScales) {
                float[] f = new float[r + 1];
                f[0] = 1;
                for (int a = 0; a < r; a++) {
                    f[a + 1] = (float) scales[a];
                }
                scalesIn = ctx.floats("scales", new long[] {r + 1}, f);
            } else {
                String batch = ctx.op("Slice").input(ctx.op("Shape").input(ctx.input()).output(), ctx.longs("start", 0), ctx.longs("end", 1))
                        .output();
                sizesIn = ctx.op("Concat").input(batch, ctx.longs("sizes", sizes)).attr("axis", 0L).output();
            }
            OnnxGraph.Node n = ctx.op("Resize").input(ctx.input(), "", scalesIn);
            if (!sizesIn.isEmpty()) {
                n.input(sizesIn);
            }
            n.attr("mode", mode.name().toLowerCase(Locale.ROOT))
                    .attr("coordinate_transformation_mode", coords.name().toLowerCase(Locale.ROOT));
            if (mode == ResizeProvider.Mode.NEAREST) {
                n.attr("nearest_mode", nearestMode);
            }
            return n.output();
        }

        /**
         * Whether ONNX Runtime's linear Resize runs these per-example axes: tensors of 2 or 3 axes
         * (with the batch); of 4 axes when the first or the last per-example axis keeps its size; of 5
         * axes when the first per-example axis keeps its size.
         */
        private static boolean ortLinear(boolean[] resized) {
            return switch (resized.length + 1) {
                case 2, 3 -> true;
                case 4 -> !resized[0] || !resized[2];
                case 5 -> !resized[0];
                default -> false;
            };
        }

        /** The layer's own computation: each resized axis multiplied by its {@code [in, out]} interpolation matrix. */
        private static String matrices(Context ctx, long[] in, long[] sizes, double[] scales, ResizeProvider.Mode mode,
                                       ResizeProvider.Coordinates coords, ResizeProvider.Rounding rounding, boolean[] resized) {
            String y = ctx.input();
            int r = in.length;
            for (int a = 0; a < r; a++) {
                if (!resized[a]) {
                    continue;
                }
                double[][] m = ResizeProvider.matrix(mode, coords, rounding, (int) in[a], (int) sizes[a], scales[a]);
                INDArray t = Nd4j.create(DataType.FLOAT, in[a], sizes[a]);
                for (int o = 0; o < sizes[a]; o++) {
                    for (int i = 0; i < in[a]; i++) {
                        t.putScalar(i, o, m[o][i]);
                    }
                }
                String mt = ctx.constant("interpolation", t);
                if (a == r - 1) {
                    y = ctx.op("MatMul").input(y, mt).output();
                } else {
                    // swap the axis with the last one, multiply, swap back
                    long[] perm = new long[r + 1];
                    for (int i = 0; i <= r; i++) {
                        perm[i] = i;
                    }
                    perm[a + 1] = r;
                    perm[r] = a + 1;
                    y = ctx.op("Transpose").input(y).ints("perm", perm).output();
                    y = ctx.op("MatMul").input(y, mt).output();
                    y = ctx.op("Transpose").input(y).ints("perm", perm).output();
                }
            }
            return y;
        }
    }
}
