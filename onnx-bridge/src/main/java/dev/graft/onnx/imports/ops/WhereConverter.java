package dev.graft.onnx.imports.ops;

import dev.graft.onnx.imports.ImportContext;
import dev.graft.onnx.imports.OnnxNode;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code Where} (opsets 9-17): {@code condition ? X : Y} with broadcasting.
 *
 * <ul>
 *   <li>All three constant: computed at import.</li>
 *   <li>Otherwise {@code onnx-where}, which computes {@code m * X + (1 - m) * Y} (SameDiff's own
 *       {@code where} has no gradient); constant operands become its fixed (not trainable)
 *       parameters, without a leading axis that lines up with the batch axis. With a constant
 *       condition, a constant X or Y is zeroed where it is not selected, so an infinite fill value
 *       ({@code masked_fill(mask, -inf)}) stays exact; with a computed condition, infinite constants
 *       become the largest finite float of their sign (a {@code 0 * infinity} would not be a
 *       number).</li>
 * </ul>
 * Under batch axis {@code NONE} computed operands of lower rank are reshaped up to the largest rank
 * first. Rejected when the first dimension is the batch: computed operands of different ranks (their
 * batch axes would not line up) and constants with more axes than the computed operands.
 */
public final class WhereConverter extends OpConverter {
    public WhereConverter() {
        super("Where", 9, 17, "ONNX Where as onnx-where (m * x + (1 - m) * y), folded for constants");
    }

    @Override
    public void convert(OnnxNode node, ImportContext ctx) {
        ImportContext.Value cond = input(ctx, node, 0);
        ImportContext.Value a = input(ctx, node, 1);
        ImportContext.Value b = input(ctx, node, 2);
        List<ImportContext.Value> ops = List.of(cond, a, b);
        if (ops.stream().allMatch(ImportContext.Value::isConstant)) {
            ctx.bindConstant(out(node), select(Const.of(cond.constant()), Const.of(a.constant()), Const.of(b.constant())).toArray());
            return;
        }
        String h = hint(node);
        List<String> computed = new ArrayList<>();
        ImportContext.Value ref = ops.stream().filter(v -> !v.isConstant()).findFirst().orElseThrow();
        if (ctx.batchFirst()) {
            for (ImportContext.Value v : ops) {
                if (!v.isConstant() && v.shape().rank() != ref.shape().rank()) {
                    throw new IllegalArgumentException("the computed operands have per-example shapes of different ranks (" + dims(ref.shape())
                            + " and " + dims(v.shape()) + "); their batch axes would not line up");
                }
            }
            for (ImportContext.Value v : ops) {
                computed.add(v.isConstant() ? null : v.node());
            }
        } else {
            // whole tensors: every computed operand reshaped up to the largest rank of the three
            int r = 0;
            for (ImportContext.Value v : ops) {
                r = Math.max(r, v.isConstant() ? v.constant().rank() : v.shape().rank());
            }
            for (int i = 0; i < 3; i++) {
                ImportContext.Value v = ops.get(i);
                computed.add(v.isConstant() ? null : reshape(ctx, v.node(), Params.padTo(v.shape().dims(), r), h + "_up" + i));
            }
            String first = computed.stream().filter(java.util.Objects::nonNull).findFirst().orElseThrow();
            ref = new ImportContext.Value(ref.onnxName(), first, ctx.shapeOf(first), null, ref.type());
        }
        Const m = cond.isConstant() ? Const.of(cond.constant()) : null;
        List<String> names = List.of("condition", "x", "y");
        Map<String, Object> config = new LinkedHashMap<>();
        Map<String, INDArray> params = new LinkedHashMap<>();
        List<String> inputs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ImportContext.Value v = ops.get(i);
            if (!v.isConstant()) {
                inputs.add(computed.get(i));
                continue;
            }
            Const c = Const.of(v.constant()).noBatch("the " + names.get(i));
            if (i == 0) {
                c = truth(c);
            } else if (m != null) {
                // zero where the other branch is taken, so that m * x + (1 - m) * y never meets 0 * infinity
                Const zeros = Const.reals(new long[0], new double[] {0}, c.type);
                c = i == 1 ? select(m, c, zeros) : select(m, zeros, c);
            } else {
                c = finite(c);
            }
            c = Params.perExample(ctx, c, ref, "the " + names.get(i));
            config.put(names.get(i) + "-shape", Params.list(c.shape));
            params.put(names.get(i), real(c).toArray());
        }
        String y = ctx.emit("onnx-where", config, inputs, params, h);
        // the type of the branches, not of the (bool) condition
        ctx.bind(out(node), y, a.isConstant() && !b.isConstant() ? b.type() : a.type());
    }

    /** Element-wise {@code m ? x : y} with broadcasting; the result is real unless both branches are integers. */
    static Const select(Const m, Const x, Const y) {
        Const t = truth(m);
        boolean ints = x.isInt() && y.isInt();
        Const xs = Const.binary(t, x, (p, q) -> p != 0 ? q : 0, ints ? (p, q) -> p != 0 ? q : 0 : null, "Where");
        Const ys = Const.binary(t, y, (p, q) -> p != 0 ? 0 : q, ints ? (p, q) -> p != 0 ? 0 : q : null, "Where");
        // each element comes from one branch, the other holds 0 there: take the non-zero one (no 0 + infinity)
        return Const.binary(xs, ys, (p, q) -> p == 0 ? q : p, ints ? (p, q) -> p == 0 ? q : p : null, "Where");
    }

    /** A condition as 1 / 0 integers. */
    private static Const truth(Const c) {
        long[] v = new long[c.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (c.isInt() ? c.ints[i] != 0 : c.reals[i] != 0) ? 1 : 0;
        }
        return Const.ints(c.shape, v);
    }

    private static Const finite(Const c) {
        if (c.isInt()) {
            return c;
        }
        double[] v = c.reals.clone();
        for (int i = 0; i < v.length; i++) {
            if (Double.isInfinite(v[i])) {
                v[i] = v[i] > 0 ? Float.MAX_VALUE : -Float.MAX_VALUE;
            }
        }
        return Const.reals(c.shape, v, c.type);
    }

    private static Const real(Const c) {
        return c.isInt() ? Const.reals(c.shape, c.doubles("a Where operand"), org.nd4j.linalg.api.buffer.DataType.FLOAT) : c;
    }
}
