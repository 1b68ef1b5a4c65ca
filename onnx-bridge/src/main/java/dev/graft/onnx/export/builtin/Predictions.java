package dev.graft.onnx.export.builtin;

import dev.graft.onnx.export.OnnxPredictionExporter.Context;

/** Exporters of the built-in losses' prediction functions. */
public final class Predictions {
    private Predictions() {
    }

    /** {@code softmax-cross-entropy}: {@code Softmax} over axis 1, the classes. */
    public static final class SoftmaxCrossEntropy extends Base.Prediction {
        public SoftmaxCrossEntropy() {
            super("softmax-cross-entropy", "exports the class probabilities of softmax-cross-entropy as ONNX Softmax");
        }

        @Override
        public String export(Context ctx) {
            return ctx.op("Softmax").input(ctx.input()).attr("axis", 1L).output();
        }
    }

    /** {@code binary-cross-entropy}: {@code Sigmoid}. */
    public static final class BinaryCrossEntropy extends Base.Prediction {
        public BinaryCrossEntropy() {
            super("binary-cross-entropy", "exports the probabilities of binary-cross-entropy as ONNX Sigmoid");
        }

        @Override
        public String export(Context ctx) {
            return ctx.op("Sigmoid").input(ctx.input()).output();
        }
    }

    /** {@code nll}: {@code Exp} of the log-probabilities. */
    public static final class Nll extends Base.Prediction {
        public Nll() {
            super("nll", "exports the class probabilities of nll as ONNX Exp");
        }

        @Override
        public String export(Context ctx) {
            return ctx.op("Exp").input(ctx.input()).output();
        }
    }

    /** A regression loss: predictions are the output itself. */
    private abstract static class Identity extends Base.Prediction {
        Identity(String id) {
            super(id, "the predictions of " + id + " are the model output itself (nothing to export)");
        }

        @Override
        public final String export(Context ctx) {
            return ctx.input();
        }
    }

    /** {@code mse}: the output itself. */
    public static final class Mse extends Identity {
        public Mse() {
            super("mse");
        }
    }

    /** {@code mae}: the output itself. */
    public static final class Mae extends Identity {
        public Mae() {
            super("mae");
        }
    }

    /** {@code huber}: the output itself. */
    public static final class Huber extends Identity {
        public Huber() {
            super("huber");
        }
    }
}
