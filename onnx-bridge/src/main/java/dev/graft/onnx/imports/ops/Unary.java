package dev.graft.onnx.imports.ops;

import dev.graft.onnx.imports.ImportContext;
import dev.graft.onnx.imports.OnnxNode;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.DoubleUnaryOperator;

/**
 * Element-wise functions without a Graft layer of their own, as {@code onnx-unary} (opsets 1-17,
 * {@code Erf} 9-17, {@code HardSwish} 14-17): {@code Sqrt}, {@code Exp}, {@code Log}, {@code Neg},
 * {@code Abs}, {@code Reciprocal}, {@code Erf}, {@code Softplus}, {@code Softsign},
 * {@code HardSigmoid} ({@code alpha} default 0.2, {@code beta} 0.5) and {@code HardSwish}. On a
 * constant input the function is applied at import. {@code Clip} is {@link ClipConverter}.
 */
public final class Unary {
    private Unary() {
    }

    abstract static class Function extends OpConverter {
        private final String op;

        Function(String opType, int minOpset, String op) {
            super(opType, minOpset, 17, "ONNX " + opType + " as onnx-unary " + op);
            this.op = op;
        }

        abstract DoubleUnaryOperator function(OnnxNode node);

        Map<String, Object> options(OnnxNode node) {
            return Map.of();
        }

        @Override
        public void convert(OnnxNode node, ImportContext ctx) {
            ImportContext.Value x = input(ctx, node, 0);
            if (x.isConstant()) {
                ctx.bindConstant(out(node), Const.of(x.constant()).map(function(node), opType() + " of a constant").toArray());
                return;
            }
            Map<String, Object> config = new LinkedHashMap<>(options(node));
            config.put("op", op);
            emit(ctx, node, "onnx-unary", config, x.node(), Map.of());
        }
    }

    /** {@code Sqrt}. */
    public static final class Sqrt extends Function {
        public Sqrt() {
            super("Sqrt", 1, "sqrt");
        }

        @Override
        DoubleUnaryOperator function(OnnxNode node) {
            return Math::sqrt;
        }
    }

    /** {@code Exp}. */
    public static final class Exp extends Function {
        public Exp() {
            super("Exp", 1, "exp");
        }

        @Override
        DoubleUnaryOperator function(OnnxNode node) {
            return Math::exp;
        }
    }

    /** {@code Log}. */
    public static final class Log extends Function {
        public Log() {
            super("Log", 1, "log");
        }

        @Override
        DoubleUnaryOperator function(OnnxNode node) {
            return Math::log;
        }
    }

    /** {@code Neg}. */
    public static final class Neg extends Function {
        public Neg() {
            super("Neg", 1, "neg");
        }

        @Override
        DoubleUnaryOperator function(OnnxNode node) {
            return v -> -v;
        }

        @Override
        public void convert(OnnxNode node, ImportContext ctx) {
            ImportContext.Value x = input(ctx, node, 0);
            if (x.isConstant() && Const.of(x.constant()).isInt()) {
                // integer shape arithmetic stays integer
                Const c = Const.of(x.constant()).noBatch("Neg of a constant");
                ctx.bindConstant(out(node), Const.binary(c, Const.ints(new long[0], new long[] {-1}), (p, q) -> p * q, (p, q) -> p * q, "Neg")
                        .toArray());
                return;
            }
            super.convert(node, ctx);
        }
    }

    /** {@code Abs}. */
    public static final class Abs extends Function {
        public Abs() {
            super("Abs", 1, "abs");
        }

        @Override
        DoubleUnaryOperator function(OnnxNode node) {
            return Math::abs;
        }
    }

    /** {@code Reciprocal}. */
    public static final class Reciprocal extends Function {
        public Reciprocal() {
            super("Reciprocal", 1, "reciprocal");
        }

        @Override
        DoubleUnaryOperator function(OnnxNode node) {
            return v -> 1 / v;
        }
    }

    /** {@code Erf}. */
    public static final class Erf extends Function {
        public Erf() {
            super("Erf", 9, "erf");
        }

        @Override
        DoubleUnaryOperator function(OnnxNode node) {
            return Unary::erf;
        }
    }

    /** {@code Softplus}. */
    public static final class Softplus extends Function {
        public Softplus() {
            super("Softplus", 1, "softplus");
        }

        @Override
        DoubleUnaryOperator function(OnnxNode node) {
            return v -> Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v)));
        }
    }

    /** {@code Softsign}. */
    public static final class Softsign extends Function {
        public Softsign() {
            super("Softsign", 1, "softsign");
        }

        @Override
        DoubleUnaryOperator function(OnnxNode node) {
            return v -> v / (1 + Math.abs(v));
        }
    }

    /** {@code HardSigmoid}. */
    public static final class HardSigmoid extends Function {
        public HardSigmoid() {
            super("HardSigmoid", 1, "hard-sigmoid");
        }

        @Override
        DoubleUnaryOperator function(OnnxNode node) {
            double alpha = attrDouble(node, "alpha", 0.2f);
            double beta = attrDouble(node, "beta", 0.5f);
            return v -> Math.max(0, Math.min(1, alpha * v + beta));
        }

        @Override
        Map<String, Object> options(OnnxNode node) {
            return Map.of("alpha", attrDouble(node, "alpha", 0.2f), "beta", attrDouble(node, "beta", 0.5f));
        }
    }

    /** {@code HardSwish}. */
    public static final class HardSwish extends Function {
        public HardSwish() {
            super("HardSwish", 14, "hard-swish");
        }

        @Override
        DoubleUnaryOperator function(OnnxNode node) {
            return v -> v * Math.max(0, Math.min(1, v / 6 + 0.5));
        }
    }

    /** The error function, for folding constants: its Maclaurin series near 0, a continued fraction of erfc beyond. */
    static double erf(double x) {
        double t = Math.abs(x);
        double r;
        if (t < 2.5) {
            // Maclaurin series: erf(x) = 2/sqrt(pi) * sum (-1)^n x^(2n+1) / (n! (2n+1))
            double sum = 0;
            double term = t;
            for (int n = 0; n < 60; n++) {
                sum += term / (2 * n + 1);
                term *= -t * t / (n + 1);
            }
            r = 2 / Math.sqrt(Math.PI) * sum;
        } else {
            // continued fraction for erfc
            double f = 0;
            for (int n = 60; n >= 1; n--) {
                f = n / 2.0 / (t + f);
            }
            r = 1 - Math.exp(-t * t) / Math.sqrt(Math.PI) / (t + f);
        }
        return x < 0 ? -r : r;
    }
}
