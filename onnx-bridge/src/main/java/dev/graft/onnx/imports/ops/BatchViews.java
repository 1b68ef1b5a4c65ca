package dev.graft.onnx.imports.ops;

import dev.graft.onnx.imports.ImportContext;
import dev.graft.onnx.imports.OnnxNode;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Values whose batch axis is not first, and the ops that follow them until it is first again.
 *
 * <p>Graft layers see a batch {@code [batch, ...example]}. Some exports move the batch axis inside the
 * graph: PyTorch's {@code nn.MultiheadAttention} with {@code batch_first=True} transposes its
 * {@code [N, L, E]} input to {@code [L, N, E]}, folds the heads into the batch as {@code [L, N*H, E/H]},
 * multiplies {@code [N*H, L, E/H]} by {@code [N*H, E/H, L]}, and moves everything back before it
 * returns. Such a value is held as a <em>view</em>: a Graft node whose tensor {@code G} keeps the batch
 * first, and a list of groups of G's axes ("atoms", 0 being the batch) that make up each ONNX axis in
 * order, so the ONNX value is {@code G} with its atoms permuted into group order and each group
 * flattened. {@code [L, N*H, E/H]} is G {@code [N, L, H, E/H]} with groups {@code [[1], [0, 2], [3]]}.
 *
 * <ul>
 *   <li>{@code Transpose} permutes the groups (no Graft node); {@code Reshape} regroups the atoms,
 *       splitting one with a Graft {@code reshape} of G when a target size needs it, and accepts the
 *       batch size times a constant ({@code N*H}, {@code L*N}) where the batch atom and its neighbours
 *       end up in one group; {@code Shape} gives those products, and {@code Mul} / {@code Div} of a
 *       batch size by constants fold.</li>
 *   <li>Ops on trailing axes ({@code MatMul}, {@code Gemm}, {@code Softmax}, arithmetic with a
 *       constant) first lay G out as {@code [batch, non-batch atoms of the leading groups..., one axis
 *       per trailing group]} (an {@code onnx-transpose} and a {@code reshape} when needed) and then run
 *       the usual layer on its last axes; {@code MatMul} of two views and arithmetic between views need
 *       the same group structure on both sides (the batch at the same place).</li>
 *   <li>{@code Slice} and {@code Split} cut an axis that is a single atom.</li>
 *   <li>As soon as the batch atom is alone in the first group, the value becomes an ordinary value
 *       (with an {@code onnx-transpose} and a {@code reshape} if needed). Other ops meeting a view
 *       report that the batch axis is not first.</li>
 * </ul>
 *
 * <p>Views exist only when the first dimension is the batch ({@link ImportContext#batchFirst()}). Under
 * batch axis {@code NONE} every axis is an example axis and the converters handle any permutation or
 * reshape themselves, so every method here returns false.
 */
final class BatchViews {
    private BatchViews() {
    }

    /** The views of one import, by ONNX name. */
    static final class State {
        final Map<String, View> views = new HashMap<>();
    }

    /**
     * A Graft node with per-example shape {@code dims}, read as the ONNX value whose axis {@code i}
     * flattens the node's axes {@code groups[i]} (0 is the batch, {@code k > 0} is per-example axis
     * {@code k - 1}).
     */
    record View(String node, long[] dims, int[][] groups) {
        long size(int atom) {
            return dims[atom - 1];
        }

        int rank() {
            return groups.length;
        }

        int batchGroup() {
            for (int i = 0; i < groups.length; i++) {
                for (int a : groups[i]) {
                    if (a == 0) {
                        return i;
                    }
                }
            }
            throw new IllegalStateException("a view without the batch atom");
        }

        /** The ONNX dims: the batch group is the batch size times its other atoms ({@link Const#BATCH} multiples). */
        long[] onnxDims() {
            long[] out = new long[groups.length];
            for (int i = 0; i < groups.length; i++) {
                long p = 1;
                boolean batch = false;
                for (int a : groups[i]) {
                    if (a == 0) {
                        batch = true;
                    } else {
                        p *= size(a);
                    }
                }
                out[i] = batch ? Const.BATCH * p : p;
            }
            return out;
        }

        String describe() {
            StringJoiner j = new StringJoiner(", ", "[", "]");
            for (long d : onnxDims()) {
                j.add(d % Const.BATCH == 0 && d != 0 ? (d == Const.BATCH ? "batch" : "batch*" + d / Const.BATCH) : String.valueOf(d));
            }
            return j.toString();
        }

        /** The atom sizes of group {@code i}, the batch as -1: what two views must share to be combined. */
        List<Long> structure(int i) {
            List<Long> out = new ArrayList<>();
            for (int a : groups[i]) {
                out.add(a == 0 ? -1L : size(a));
            }
            return out;
        }
    }

    static State state(ImportContext ctx) {
        return ctx.state(State.class, State::new);
    }

    /** Whether {@code name} is a view (a computed value whose batch axis is not first). */
    static boolean isView(ImportContext ctx, String name) {
        return !name.isEmpty() && ctx.isOpaque(name) && state(ctx).views.containsKey(name);
    }

    /** The view of a computed value (a canonical value is the identity view), or null for a constant. */
    static View view(ImportContext ctx, String name) {
        View v = state(ctx).views.get(name);
        if (v != null && ctx.isOpaque(name)) {
            return v;
        }
        ImportContext.Value val = ctx.value(name);
        return val.isConstant() ? null : identity(val.node(), val.shape().dims());
    }

    static View identity(String node, long[] dims) {
        int[][] g = new int[dims.length + 1][];
        for (int i = 0; i <= dims.length; i++) {
            g[i] = new int[] {i};
        }
        return new View(node, dims.clone(), g);
    }

    /** Binds {@code name} to {@code v}: an ordinary value when its batch atom is alone in front, else a view. */
    static void bind(ImportContext ctx, String name, View v, String hint) {
        if (v.groups[0].length == 1 && v.groups[0][0] == 0) {
            ctx.bind(name, canonical(ctx, v, hint));
            return;
        }
        state(ctx).views.put(name, v);
        ctx.bindOpaque(name, reason(v));
    }

    private static String reason(View v) {
        return "its batch axis is not first (its shape is " + v.describe() + ", after a Transpose or Reshape moved the batch);"
                + " native import follows such values through Transpose, Reshape, Shape, Slice, Split, MatMul, Gemm, Softmax and"
                + " arithmetic until the batch axis is first again";
    }

    /** Binds {@code to} to what {@code from} is bound to. */
    private static void alias(ImportContext ctx, String from, String to) {
        if (isView(ctx, from)) {
            View v = state(ctx).views.get(from);
            state(ctx).views.put(to, v);
            ctx.bindOpaque(to, reason(v));
        } else {
            ctx.bind(to, ctx.value(from).node());
        }
    }

    /** A Graft node holding {@code v} (whose batch atom is alone in the first group) batch-first. */
    private static String canonical(ImportContext ctx, View v, String hint) {
        List<Integer> order = new ArrayList<>();
        long[] target = new long[v.rank() - 1];
        for (int i = 1; i < v.rank(); i++) {
            long p = 1;
            for (int a : v.groups[i]) {
                order.add(a);
                p *= v.size(a);
            }
            target[i - 1] = p;
        }
        String node = v.node;
        long[] dims = v.dims;
        if (!isIdentity(order)) {
            List<Integer> perm = order.stream().map(a -> a - 1).toList();
            node = ctx.emit("onnx-transpose", Map.of("perm", perm), List.of(node), Map.of(), hint + "_batch_first");
            dims = order.stream().mapToLong(v::size).toArray();
        }
        if (!Arrays.equals(dims, target)) {
            node = ctx.emit("reshape", Map.of("shape", Params.list(target)), List.of(node), Map.of(), hint + "_regroup");
        }
        return node;
    }

    private static boolean isIdentity(List<Integer> atoms) {
        for (int i = 0; i < atoms.size(); i++) {
            if (atoms.get(i) != i + 1) {
                return false;
            }
        }
        return true;
    }

    // ------------------------------------------------------------------ laying a view out for an op on its last axes

    /**
     * A view laid out for an op on its last {@code t} ONNX axes: the Graft node's per-example axes are
     * the non-batch atoms of the leading groups in order, then one axis per trailing group.
     */
    record Form(String node, long[] dims, int[][] leading) {
        /** The view of a result of this form whose trailing axes have the given sizes. */
        View result(String resultNode, long[] trailing) {
            int lead = leadAtoms();
            long[] d = new long[lead + trailing.length];
            System.arraycopy(dims, 0, d, 0, lead);
            System.arraycopy(trailing, 0, d, lead, trailing.length);
            int[][] g = new int[leading.length + trailing.length][];
            System.arraycopy(leading, 0, g, 0, leading.length);
            for (int i = 0; i < trailing.length; i++) {
                g[leading.length + i] = new int[] {lead + 1 + i};
            }
            return new View(resultNode, d, g);
        }

        int leadAtoms() {
            int n = 0;
            for (int[] g : leading) {
                for (int a : g) {
                    if (a != 0) {
                        n++;
                    }
                }
            }
            return n;
        }
    }

    /**
     * {@code v} laid out for an op on its last {@code t} axes, none of which may hold the batch.
     *
     * @param what names the op in messages
     */
    static Form form(ImportContext ctx, View v, int t, String hint, String what) {
        int r = v.rank();
        if (v.batchGroup() >= r - t) {
            throw new IllegalArgumentException(what + " works on the last " + t + " axes of a value of shape " + v.describe()
                    + ", where the batch is; native import needs the batch among the leading axes");
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < r; i++) {
            for (int a : v.groups[i]) {
                if (a != 0) {
                    order.add(a);
                }
            }
        }
        int lead = 0;
        for (int i = 0; i < r - t; i++) {
            for (int a : v.groups[i]) {
                if (a != 0) {
                    lead++;
                }
            }
        }
        String node = v.node;
        long[] dims = v.dims;
        if (!isIdentity(order)) {
            node = ctx.emit("onnx-transpose", Map.of("perm", order.stream().map(a -> a - 1).toList()), List.of(node), Map.of(), hint + "_layout");
            dims = order.stream().mapToLong(v::size).toArray();
        }
        long[] target = new long[lead + t];
        System.arraycopy(dims, 0, target, 0, lead);
        for (int i = 0; i < t; i++) {
            long p = 1;
            for (int a : v.groups[r - t + i]) {
                p *= v.size(a);
            }
            target[lead + i] = p;
        }
        if (!Arrays.equals(dims, target)) {
            node = ctx.emit("reshape", Map.of("shape", Params.list(target)), List.of(node), Map.of(), hint + "_merge");
        }
        // the leading groups in the new numbering: atom order[k] is now axis k + 1
        int[][] leading = new int[r - t][];
        for (int i = 0; i < r - t; i++) {
            leading[i] = new int[v.groups[i].length];
            for (int j = 0; j < v.groups[i].length; j++) {
                int a = v.groups[i][j];
                leading[i][j] = a == 0 ? 0 : order.indexOf(a) + 1;
            }
        }
        return new Form(node, target, leading);
    }

    // ------------------------------------------------------------------ Transpose

    /** {@code Transpose} of a view, or of an ordinary value by a permutation that moves the batch. */
    static boolean transpose(OnnxNode node, ImportContext ctx) {
        if (!ctx.batchFirst()) {
            return false;
        }
        String in = node.inputs().get(0);
        boolean viewIn = isView(ctx, in);
        if (!viewIn && ctx.value(in).isConstant()) {
            return false;
        }
        View v = view(ctx, in);
        int r = v.rank();
        long[] perm = node.attrInts("perm", null);
        if (perm == null) {
            perm = new long[r];
            for (int i = 0; i < r; i++) {
                perm[i] = r - 1 - i;
            }
        }
        if (!viewIn && perm.length > 0 && perm[0] == 0) {
            return false;
        }
        if (perm.length != r || Arrays.stream(perm).distinct().count() != r || Arrays.stream(perm).anyMatch(p -> p < 0 || p >= r)) {
            throw new IllegalArgumentException("perm " + Arrays.toString(perm) + " is not a permutation of the " + r + " axes");
        }
        int[][] g = new int[r][];
        for (int i = 0; i < r; i++) {
            g[i] = v.groups[(int) perm[i]];
        }
        bind(ctx, OpConverter.out(node), new View(v.node, v.dims, g), OpConverter.hint(node));
        return true;
    }

    // ------------------------------------------------------------------ Reshape

    /**
     * {@code Reshape} of a view, or of an ordinary value to a target that moves or merges the batch
     * (its batch entry not first, a multiple of the batch size, or a -1 that merges the batch with
     * other axes). Returns false for the ordinary reshapes the Reshape converter does itself.
     *
     * @param force whether the Reshape converter has given up on an ordinary value
     */
    static boolean reshape(OnnxNode node, ImportContext ctx, long[] target, boolean force) {
        if (!ctx.batchFirst()) {
            return false;
        }
        String in = node.inputs().get(0);
        boolean viewIn = isView(ctx, in);
        if (!viewIn && ctx.value(in).isConstant()) {
            return false;
        }
        boolean odd = false;
        for (int i = 0; i < target.length; i++) {
            if (isBatch(target[i]) && (i > 0 || target[i] != Const.BATCH)) {
                odd = true;
            }
        }
        if (!viewIn && !odd && !force) {
            return false;
        }
        View v = view(ctx, in);
        boolean allowZero = node.attrInt("allowzero", 0) != 0;
        long[] vd = v.onnxDims();
        // resolve 0 (copy) and -1 (the rest), keeping batch multiples symbolic
        long[] t = target.clone();
        int free = -1;
        long staticKnown = 1;
        int batchAt = -1;
        for (int i = 0; i < t.length; i++) {
            if (t[i] == 0 && !allowZero) {
                if (i >= vd.length) {
                    throw new IllegalArgumentException("the target shape " + shown(target) + " copies axis " + i + ", which the input "
                            + v.describe() + " does not have");
                }
                t[i] = vd[i];
            }
            if (t[i] == -1) {
                if (free >= 0) {
                    throw new IllegalArgumentException("the target shape " + shown(target) + " has more than one -1");
                }
                free = i;
            } else if (isBatch(t[i])) {
                if (batchAt >= 0) {
                    throw new IllegalArgumentException("the target shape " + shown(target) + " uses the batch size twice");
                }
                batchAt = i;
                staticKnown *= t[i] / Const.BATCH;
            } else if (t[i] <= 0) {
                throw new IllegalArgumentException("the target shape " + shown(target) + " has entry " + t[i] + " at position " + i);
            } else {
                staticKnown *= t[i];
            }
        }
        long total = 1;
        for (long d : v.dims) {
            total *= d;
        }
        if (free >= 0) {
            if (staticKnown == 0 || total % staticKnown != 0) {
                throw new IllegalArgumentException("cannot reshape " + v.describe() + " to " + shown(target));
            }
            t[free] = batchAt >= 0 ? total / staticKnown : Const.BATCH * (total / staticKnown);
            if (batchAt < 0) {
                batchAt = free;
            }
        } else if (staticKnown != total) {
            throw new IllegalArgumentException("cannot reshape " + v.describe() + " (" + total + " values per example) to " + shown(target));
        }
        if (batchAt < 0) {
            throw new IllegalArgumentException("the target shape " + shown(target) + " does not keep the batch size; native import needs"
                    + " it (or a multiple of it) in one entry");
        }
        bind(ctx, OpConverter.out(node), regroup(ctx, v, t, target, OpConverter.hint(node)), OpConverter.hint(node));
        return true;
    }

    /** {@code v} regrouped into the axes {@code t} (resolved, the batch entry a multiple of {@link Const#BATCH}). */
    private static View regroup(ImportContext ctx, View v, long[] t, long[] shownTarget, String hint) {
        // the atoms in ONNX order, with the sizes still to place; a split atom becomes several parts
        List<Integer> seq = new ArrayList<>();
        for (int[] g : v.groups) {
            for (int a : g) {
                seq.add(a);
            }
        }
        Map<Integer, List<Long>> parts = new LinkedHashMap<>();   // atom -> sizes of its parts, outer first
        List<List<long[]>> groups = new ArrayList<>();              // each entry: {atom, part index}
        int pos = 0;
        long rest = -1;          // what is left of seq[pos] (after splitting off outer parts)
        int partIndex = 0;
        for (long entry : t) {
            boolean wantBatch = isBatch(entry);
            long need = wantBatch ? entry / Const.BATCH : entry;
            boolean gotBatch = false;
            List<long[]> group = new ArrayList<>();
            while (need > 1 || (wantBatch && !gotBatch) || (need == 1 && pos < seq.size() && seq.get(pos) != 0
                    && sizeLeft(v, seq.get(pos), rest) == 1 && entry == 1)) {
                if (pos >= seq.size()) {
                    throw new IllegalArgumentException("cannot reshape " + v.describe() + " to " + shown(shownTarget));
                }
                int a = seq.get(pos);
                if (a == 0) {
                    if (!wantBatch) {
                        throw new IllegalArgumentException("the target shape " + shown(shownTarget) + " would mix the batch of " + v.describe()
                                + " into an axis without it");
                    }
                    group.add(new long[] {0, 0});
                    gotBatch = true;
                    pos++;
                    continue;
                }
                long s = sizeLeft(v, a, rest);
                if (need == 1 && s != 1) {
                    // the sizes are placed but the batch is not reached yet
                    throw new IllegalArgumentException("cannot reshape " + v.describe() + " to " + shown(shownTarget) + ": the batch would"
                            + " end up in an axis with other axes between it and the sizes of that axis");
                }
                if (s <= need && need % s == 0) {
                    group.add(new long[] {a, partIndex});
                    parts.computeIfAbsent(a, k -> new ArrayList<>()).add(s);
                    need /= s;
                    pos++;
                    rest = -1;
                    partIndex = 0;
                } else if (s > need && s % need == 0) {
                    group.add(new long[] {a, partIndex});
                    parts.computeIfAbsent(a, k -> new ArrayList<>()).add(need);
                    rest = s / need;
                    partIndex++;
                    need = 1;
                } else {
                    throw new IllegalArgumentException("cannot reshape " + v.describe() + " to " + shown(shownTarget) + ": the sizes do not line up"
                            + " with the axes around the batch");
                }
            }
            groups.add(group);
        }
        // what is left must be size-1 atoms; they join the last group
        while (pos < seq.size()) {
            int a = seq.get(pos);
            if (a == 0 || sizeLeft(v, a, rest) != 1) {
                throw new IllegalArgumentException("cannot reshape " + v.describe() + " to " + shown(shownTarget));
            }
            groups.get(groups.size() - 1).add(new long[] {a, partIndex});
            parts.computeIfAbsent(a, k -> new ArrayList<>()).add(1L);
            pos++;
            rest = -1;
            partIndex = 0;
        }
        // new G axes: each old axis replaced by its parts, in G order
        Map<String, Integer> index = new HashMap<>();
        List<Long> newDims = new ArrayList<>();
        boolean split = false;
        for (int a = 1; a <= v.dims.length; a++) {
            List<Long> p = parts.getOrDefault(a, List.of(v.size(a)));
            split |= p.size() != 1;
            for (int k = 0; k < p.size(); k++) {
                newDims.add(p.get(k));
                index.put(a + ":" + k, newDims.size());
            }
        }
        String node = v.node;
        if (split) {
            node = ctx.emit("reshape", Map.of("shape", newDims), List.of(node), Map.of(), hint + "_split");
        }
        int[][] g = new int[groups.size()][];
        for (int i = 0; i < groups.size(); i++) {
            List<long[]> gr = groups.get(i);
            g[i] = new int[gr.size()];
            for (int j = 0; j < gr.size(); j++) {
                long[] ap = gr.get(j);
                g[i][j] = ap[0] == 0 ? 0 : index.get(ap[0] + ":" + ap[1]);
            }
        }
        return new View(node, newDims.stream().mapToLong(Long::longValue).toArray(), g);
    }

    private static long sizeLeft(View v, int atom, long rest) {
        return rest > 0 ? rest : v.size(atom);
    }

    static boolean isBatch(long v) {
        return v != 0 && v % Const.BATCH == 0;
    }

    private static String shown(Const c) {
        return c.isInt() ? shown(c.ints) : c.toString();
    }

    private static String shown(long[] target) {
        StringJoiner j = new StringJoiner(", ", "[", "]");
        for (long d : target) {
            j.add(isBatch(d) ? (d == Const.BATCH ? "batch" : "batch*" + d / Const.BATCH) : String.valueOf(d));
        }
        return j.toString();
    }

    // ------------------------------------------------------------------ Shape

    /** {@code Shape} of a view: its ONNX dims, the batch group as a multiple of the batch size. */
    static boolean shape(OnnxNode node, ImportContext ctx) {
        if (!ctx.batchFirst()) {
            return false;
        }
        String in = node.inputs().get(0);
        if (!isView(ctx, in)) {
            return false;
        }
        long[] dims = view(ctx, in).onnxDims();
        int r = dims.length;
        long start = clamp(node.attrInt("start", 0), r);
        long end = node.has("end") ? clamp(node.attrInt("end", r), r) : r;
        long[] out = start >= end ? new long[0] : Arrays.copyOfRange(dims, (int) start, (int) end);
        ctx.bindConstant(OpConverter.out(node), Const.ints(new long[] {out.length}, out).toArray());
        return true;
    }

    private static long clamp(long v, int r) {
        long a = v < 0 ? v + r : v;
        return Math.max(0, Math.min(r, a));
    }

    /**
     * {@code Mul} or {@code Div} of constants where one holds the batch size times a constant (shape
     * arithmetic such as {@code N * heads}): the product or quotient stays a multiple of the batch size.
     * Returns false when neither operand holds the batch size.
     */
    static boolean foldBatchArithmetic(OnnxNode node, ImportContext ctx, Const a, Const b) {
        if (!ctx.batchFirst()) {
            return false;
        }
        if (!a.hasBatch() && !b.hasBatch()) {
            return false;
        }
        String op = node.opType();
        if (!a.isInt() || !b.isInt() || a.rank() > 1 || b.rank() > 1 || (!op.equals("Mul") && !op.equals("Div"))) {
            throw new IllegalArgumentException(op + " of " + shown(a) + " and " + shown(b) + " computes with the batch size, which native import keeps"
                    + " dynamic; only its products with constants (Mul, Div) are followed");
        }
        int n = Math.max(a.size(), b.size());
        if ((a.size() != 1 && a.size() != n) || (b.size() != 1 && b.size() != n)) {
            throw new IllegalArgumentException(op + ": shapes " + Arrays.toString(a.shape) + " and " + Arrays.toString(b.shape) + " do not broadcast");
        }
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            long p = a.ints[a.size() == 1 ? 0 : i];
            long q = b.ints[b.size() == 1 ? 0 : i];
            if (op.equals("Mul")) {
                if (isBatch(p) && isBatch(q)) {
                    throw new IllegalArgumentException("Mul of the batch size by itself is not supported");
                }
                out[i] = Math.multiplyExact(p, q);
            } else {
                if (isBatch(q) || q == 0 || (isBatch(p) ? (p / Const.BATCH) % q != 0 : p % q != 0)) {
                    throw new IllegalArgumentException("Div of " + shown(a) + " by " + shown(b) + " does not divide the batch size's factor exactly");
                }
                out[i] = p / q;
            }
        }
        long[] shape = a.rank() >= b.rank() ? (a.size() == n ? a.shape : b.shape) : b.shape;
        if (Arrays.stream(shape).reduce(1, Math::multiplyExact) != n) {
            shape = new long[] {n};
        }
        ctx.bindConstant(OpConverter.out(node), Const.ints(shape, out).toArray());
        return true;
    }

    // ------------------------------------------------------------------ Slice, Split

    /** {@code Slice} of a view along axes that are single atoms (or the batch axis, whole). */
    static boolean slice(OnnxNode node, ImportContext ctx, long[] starts, long[] ends, long[] axes, long[] steps) {
        if (!ctx.batchFirst()) {
            return false;
        }
        String in = node.inputs().get(0);
        if (!isView(ctx, in)) {
            return false;
        }
        View v = view(ctx, in);
        int r = v.rank();
        long[] vd = v.onnxDims();
        List<Integer> sAxes = new ArrayList<>();
        List<Long> sStarts = new ArrayList<>();
        List<Long> sEnds = new ArrayList<>();
        List<Long> sSteps = new ArrayList<>();
        long[] dims = v.dims.clone();
        for (int i = 0; i < starts.length; i++) {
            long a = axes == null ? i : axes[i] < 0 ? axes[i] + r : axes[i];
            if (a < 0 || a >= r) {
                throw new IllegalArgumentException("Slice axis " + (axes == null ? i : axes[i]) + " is out of range for rank " + r);
            }
            long step = steps == null ? 1 : steps[i];
            if (step <= 0) {
                throw new IllegalArgumentException("Slice steps must be positive for native import, got " + Arrays.toString(steps));
            }
            int[] group = v.groups[(int) a];
            if (v.batchGroup() == a) {
                if (starts[i] != 0 || ends[i] < Integer.MAX_VALUE || step != 1) {
                    throw new IllegalArgumentException("the slice " + starts[i] + ":" + ends[i] + " of axis " + a + " of " + v.describe()
                            + " cuts the batch; native import slices other axes only");
                }
                continue;
            }
            long dim = vd[(int) a];
            long s = Math.max(0, Math.min(dim, starts[i] < 0 ? starts[i] + dim : starts[i]));
            long e = Math.max(0, Math.min(dim, ends[i] < 0 ? ends[i] + dim : ends[i]));
            if (s == 0 && e == dim && step == 1) {
                continue;
            }
            if (group.length != 1) {
                throw new IllegalArgumentException("the slice of axis " + a + " of " + v.describe() + " cuts an axis merged from several;"
                        + " native import slices such values along single axes only");
            }
            if (e <= s) {
                throw new IllegalArgumentException("the slice " + starts[i] + ":" + ends[i] + " of axis " + a + " (size " + dim + ") is empty");
            }
            sAxes.add(group[0] - 1);
            sStarts.add(s);
            sEnds.add(e);
            sSteps.add(step);
            dims[group[0] - 1] = (e - s + step - 1) / step;
        }
        String node2 = v.node;
        if (!sAxes.isEmpty()) {
            node2 = ctx.emit("onnx-slice", Map.of("axes", sAxes, "starts", sStarts, "ends", sEnds, "steps", sSteps), List.of(v.node), Map.of(),
                    OpConverter.hint(node));
        }
        bind(ctx, OpConverter.out(node), new View(node2, dims, v.groups), OpConverter.hint(node));
        return true;
    }

    /** {@code Split} of a view along an axis that is a single atom. */
    static boolean split(OnnxNode node, ImportContext ctx, long axis, long[] split) {
        if (!ctx.batchFirst()) {
            return false;
        }
        String in = node.inputs().get(0);
        if (!isView(ctx, in)) {
            return false;
        }
        View v = view(ctx, in);
        int r = v.rank();
        long a = axis < 0 ? axis + r : axis;
        if (a < 0 || a >= r) {
            throw new IllegalArgumentException("axis " + axis + " is out of range for rank " + r);
        }
        int[] group = v.groups[(int) a];
        if (group.length != 1 || group[0] == 0) {
            throw new IllegalArgumentException("axis " + axis + " of " + v.describe() + " is " + (v.batchGroup() == a ? "the batch" : "merged from several axes")
                    + "; native import splits such values along single axes only");
        }
        long dim = v.size(group[0]);
        long[] sizes = SplitConverter.sizes(split, dim, node.outputs().size(), axis);
        long start = 0;
        for (int i = 0; i < node.outputs().size(); i++) {
            String out = node.outputs().get(i);
            if (!out.isEmpty()) {
                long[] dims = v.dims.clone();
                dims[group[0] - 1] = sizes[i];
                String n = ctx.emit("onnx-slice", Map.of("axes", List.of(group[0] - 1), "starts", List.of(start), "ends", List.of(start + sizes[i])),
                        List.of(v.node), Map.of(), OpConverter.hint(node) + "_" + i);
                bind(ctx, out, new View(n, dims, v.groups), OpConverter.hint(node) + "_" + i);
            }
            start += sizes[i];
        }
        return true;
    }

    // ------------------------------------------------------------------ MatMul, Gemm

    /** {@code MatMul} where an operand is a view. */
    static boolean matmul(OnnxNode node, ImportContext ctx) {
        if (!ctx.batchFirst()) {
            return false;
        }
        String an = node.inputs().get(0);
        String bn = node.inputs().get(1);
        if (!isView(ctx, an) && !isView(ctx, bn)) {
            return false;
        }
        View a = view(ctx, an);
        View b = view(ctx, bn);
        String hint = OpConverter.hint(node);
        if (a == null) {
            throw new IllegalArgumentException("the left operand A ('" + an + "') is a constant; native import handles MatMul"
                    + " of a computed value by a constant or of two computed values");
        }
        if (b == null) {
            Const w = Const.of(ctx.value(bn).constant()).noBatch("B");
            if (w.rank() != 2) {
                throw new IllegalArgumentException("the constant B has shape " + Arrays.toString(w.shape) + "; native import needs a matrix [K, M]");
            }
            Form f = form(ctx, a, 1, hint, "MatMul");
            long k = f.dims[f.dims.length - 1];
            if (w.shape[0] != k) {
                throw new IllegalArgumentException("A " + a.describe() + " has " + k + " columns but B has " + w.shape[0] + " rows");
            }
            long m = w.shape[1];
            Map<String, INDArray> params = new HashMap<>();
            params.put("W", w.toArray());
            // a bias Add after the product, its only consumer, becomes the layer's bias
            OnnxNode add = MatMulConverter.foldableBias(node, ctx, a.rank(), m);
            if (add != null) {
                String biasName = add.inputs().get(0).equals(OpConverter.out(node)) ? add.inputs().get(1) : add.inputs().get(0);
                params.put("b", Params.vector(Const.of(ctx.value(biasName).constant()), m, "the bias").toArray());
            }
            String layer = f.dims.length == 1 ? "dense" : "onnx-matmul";
            String y = ctx.emit(layer, Map.of("units", m, "use-bias", add != null), List.of(f.node), params, hint);
            View result = f.result(y, new long[] {m});
            bind(ctx, OpConverter.out(node), result, hint);
            if (add != null) {
                alias(ctx, OpConverter.out(node), OpConverter.out(add));
                ctx.fuse(add);
            }
            return true;
        }
        int r = a.rank();
        if (r < 3 || b.rank() != r) {
            throw new IllegalArgumentException("MatMul of " + a.describe() + " by " + b.describe() + ": native import multiplies values whose"
                    + " batch axis is not first when both have the same rank (3 or more)");
        }
        for (int i = 0; i < r - 2; i++) {
            if (!a.structure(i).equals(b.structure(i))) {
                throw new IllegalArgumentException("MatMul of " + a.describe() + " by " + b.describe() + ": the leading axes are not laid out"
                        + " alike (the batch at the same place), so native import cannot pair their examples");
            }
        }
        Form fa = form(ctx, a, 2, hint + "_a", "MatMul");
        Form fb = form(ctx, b, 2, hint + "_b", "MatMul");
        String y = ctx.emit("onnx-matmul", Map.of(), List.of(fa.node, fb.node), Map.of(), hint);
        bind(ctx, OpConverter.out(node), fa.result(y, new long[] {fa.dims[fa.dims.length - 2], fb.dims[fb.dims.length - 1]}), hint);
        return true;
    }

    /** {@code Gemm} whose A is a view (a matrix with the batch merged into its rows). */
    static boolean gemm(OnnxNode node, ImportContext ctx) {
        if (!ctx.batchFirst()) {
            return false;
        }
        String an = node.inputs().get(0);
        if (!isView(ctx, an)) {
            return false;
        }
        if (node.attrInt("transA", 0) != 0) {
            throw new IllegalArgumentException("transA = 1 on a value whose batch axis is not first is not supported");
        }
        View a = view(ctx, an);
        if (a.rank() != 2) {
            throw new IllegalArgumentException("A must be a matrix, got shape " + a.describe());
        }
        Const b = Const.of(OpConverter.constant(ctx, node, 1, "B")).noBatch("B");
        if (b.rank() != 2) {
            throw new IllegalArgumentException("B must be a matrix, got shape " + Arrays.toString(b.shape));
        }
        Const w = node.attrInt("transB", 0) != 0 ? b.transpose(new int[] {1, 0}) : b;
        String hint = OpConverter.hint(node);
        Form f = form(ctx, a, 1, hint, "Gemm");
        long k = f.dims[f.dims.length - 1];
        if (w.shape[0] != k) {
            throw new IllegalArgumentException("A " + a.describe() + " has " + k + " columns but B has " + w.shape[0] + " rows");
        }
        long m = w.shape[1];
        double alpha = OpConverter.attrDouble(node, "alpha", 1f);
        double beta = OpConverter.attrDouble(node, "beta", 1f);
        if (alpha != 1) {
            w = w.map(x -> x * alpha, "B");
        }
        Map<String, INDArray> params = new HashMap<>();
        params.put("W", w.toArray());
        INDArray cArr = OpConverter.optionalConstant(ctx, node, 2, "C");
        boolean bias = cArr != null && beta != 0;
        if (bias) {
            params.put("b", Params.vector(Const.of(cArr), m, "C").map(x -> x * beta, "C").toArray());
        }
        String layer = f.dims.length == 1 ? "dense" : "onnx-matmul";
        String y = ctx.emit(layer, Map.of("units", m, "use-bias", bias), List.of(f.node), params, hint);
        bind(ctx, OpConverter.out(node), f.result(y, new long[] {m}), hint);
        return true;
    }

    // ------------------------------------------------------------------ Softmax, arithmetic

    /** {@code Softmax} / {@code LogSoftmax} of a view over its last axis. */
    static boolean softmax(OnnxNode node, ImportContext ctx, String layer) {
        if (!ctx.batchFirst()) {
            return false;
        }
        String in = node.inputs().get(0);
        if (!isView(ctx, in)) {
            return false;
        }
        View v = view(ctx, in);
        int r = v.rank();
        long axis = node.attrInt("axis", node.opset() >= 13 ? -1 : 1);
        if ((axis < 0 ? axis + r : axis) != r - 1) {
            throw new IllegalArgumentException("axis " + axis + " of " + v.describe() + ": native import normalises values whose batch axis"
                    + " is not first over their last axis only");
        }
        String hint = OpConverter.hint(node);
        Form f = form(ctx, v, 1, hint, node.opType());
        String y = ctx.emit(layer, Map.of(), List.of(f.node), Map.of(), hint);
        bind(ctx, OpConverter.out(node), f.result(y, new long[] {f.dims[f.dims.length - 1]}), hint);
        return true;
    }

    /** {@code Add}, {@code Sub}, {@code Mul}, {@code Div}, {@code Pow} where an operand is a view. */
    static boolean binary(OnnxNode node, ImportContext ctx, String op) {
        if (!ctx.batchFirst()) {
            return false;
        }
        String an = node.inputs().get(0);
        String bn = node.inputs().get(1);
        if (!isView(ctx, an) && !isView(ctx, bn)) {
            return false;
        }
        View a = view(ctx, an);
        View b = view(ctx, bn);
        String hint = OpConverter.hint(node);
        if (a != null && b != null) {
            int r = a.rank();
            if (b.rank() != r) {
                throw new IllegalArgumentException(node.opType() + " of " + a.describe() + " and " + b.describe() + ": native import combines"
                        + " values whose batch axis is not first when they have the same shape and layout");
            }
            for (int i = 0; i < r; i++) {
                if (!a.structure(i).equals(b.structure(i))) {
                    throw new IllegalArgumentException(node.opType() + " of " + a.describe() + " and " + b.describe() + ": native import"
                            + " combines values whose batch axis is not first when they have the same shape and layout");
                }
            }
            Form fa = form(ctx, a, 0, hint + "_a", node.opType());
            Form fb = form(ctx, b, 0, hint + "_b", node.opType());
            String y = op.equals("add") ? ctx.emit("add", Map.of(), List.of(fa.node, fb.node), Map.of(), hint)
                    : ctx.emit("onnx-binary", Map.of("op", op), List.of(fa.node, fb.node), Map.of(), hint);
            bind(ctx, OpConverter.out(node), fa.result(y, new long[0]), hint);
            return true;
        }
        boolean constantFirst = a == null;
        View x = constantFirst ? b : a;
        Const c = Const.of(ctx.value(constantFirst ? an : bn).constant()).noBatch("the constant operand");
        if (c.rank() > x.rank()) {
            throw new IllegalArgumentException("the constant operand has shape " + Arrays.toString(c.shape) + ", more axes than " + x.describe());
        }
        // drop leading 1s: the constant then spans the last t axes
        int lead = 0;
        while (lead < c.rank() && c.shape[lead] == 1) {
            lead++;
        }
        long[] cs = Arrays.copyOfRange(c.shape, lead, c.rank());
        int t = cs.length;
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("op", op);
        config.put("constant-first", constantFirst);
        config.put("trainable", !op.equals("pow"));
        if (t == 0) {
            // a single value: element-wise on the node as it is
            config.put("constant-shape", List.of(1L));
            String y = ctx.emit("onnx-binary", config, List.of(x.node), Map.of("c", c.reshape(1).toArray()), hint);
            bind(ctx, OpConverter.out(node), new View(y, x.dims, x.groups), hint);
            return true;
        }
        Form f = form(ctx, x, t, hint, node.opType());
        long[] trailing = Arrays.copyOfRange(f.dims, f.dims.length - t, f.dims.length);
        long[] out = new long[t];
        for (int i = 0; i < t; i++) {
            if (cs[i] != trailing[i] && cs[i] != 1 && trailing[i] != 1) {
                throw new IllegalArgumentException("the constant operand " + Arrays.toString(c.shape) + " does not broadcast with " + x.describe());
            }
            out[i] = Math.max(cs[i], trailing[i]);
        }
        config.put("constant-shape", Params.list(cs));
        String y = ctx.emit("onnx-binary", config, List.of(f.node), Map.of("c", c.reshape(cs).toArray()), hint);
        bind(ctx, OpConverter.out(node), f.result(y, out), hint);
        return true;
    }
}
