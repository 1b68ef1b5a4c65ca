package dev.graft.onnx.export.builtin;

/** Exporters of the activation layers: one ONNX op each, or a short composition (silu, gelu). */
public final class Activations {
    private Activations() {
    }

    /** {@code relu} as {@code Relu}. */
    public static final class Relu extends Base.Layer {
        public Relu() {
            super("relu", "exports relu as ONNX Relu");
        }

        @Override
        public String export(Context ctx) {
            return ctx.op("Relu").input(ctx.input()).output();
        }
    }

    /** {@code sigmoid} as {@code Sigmoid}. */
    public static final class Sigmoid extends Base.Layer {
        public Sigmoid() {
            super("sigmoid", "exports sigmoid as ONNX Sigmoid");
        }

        @Override
        public String export(Context ctx) {
            return ctx.op("Sigmoid").input(ctx.input()).output();
        }
    }

    /** {@code tanh} as {@code Tanh}. */
    public static final class Tanh extends Base.Layer {
        public Tanh() {
            super("tanh", "exports tanh as ONNX Tanh");
        }

        @Override
        public String export(Context ctx) {
            return ctx.op("Tanh").input(ctx.input()).output();
        }
    }

    /** {@code softmax} (last axis) as {@code Softmax} with {@code axis = -1}. */
    public static final class Softmax extends Base.Layer {
        public Softmax() {
            super("softmax", "exports softmax as ONNX Softmax over the last axis");
        }

        @Override
        public String export(Context ctx) {
            return ctx.op("Softmax").input(ctx.input()).attr("axis", -1L).output();
        }
    }

    /** {@code log-softmax} (last axis) as {@code LogSoftmax} with {@code axis = -1}. */
    public static final class LogSoftmax extends Base.Layer {
        public LogSoftmax() {
            super("log-softmax", "exports log-softmax as ONNX LogSoftmax over the last axis");
        }

        @Override
        public String export(Context ctx) {
            return ctx.op("LogSoftmax").input(ctx.input()).attr("axis", -1L).output();
        }
    }

    /** {@code silu} as {@code x * Sigmoid(x)}. */
    public static final class Silu extends Base.Layer {
        public Silu() {
            super("silu", "exports silu as ONNX Mul(x, Sigmoid(x))");
        }

        @Override
        public String export(Context ctx) {
            String x = ctx.input();
            return Ops.binary(ctx, "Mul", x, ctx.op("Sigmoid").input(x).output());
        }
    }

    /** {@code leaky-relu} as {@code LeakyRelu(alpha)}. */
    public static final class LeakyRelu extends Base.Layer {
        public LeakyRelu() {
            super("leaky-relu", "exports leaky-relu as ONNX LeakyRelu");
        }

        @Override
        public String export(Context ctx) {
            return ctx.op("LeakyRelu").input(ctx.input()).attr("alpha", Cfg.number(ctx.config(), "alpha")).output();
        }
    }

    /** {@code elu} as {@code Elu(alpha)}. */
    public static final class Elu extends Base.Layer {
        public Elu() {
            super("elu", "exports elu as ONNX Elu");
        }

        @Override
        public String export(Context ctx) {
            return ctx.op("Elu").input(ctx.input()).attr("alpha", Cfg.number(ctx.config(), "alpha")).output();
        }
    }

    /**
     * {@code gelu}: the exact form as {@code 0.5 * x * (1 + Erf(x / sqrt(2)))}, the tanh form as
     * {@code 0.5 * x * (1 + Tanh(sqrt(2 / pi) * (x + 0.044715 * x^3)))} (ONNX's own Gelu op needs opset 20).
     */
    public static final class Gelu extends Base.Layer {
        public Gelu() {
            super("gelu", "exports gelu as its Erf (or Tanh) formula");
        }

        @Override
        public String export(Context ctx) {
            String x = ctx.input();
            String phi2;
            if (Cfg.string(ctx.config(), "approximate").equals("tanh")) {
                String cube = Ops.binary(ctx, "Mul", Ops.binary(ctx, "Mul", x, x), x);
                String inner = Ops.binary(ctx, "Add", x, Ops.binary(ctx, "Mul", cube, ctx.scalar("c", 0.044715)));
                inner = Ops.binary(ctx, "Mul", inner, ctx.scalar("sqrt_2_over_pi", Math.sqrt(2 / Math.PI)));
                phi2 = Ops.binary(ctx, "Add", ctx.op("Tanh").input(inner).output(), ctx.scalar("one", 1));
            } else {
                String erf = ctx.op("Erf").input(Ops.binary(ctx, "Mul", x, ctx.scalar("inv_sqrt2", 1 / Math.sqrt(2)))).output();
                phi2 = Ops.binary(ctx, "Add", erf, ctx.scalar("one", 1));
            }
            return Ops.binary(ctx, "Mul", Ops.binary(ctx, "Mul", x, ctx.scalar("half", 0.5)), phi2);
        }
    }
}
