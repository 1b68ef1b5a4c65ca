package dev.graft.onnx.imports.ops;

import dev.graft.onnx.imports.ImportContext;
import dev.graft.onnx.imports.OnnxNode;

import java.util.List;
import java.util.Map;

/**
 * {@code PRelu} (opsets 1-17; before opset 7 the slope has X's shape or is a single value, which
 * broadcasting covers): with a constant slope (broadcast against the input, e.g. PyTorch's
 * {@code [C, 1, 1]}) as {@code onnx-prelu}, the slope becoming its trainable {@code slope}; with a
 * computed slope as {@code relu(x) - slope * relu(-x)} ({@code relu}, {@code onnx-unary} neg and
 * {@code onnx-binary} nodes). Rejected when the first dimension is the batch: a constant slope with a
 * row per batch example, and a computed slope of another rank than the input.
 */
public final class PReluConverter extends OpConverter {
    public PReluConverter() {
        super("PRelu", 1, 17, "ONNX PRelu as onnx-prelu (constant slope) or relu / onnx-binary nodes (computed slope)");
    }

    @Override
    public void convert(OnnxNode node, ImportContext ctx) {
        ImportContext.Value x = computed(ctx, node, 0, "the input X");
        ImportContext.Value s = input(ctx, node, 1);
        if (s.isConstant()) {
            Const given = Const.of(s.constant());
            int full = fullRank(ctx, x);
            if (node.opset() < 7 && given.rank() == 1 && given.size() > 1 && full >= 2) {
                // before opset 7 a vector slope holds one value per channel (axis 1)
                long[] perChannel = new long[full - 1];
                java.util.Arrays.fill(perChannel, 1);
                perChannel[0] = given.size();
                given = given.reshape(perChannel);
            }
            Const slope = Params.perExample(ctx, given, x, "the slope");
            emit(ctx, node, "onnx-prelu", Map.of("slope-shape", Params.list(slope.shape)), x.node(), Map.of("slope", slope.toArray()));
            return;
        }
        String h = hint(node);
        int rank = x.shape().rank();
        String slope = s.node();
        if (s.shape().rank() != rank) {
            if (ctx.batchFirst() || s.shape().rank() > rank) {
                throw new IllegalArgumentException("the slope has per-example shape " + dims(s.shape()) + " and X " + dims(x.shape())
                        + "; a computed slope must broadcast to X with the same rank");
            }
            slope = reshape(ctx, slope, Params.padTo(s.shape().dims(), rank), h + "_slope");
        }
        String pos = ctx.emit("relu", Map.of(), List.of(x.node()), Map.of(), h + "_pos");
        String neg = ctx.emit("onnx-unary", Map.of("op", "neg"), List.of(x.node()), Map.of(), h + "_neg");
        String negPart = ctx.emit("relu", Map.of(), List.of(neg), Map.of(), h + "_negrelu");
        String scaled = ctx.emit("onnx-binary", Map.of("op", "mul"), List.of(negPart, slope), Map.of(), h + "_scaled");
        emit(ctx, node, "onnx-binary", Map.of("op", "sub"), List.of(pos, scaled), Map.of());
    }
}
