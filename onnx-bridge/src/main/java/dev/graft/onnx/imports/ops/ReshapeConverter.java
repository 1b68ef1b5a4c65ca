package dev.graft.onnx.imports.ops;

import dev.graft.api.Shape;
import dev.graft.onnx.imports.ImportContext;
import dev.graft.onnx.imports.OnnxNode;

import java.util.Arrays;
import java.util.Map;

/**
 * {@code Reshape} (opsets 1-17; before opset 5 the target is the {@code shape} attribute, from 5 a
 * constant input) as a {@code reshape} of each example, with ONNX's {@code 0} = copy (without
 * {@code allowzero}) and {@code -1} = infer resolved at import; a shape equal to the input's binds the
 * output to the input, and a constant input is reshaped at import.
 *
 * <p>When the first dimension is the batch ({@link dev.graft.onnx.imports.BatchAxis#FIRST_DIM}) the
 * target's first entry must keep it: {@code 0}, the batch size folded from a {@code Shape} of the data
 * ({@code x.view(x.size(0), -1)} in PyTorch), {@code -1} with every other entry known, or a positive
 * number when the other entries already hold all of an example's values; targets that would change
 * the batch size are rejected. Under {@code NONE} the target is the whole new shape. Rejected:
 * computed target shapes.
 */
public final class ReshapeConverter extends OpConverter {
    public ReshapeConverter() {
        super("Reshape", 1, 17, "ONNX Reshape as reshape (keeping the batch axis when the first dimension is the batch)");
    }

    @Override
    public void convert(OnnxNode node, ImportContext ctx) {
        long[] target;
        if (node.opset() < 5) {
            target = node.attrInts("shape", null);
            if (target == null) {
                throw new IllegalArgumentException("the shape attribute is required before opset 5");
            }
        } else {
            target = Const.of(constant(ctx, node, 1, "the target shape")).longs("the target shape");
        }
        if (BatchViews.reshape(node, ctx, target, false)) {
            return;
        }
        ImportContext.Value x = input(ctx, node, 0);
        boolean allowZero = node.attrInt("allowzero", 0) != 0;
        if (x.isConstant()) {
            Const c = Const.of(x.constant());
            long[] t = target.clone();
            int free = -1;
            long known = 1;
            for (int i = 0; i < t.length; i++) {
                if (t[i] == Const.BATCH) {
                    throw new IllegalArgumentException("reshaping a constant to a shape that depends on the batch size is not supported");
                }
                if (t[i] == 0 && !allowZero) {
                    t[i] = c.shape[i];
                }
                if (t[i] == -1) {
                    free = i;
                } else {
                    known *= t[i];
                }
            }
            if (free >= 0) {
                t[free] = c.size() / Math.max(known, 1);
            }
            ctx.bindConstant(out(node), c.reshape(t).toArray());
            return;
        }
        Shape in = x.shape();
        if (!ctx.batchFirst()) {
            wholeTensor(node, ctx, x, target, allowZero);
            return;
        }
        if (target.length < 1) {
            throw new IllegalArgumentException("the target shape " + Arrays.toString(target) + " has no batch axis");
        }
        long[] rest = new long[target.length - 1];
        int free = -1;
        long known = 1;
        for (int i = 1; i < target.length; i++) {
            long t = target[i];
            if (t == Const.BATCH) {
                throw new IllegalArgumentException("the target shape " + shown(target) + " puts the batch size at position " + i
                        + "; native import keeps the batch axis first");
            }
            if (t == 0 && !allowZero) {
                if (i - 1 >= in.rank()) {
                    throw new IllegalArgumentException("the target shape " + shown(target) + " copies axis " + i + " (0), which the input "
                            + dims(in) + " (per example) does not have");
                }
                t = in.dim(i - 1);
            }
            if (t == -1) {
                if (free >= 0) {
                    throw new IllegalArgumentException("the target shape " + shown(target) + " has more than one -1");
                }
                free = i - 1;
            } else if (t <= 0) {
                throw new IllegalArgumentException("the target shape " + shown(target) + " has entry " + t + " at position " + i);
            } else {
                known *= t;
            }
            rest[i - 1] = t;
        }
        long first = target[0];
        boolean keepsBatch = first == Const.BATCH || (first == 0 && !allowZero)
                || (first == -1 && free < 0 && known == in.size())
                || (first > 0 && free < 0 && known == in.size());
        if (!keepsBatch && BatchViews.reshape(node, ctx, target, true)) {
            return;
        }
        if (!keepsBatch) {
            throw new IllegalArgumentException("the target shape " + shown(target) + " does not keep the batch axis (the input is "
                    + dims(in) + " per example); native import needs its first entry to be 0, the batch size from Shape, or -1 / a"
                    + " number with the other entries fixed to the example's " + in.size() + " values");
        }
        if (free >= 0) {
            if (known == 0 || in.size() % known != 0) {
                throw new IllegalArgumentException("cannot reshape " + dims(in) + " (per example) to " + shown(target));
            }
            rest[free] = in.size() / known;
        } else if (known != in.size()) {
            throw new IllegalArgumentException("cannot reshape " + dims(in) + " (" + in.size() + " values per example) to " + shown(target));
        }
        if (Arrays.equals(rest, in.dims())) {
            ctx.bind(out(node), x.node());
            return;
        }
        emit(ctx, node, "reshape", Map.of("shape", Params.list(rest)), x.node(), Map.of());
    }

    /** Under batch axis NONE: the target is the whole new shape. */
    private static void wholeTensor(OnnxNode node, ImportContext ctx, ImportContext.Value x, long[] target, boolean allowZero) {
        long[] in = x.shape().dims();
        long[] t = target.clone();
        int free = -1;
        long known = 1;
        for (int i = 0; i < t.length; i++) {
            if (t[i] == 0 && !allowZero) {
                if (i >= in.length) {
                    throw new IllegalArgumentException("the target shape " + shown(target) + " copies axis " + i + " (0), which the input "
                            + Arrays.toString(in) + " does not have");
                }
                t[i] = in[i];
            }
            if (t[i] == -1) {
                if (free >= 0) {
                    throw new IllegalArgumentException("the target shape " + shown(target) + " has more than one -1");
                }
                free = i;
            } else if (t[i] < 0) {
                throw new IllegalArgumentException("the target shape " + shown(target) + " has entry " + t[i] + " at position " + i);
            } else {
                known *= t[i];
            }
        }
        long size = x.shape().size();
        if (free >= 0) {
            if (known == 0 || size % known != 0) {
                throw new IllegalArgumentException("cannot reshape " + Arrays.toString(in) + " to " + shown(target));
            }
            t[free] = size / known;
        } else if (known != size) {
            throw new IllegalArgumentException("cannot reshape " + Arrays.toString(in) + " (" + size + " values) to " + shown(target));
        }
        ctx.bind(out(node), reshape(ctx, x.node(), t, hint(node)), x.type());
    }

    private static String shown(long[] target) {
        return Arrays.toString(Arrays.stream(target).mapToObj(v -> v == Const.BATCH ? "batch" : String.valueOf(v)).toArray());
    }
}
