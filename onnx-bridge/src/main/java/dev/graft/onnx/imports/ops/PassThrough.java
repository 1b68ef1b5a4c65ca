package dev.graft.onnx.imports.ops;

import dev.graft.onnx.imports.ImportContext;
import dev.graft.onnx.imports.OnnxNode;
import dev.graft.onnx.imports.UnsupportedNodeException;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Ops that pass their input through unchanged in inference, so their output is bound to their input:
 * {@code Identity} and {@code Dropout} (opsets 1-17; an exported model is imported in its inference
 * behaviour; add a Graft {@code dropout} layer to fine-tune with dropout). Dropout's {@code mask}
 * output, all true in inference, is a constant for whole tensors (batch axis NONE). Dropout in
 * training form ({@code training_mode} true from opset 12, {@code is_test = 0} before opset 7) with a
 * non-zero ratio draws random masks, which native import does not reproduce: such a node is
 * unsupported. With ratio 0 it passes its input through.
 */
public final class PassThrough {
    private PassThrough() {
    }

    static void pass(OnnxNode node, ImportContext ctx) {
        ImportContext.Value x = OpConverter.input(ctx, node, 0);
        if (x.isConstant()) {
            ctx.bindConstant(OpConverter.out(node), x.constant());
        } else {
            ctx.bind(OpConverter.out(node), x.node(), x.type());
        }
    }

    /** {@code Identity}. */
    public static final class Identity extends OpConverter {
        public Identity() {
            super("Identity", 1, 17, "ONNX Identity: the output is the input");
        }

        @Override
        public void convert(OnnxNode node, ImportContext ctx) {
            pass(node, ctx);
        }
    }

    /** {@code Dropout}. */
    public static final class Dropout extends OpConverter {
        public Dropout() {
            super("Dropout", 1, 17, "ONNX Dropout in inference: the output is the input");
        }

        @Override
        public String unsupported(OnnxNode node) {
            if (node.opset() < 7 && node.attrInt("is_test", 0) == 0 && node.has("is_test")) {
                return "is_test = 0 (training: random masks, which native import does not reproduce)";
            }
            return null;
        }

        @Override
        public void convert(OnnxNode node, ImportContext ctx) {
            ImportContext.Value x = input(ctx, node, 0);
            if (node.opset() >= 12 && node.input(2).isPresent()) {
                boolean training = Const.of(constant(ctx, node, 2, "training_mode")).scalar("training_mode") != 0;
                if (training) {
                    ImportContext.Value r = node.input(1).isPresent() ? input(ctx, node, 1) : null;
                    if (r != null && !r.isConstant()) {
                        throw new UnsupportedNodeException("training_mode = true with a ratio computed from the inputs draws random masks"
                                + " unless the ratio is 0, which native import cannot know ahead");
                    }
                    double ratio = r == null ? 0.5 : Const.of(r.constant()).scalar("ratio");
                    if (ratio != 0) {
                        throw new UnsupportedNodeException("training_mode = true with ratio " + ratio + " draws random masks, which native"
                                + " import does not reproduce");
                    }
                }
            }
            pass(node, ctx);
            if (node.outputs().size() > 1 && !node.outputs().get(1).isEmpty()) {
                long[] shape = x.isConstant() ? x.constant().shape() : ctx.batchFirst() ? null : x.shape().dims();
                if (shape == null) {
                    throw new IllegalArgumentException("the node asks for output 1 (mask), whose shape depends on the batch size; native import"
                            + " computes it for whole tensors (batch axis none)");
                }
                // in inference every element is kept
                ctx.bindConstant(node.outputs().get(1), Nd4j.ones(DataType.INT64, shape));
            }
        }
    }
}
