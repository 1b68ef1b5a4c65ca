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

    /** A function without options. */
    abstract static class Simple extends Function {
        private final DoubleUnaryOperator f;

        Simple(String opType, int minOpset, String op, DoubleUnaryOperator f) {
            super(opType, minOpset, op);
            this.f = f;
        }

        @Override
        DoubleUnaryOperator function(OnnxNode node) {
            return f;
        }
    }

    /** {@code Floor}. */
    public static final class Floor extends Simple {
        public Floor() {
            super("Floor", 1, "floor", Math::floor);
        }
    }

    /** {@code Ceil}. */
    public static final class Ceil extends Simple {
        public Ceil() {
            super("Ceil", 1, "ceil", Math::ceil);
        }
    }

    /** {@code Round} (half to even). */
    public static final class Round extends Simple {
        public Round() {
            super("Round", 11, "round", Math::rint);
        }
    }

    /** {@code Sign}. */
    public static final class Sign extends Simple {
        public Sign() {
            super("Sign", 9, "sign", Math::signum);
        }
    }

    /** {@code Sin}. */
    public static final class Sin extends Simple {
        public Sin() {
            super("Sin", 7, "sin", Math::sin);
        }
    }

    /** {@code Cos}. */
    public static final class Cos extends Simple {
        public Cos() {
            super("Cos", 7, "cos", Math::cos);
        }
    }

    /** {@code Tan}. */
    public static final class Tan extends Simple {
        public Tan() {
            super("Tan", 7, "tan", Math::tan);
        }
    }

    /** {@code Asin}. */
    public static final class Asin extends Simple {
        public Asin() {
            super("Asin", 7, "asin", Math::asin);
        }
    }

    /** {@code Acos}. */
    public static final class Acos extends Simple {
        public Acos() {
            super("Acos", 7, "acos", Math::acos);
        }
    }

    /** {@code Atan}. */
    public static final class Atan extends Simple {
        public Atan() {
            super("Atan", 7, "atan", Math::atan);
        }
    }

    /** {@code Sinh}. */
    public static final class Sinh extends Simple {
        public Sinh() {
            super("Sinh", 9, "sinh", Math::sinh);
        }
    }

    /** {@code Cosh}. */
    public static final class Cosh extends Simple {
        public Cosh() {
            super("Cosh", 9, "cosh", Math::cosh);
        }
    }

    /** {@code Asinh}. */
    public static final class Asinh extends Simple {
        public Asinh() {
            super("Asinh", 9, "asinh", v -> Math.log(v + Math.sqrt(v * v + 1)));
        }
    }

    /** {@code Acosh}. */
    public static final class Acosh extends Simple {
        public Acosh() {
            super("Acosh", 9, "acosh", v -> Math.log(v + Math.sqrt(v * v - 1)));
        }
    }

    /** {@code Atanh}. */
    public static final class Atanh extends Simple {
        public Atanh() {
            super("Atanh", 9, "atanh", v -> 0.5 * Math.log((1 + v) / (1 - v)));
        }
    }

    /** {@code Not} (of bools, carried as 0 and 1). */
    public static final class Not extends Simple {
        public Not() {
            super("Not", 1, "not", v -> v != 0 ? 0 : 1);
        }
    }

    /** {@code Selu}: {@code alpha} default 1.67326..., {@code gamma} 1.0507... */
    public static final class Selu extends Function {
        public Selu() {
            super("Selu", 1, "selu");
        }

        @Override
        DoubleUnaryOperator function(OnnxNode node) {
            double alpha = attrDouble(node, "alpha", 1.67326319217681884765625f);
            double gamma = attrDouble(node, "gamma", 1.05070102214813232421875f);
            return v -> gamma * (v > 0 ? v : alpha * (Math.exp(v) - 1));
        }

        @Override
        Map<String, Object> options(OnnxNode node) {
            return Map.of("alpha", attrDouble(node, "alpha", 1.67326319217681884765625f), "beta",
                    attrDouble(node, "gamma", 1.05070102214813232421875f));
        }
    }

    /** {@code Celu}: {@code alpha} default 1. */
    public static final class Celu extends Function {
        public Celu() {
            super("Celu", 12, "celu");
        }

        @Override
        DoubleUnaryOperator function(OnnxNode node) {
            double alpha = attrDouble(node, "alpha", 1f);
            return v -> Math.max(0, v) + Math.min(0, alpha * (Math.exp(v / alpha) - 1));
        }

        @Override
        Map<String, Object> options(OnnxNode node) {
            return Map.of("alpha", attrDouble(node, "alpha", 1f));
        }
    }

    /** {@code ThresholdedRelu}: {@code alpha} default 1. */
    public static final class ThresholdedRelu extends Function {
        public ThresholdedRelu() {
            super("ThresholdedRelu", 10, "thresholded-relu");
        }

        @Override
        DoubleUnaryOperator function(OnnxNode node) {
            double alpha = attrDouble(node, "alpha", 1f);
            return v -> v > alpha ? v : 0;
        }

        @Override
        Map<String, Object> options(OnnxNode node) {
            return Map.of("alpha", attrDouble(node, "alpha", 1f));
        }
    }

    /** {@code Shrink}: {@code lambd} default 0.5, {@code bias} 0. */
    public static final class Shrink extends Function {
        public Shrink() {
            super("Shrink", 9, "shrink");
        }

        @Override
        DoubleUnaryOperator function(OnnxNode node) {
            double lambd = attrDouble(node, "lambd", 0.5f);
            double bias = attrDouble(node, "bias", 0f);
            return v -> v > lambd ? v - bias : v < -lambd ? v + bias : 0;
        }

        @Override
        Map<String, Object> options(OnnxNode node) {
            return Map.of("alpha", attrDouble(node, "lambd", 0.5f), "beta", attrDouble(node, "bias", 0f));
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
