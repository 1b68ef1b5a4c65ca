package dev.graft.onnx.imports.ops;

import dev.graft.onnx.imports.ImportContext;
import dev.graft.onnx.imports.OnnxNode;

/**
 * Ops that pass their input through unchanged in inference, so their output is bound to their input:
 * {@code Identity} and {@code Dropout} (opsets 7-17; a dropout ratio or training-mode input is ignored:
 * an exported model is imported in its inference behaviour; add a Graft {@code dropout} layer to
 * fine-tune with dropout). Rejected: a request for Dropout's {@code mask} output.
 */
public final class PassThrough {
    private PassThrough() {
    }

    static void pass(OnnxNode node, ImportContext ctx) {
        ImportContext.Value x = OpConverter.input(ctx, node, 0);
        if (x.isConstant()) {
            ctx.bindConstant(OpConverter.out(node), x.constant());
        } else {
            ctx.bind(OpConverter.out(node), x.node());
        }
    }

    /** {@code Identity}. */
    public static final class Identity extends OpConverter {
        public Identity() {
            super("Identity", 7, 17, "ONNX Identity: the output is the input");
        }

        @Override
        public void convert(OnnxNode node, ImportContext ctx) {
            pass(node, ctx);
        }
    }

    /** {@code Dropout}. */
    public static final class Dropout extends OpConverter {
        public Dropout() {
            super("Dropout", 7, 17, "ONNX Dropout in inference: the output is the input");
        }

        @Override
        public void convert(OnnxNode node, ImportContext ctx) {
            onlyFirstOutput(node, "mask");
            pass(node, ctx);
        }
    }
}
