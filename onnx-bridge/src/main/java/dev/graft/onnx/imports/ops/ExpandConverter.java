package dev.graft.onnx.imports.ops;

import dev.graft.onnx.imports.ImportContext;
import dev.graft.onnx.imports.OnnxNode;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * {@code Expand} (opsets 8-17) with a constant shape, ONNX's bidirectional broadcast: of a constant
 * at import; of a computed value as {@code onnx-expand} of the non-batch axes (the output is the
 * broadcast of the input's and the target's shapes), or the input itself when nothing grows. The
 * target's entry aligned with the batch axis must be 1 or the batch size (from {@code Shape}).
 * Under batch axis {@code NONE} the target may have more axes than the input, which is reshaped up
 * first. Rejected: computed shapes, and when the first dimension is the batch, targets with more axes
 * than a computed input and constants expanded to the batch size.
 */
public final class ExpandConverter extends OpConverter {
    public ExpandConverter() {
        super("Expand", 8, 17, "ONNX Expand with a constant shape as onnx-expand, folded for constants");
    }

    @Override
    public void convert(OnnxNode node, ImportContext ctx) {
        ImportContext.Value x = input(ctx, node, 0);
        Const shape = Const.of(constant(ctx, node, 1, "the shape"));
        if (shape.rank() != 1) {
            throw new IllegalArgumentException("the shape must be a 1-D list of sizes, got a tensor of shape " + Arrays.toString(shape.shape));
        }
        long[] target = shape.ints != null ? shape.ints.clone() : shape.longs("the shape");
        if (x.isConstant()) {
            shape.noBatch("the shape of an Expand of a constant");
            Const c = Const.of(x.constant());
            Const zeros = c.isInt() ? Const.ints(target, new long[(int) Arrays.stream(target).reduce(1, Math::multiplyExact)])
                    : Const.reals(target, new double[(int) Arrays.stream(target).reduce(1, Math::multiplyExact)], c.type);
            ctx.bindConstant(out(node), Const.binary(c, zeros, Double::sum, Long::sum, "Expand").toArray());
            return;
        }
        if (!ctx.batchFirst()) {
            wholeTensor(node, ctx, x, target);
            return;
        }
        int full = fullRank(ctx, x);
        if (target.length > full) {
            throw new IllegalArgumentException("the shape " + Arrays.toString(target) + " has more axes than the input (" + full
                    + " with the batch); the new leading axes would move the batch axis");
        }
        long[] padded = Const.pad(target, full);
        if (padded[0] != 1 && padded[0] != Const.BATCH) {
            throw new IllegalArgumentException("the shape " + Arrays.toString(target) + " sets the batch axis to " + padded[0]
                    + "; native import keeps the batch size (use 1 or the batch size from Shape)");
        }
        long[] in = x.shape().dims();
        long[] out = new long[in.length];
        for (int i = 0; i < in.length; i++) {
            long t = padded[i + 1];
            if (t == Const.BATCH) {
                throw new IllegalArgumentException("the shape " + Arrays.toString(target) + " puts the batch size on a non-batch axis");
            }
            if (t != in[i] && t != 1 && in[i] != 1) {
                throw new IllegalArgumentException("the input " + dims(x.shape()) + " (per example) does not broadcast to " + Arrays.toString(target));
            }
            out[i] = in[i] == 1 ? t : in[i];
        }
        if (Arrays.equals(out, in)) {
            ctx.bind(out(node), x.node());
            return;
        }
        emit(ctx, node, "onnx-expand", Map.of("shape", Params.list(out)), x.node(), Map.of());
    }

    /**
     * Under batch axis NONE: the broadcast of the whole input's shape and the target, the input reshaped
     * up first when the target has more axes.
     */
    private static void wholeTensor(OnnxNode node, ImportContext ctx, ImportContext.Value x, long[] target) {
        long[] in = x.shape().dims();
        int r = Math.max(in.length, target.length);
        long[] a = Params.padTo(in, r);
        long[] t = Const.pad(target, r);
        long[] out = new long[r];
        for (int i = 0; i < r; i++) {
            if (t[i] <= 0) {
                throw new IllegalArgumentException("the shape " + Arrays.toString(target) + " has entry " + t[i] + "; native import expands to"
                        + " positive sizes");
            }
            if (t[i] != a[i] && t[i] != 1 && a[i] != 1) {
                throw new IllegalArgumentException("the input " + dims(x.shape()) + " does not broadcast to " + Arrays.toString(target));
            }
            out[i] = a[i] == 1 ? t[i] : a[i];
        }
        String h = hint(node);
        String xn = reshape(ctx, x.node(), a, h + "_up");
        if (Arrays.equals(out, a)) {
            ctx.bind(out(node), xn, x.type());
            return;
        }
        String y = ctx.emit("onnx-expand", Map.of("shape", Params.list(out)), List.of(xn), Map.of(), h);
        ctx.bind(out(node), y, x.type());
    }
}
