package dev.graft.onnx.imports.ops;

import dev.graft.onnx.imports.ImportContext;
import dev.graft.onnx.imports.OnnxNode;
import dev.graft.onnx.proto.ElementType;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Gathers and scatters whose indices are known at import (constants, or integer inputs known ahead):
 * the element moves are worked out at import and made an {@code onnx-select} node (a product with a
 * fixed 0 / 1 matrix); on constants the result is computed at import. For whole tensors (batch axis
 * NONE), or for constants.
 *
 * <ul>
 *   <li>{@code GatherElements} (opsets 11-17), {@code GatherND} (11-17, with {@code batch_dims}),
 *       {@code Compress} (9-17, the condition known at import).</li>
 *   <li>{@code ScatterElements} (11-17) and {@code Scatter} (9-10), {@code ScatterND} (11-17), with
 *       {@code reduction} none or add: the data times a fixed mask that clears the written places
 *       (none), plus the moved updates.</li>
 *   <li>{@code OneHot} (9-17): the indices and depth known at import; the {@code [off, on]} values may
 *       be computed (each output element then takes one of them).</li>
 * </ul>
 */
public final class Selections {
    private Selections() {
    }

    /** Row-major strides of a shape. */
    private static long[] strides(long[] shape) {
        return Const.strides(shape);
    }

    private static long flat(long[] idx, long[] strides) {
        long f = 0;
        for (int i = 0; i < idx.length; i++) {
            f += idx[i] * strides[i];
        }
        return f;
    }

    /** Steps a multi-index through a shape, last axis fastest; false after the last. */
    private static boolean next(long[] idx, long[] shape) {
        for (int i = shape.length - 1; i >= 0; i--) {
            if (++idx[i] < shape[i]) {
                return true;
            }
            idx[i] = 0;
        }
        return false;
    }

    private static long size(long[] shape) {
        return Arrays.stream(shape).reduce(1, Math::multiplyExact);
    }

    private static long wrap(long i, long dim, String what) {
        long j = i < 0 ? i + dim : i;
        if (j < 0 || j >= dim) {
            throw new IllegalArgumentException(what + " " + i + " is out of range for an axis of size " + dim);
        }
        return j;
    }

    /** The ONNX shape of a value (whole tensors only, for computed values). */
    private static long[] shapeOf(ImportContext ctx, ImportContext.Value v, String what) {
        if (v.isConstant()) {
            return v.constant().shape();
        }
        if (ctx.batchFirst()) {
            throw new IllegalArgumentException(what + " is computed and the first dimension is the batch; native import moves elements"
                    + " of whole tensors (batch axis none) only");
        }
        return v.shape().dims();
    }

    /** Moves {@code sources[i] -> targets[i]} of {@code x} into a tensor of {@code shape}: at import for a constant, else onnx-select. */
    private static ImportContext.Value move(ImportContext ctx, ImportContext.Value x, long[] sources, long[] targets, long[] shape, String h) {
        if (x.isConstant()) {
            Const c = Const.of(x.constant());
            long n = size(shape);
            if (c.isInt()) {
                long[] out = new long[(int) n];
                for (int i = 0; i < sources.length; i++) {
                    out[(int) targets[i]] += c.ints[(int) sources[i]];
                }
                return constant(Const.ints(shape, out), x);
            }
            double[] out = new double[(int) n];
            for (int i = 0; i < sources.length; i++) {
                out[(int) targets[i]] += c.reals[(int) sources[i]];
            }
            return constant(Const.reals(shape, out, c.type), x);
        }
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("sources", Params.list(sources));
        config.put("targets", Params.list(targets));
        config.put("shape", Params.list(shape));
        String n = ctx.emit("onnx-select", config, List.of(x.node()), Map.of(), h);
        return Arithmetic.value(ctx, n, x.type());
    }

    private static ImportContext.Value constant(Const c, ImportContext.Value like) {
        return new ImportContext.Value(like.onnxName(), null, null, c.toArray(), like.type());
    }

    private static void bind(ImportContext ctx, OnnxNode node, ImportContext.Value v) {
        if (v.isConstant()) {
            ctx.bindConstant(OpConverter.out(node), v.constant());
        } else {
            ctx.bind(OpConverter.out(node), v.node(), v.type());
        }
    }

    private static long[] indices(ImportContext ctx, OnnxNode node, int i, String what) {
        return Const.of(OpConverter.constant(ctx, node, i, what)).noBatch(what).longs(what);
    }

    /** {@code GatherElements}. */
    public static final class GatherElements extends OpConverter {
        public GatherElements() {
            super("GatherElements", 11, 17, "ONNX GatherElements with indices known at import as onnx-select");
        }

        @Override
        public void convert(OnnxNode node, ImportContext ctx) {
            ImportContext.Value x = input(ctx, node, 0);
            long[] ds = shapeOf(ctx, x, "the data");
            long[] is = constant(ctx, node, 1, "the indices").shape();
            long[] idx = indices(ctx, node, 1, "the indices");
            int r = ds.length;
            long a = node.attrInt("axis", 0);
            int axis = (int) (a < 0 ? a + r : a);
            if (is.length != r || axis < 0 || axis >= r) {
                throw new IllegalArgumentException("indices of shape " + Arrays.toString(is) + " and axis " + a + " do not fit data " + Arrays.toString(ds));
            }
            long[] st = strides(ds);
            long n = size(is);
            if (!x.isConstant() && size(ds) * n > dev.graft.onnx.layers.SelectProvider.MAX_ENTRIES) {
                bind(ctx, node, maskedSum(ctx, x, ds, is, idx, axis, hint(node)));
                return;
            }
            long[] src = new long[(int) n];
            long[] tgt = new long[(int) n];
            long[] o = new long[r];
            for (int p = 0; p < n; p++) {
                long[] s = o.clone();
                s[axis] = wrap(idx[p], ds[axis], "index");
                src[p] = flat(s, st);
                tgt[p] = p;
                next(o, is);
            }
            bind(ctx, node, move(ctx, x, src, tgt, is, hint(node)));
        }

        /**
         * The gather for tensors too large for a selection matrix: the sum over positions k along the
         * axis of the k-th slice times a fixed mask of where the indices say k.
         */
        private static ImportContext.Value maskedSum(ImportContext ctx, ImportContext.Value x, long[] ds, long[] is, long[] idx, int axis,
                                                     String h) {
            int r = ds.length;
            String base = x.node();
            List<Integer> cutAxes = new ArrayList<>();
            List<Long> cutStarts = new ArrayList<>();
            List<Long> cutEnds = new ArrayList<>();
            for (int i = 0; i < r; i++) {
                if (i != axis && is[i] != ds[i]) {
                    cutAxes.add(i);
                    cutStarts.add(0L);
                    cutEnds.add(is[i]);
                }
            }
            if (!cutAxes.isEmpty()) {
                base = ctx.emit("onnx-slice", Map.of("axes", cutAxes, "starts", cutStarts, "ends", cutEnds), List.of(base), Map.of(), h + "_extent");
            }
            long n = size(is);
            List<String> parts = new ArrayList<>();
            for (long k = 0; k < ds[axis]; k++) {
                double[] mask = new double[(int) n];
                boolean any = false;
                for (int p = 0; p < n; p++) {
                    if (wrap(idx[p], ds[axis], "index") == k) {
                        mask[p] = 1;
                        any = true;
                    }
                }
                if (!any) {
                    continue;
                }
                String slice = ctx.emit("onnx-slice", Map.of("axes", List.of(axis), "starts", List.of(k), "ends", List.of(k + 1)), List.of(base),
                        Map.of(), h + "_at" + k);
                Map<String, Object> mul = new LinkedHashMap<>();
                mul.put("op", "mul");
                mul.put("constant-shape", Params.list(is));
                mul.put("trainable", false);
                parts.add(ctx.emit("onnx-binary", mul, List.of(slice), Map.of("c", Const.reals(is, mask,
                        org.nd4j.linalg.api.buffer.DataType.FLOAT).toArray()), h + "_where" + k));
            }
            if (parts.isEmpty()) {
                throw new IllegalArgumentException("no indices");
            }
            String y = parts.size() == 1 ? parts.get(0) : ctx.emit("add", Map.of(), parts, Map.of(), h);
            return Arithmetic.value(ctx, y, x.type());
        }
    }

    /** {@code GatherND}. */
    public static final class GatherND extends OpConverter {
        public GatherND() {
            super("GatherND", 11, 17, "ONNX GatherND with indices known at import as onnx-select");
        }

        @Override
        public void convert(OnnxNode node, ImportContext ctx) {
            ImportContext.Value x = input(ctx, node, 0);
            long[] ds = shapeOf(ctx, x, "the data");
            long[] is = constant(ctx, node, 1, "the indices").shape();
            long[] idx = indices(ctx, node, 1, "the indices");
            int b = (int) node.attrInt("batch_dims", 0);
            int k = (int) is[is.length - 1];
            if (b + k > ds.length) {
                throw new IllegalArgumentException("index tuples of length " + k + " after " + b + " batch dims do not fit data " + Arrays.toString(ds));
            }
            long[] lead = Arrays.copyOf(is, is.length - 1);
            long[] rest = Arrays.copyOfRange(ds, b + k, ds.length);
            long[] out = new long[lead.length + rest.length];
            System.arraycopy(lead, 0, out, 0, lead.length);
            System.arraycopy(rest, 0, out, lead.length, rest.length);
            long[] st = strides(ds);
            List<Long> src = new ArrayList<>();
            List<Long> tgt = new ArrayList<>();
            long[] q = new long[lead.length];
            long restSize = size(rest);
            for (long t = 0, tuple = 0; tuple < size(lead); tuple++) {
                long[] s = new long[ds.length];
                for (int i = 0; i < b; i++) {
                    s[i] = q[i];
                }
                for (int i = 0; i < k; i++) {
                    s[b + i] = wrap(idx[(int) (tuple * k + i)], ds[b + i], "index");
                }
                long base = flat(s, st);
                for (long e = 0; e < restSize; e++) {
                    src.add(base + e);
                    tgt.add(t++);
                }
                next(q, lead);
            }
            bind(ctx, node, move(ctx, x, longs(src), longs(tgt), out, hint(node)));
        }
    }

    private static long[] longs(List<Long> v) {
        return v.stream().mapToLong(Long::longValue).toArray();
    }

    /** {@code Compress}. */
    public static final class Compress extends OpConverter {
        public Compress() {
            super("Compress", 9, 17, "ONNX Compress with the condition known at import as onnx-select");
        }

        @Override
        public void convert(OnnxNode node, ImportContext ctx) {
            ImportContext.Value x = input(ctx, node, 0);
            long[] ds = shapeOf(ctx, x, "the input");
            long[] cond = indices(ctx, node, 1, "the condition");
            long[] shape = ds;
            if (!node.has("axis")) {
                shape = new long[] {size(ds)};
            }
            int r = shape.length;
            long a = node.attrInt("axis", 0);
            int axis = (int) (a < 0 ? a + r : a);
            List<Long> kept = new ArrayList<>();
            for (int i = 0; i < cond.length && i < shape[axis]; i++) {
                if (cond[i] != 0) {
                    kept.add((long) i);
                }
            }
            long[] out = shape.clone();
            out[axis] = kept.size();
            if (kept.isEmpty()) {
                OpConverter.bindEmpty(ctx, out(node), out, x.type());
                return;
            }
            long[] st = strides(shape);
            long n = size(out);
            long[] src = new long[(int) n];
            long[] tgt = new long[(int) n];
            long[] o = new long[r];
            for (int p = 0; p < n; p++) {
                long[] s = o.clone();
                s[axis] = kept.get((int) o[axis]);
                src[p] = flat(s, st);
                tgt[p] = p;
                next(o, out);
            }
            bind(ctx, node, move(ctx, x, src, tgt, out, hint(node)));
        }
    }

    /** Scatters: {@code data} with {@code updates} written (or added) at the targets. */
    abstract static class Scatter extends OpConverter {
        Scatter(String opType, int min, int max) {
            super(opType, min, max, "ONNX " + opType + " with indices known at import as a masked product and onnx-select");
        }

        @Override
        public String unsupported(OnnxNode node) {
            String reduction = node.attrString("reduction", "none");
            return reduction.equals("none") || reduction.equals("add") ? null
                    : "reduction '" + reduction + "' (native import scatters with none and add)";
        }

        /** The flat target in data of each flat position of updates. */
        abstract long[] targets(OnnxNode node, ImportContext ctx, long[] dataShape, long[] updatesShape);

        @Override
        public void convert(OnnxNode node, ImportContext ctx) {
            ImportContext.Value data = input(ctx, node, 0);
            ImportContext.Value updates = input(ctx, node, 2);
            long[] ds = shapeOf(ctx, data, "the data");
            long[] us = shapeOf(ctx, updates, "the updates");
            long[] tgt = targets(node, ctx, ds, us);
            boolean add = node.attrString("reduction", "none").equals("add");
            long[] src = new long[tgt.length];
            for (int i = 0; i < src.length; i++) {
                src[i] = i;
            }
            String h = hint(node);
            if (data.isConstant() && updates.isConstant()) {
                Const d = Const.of(data.constant());
                Const u = Const.of(updates.constant());
                double[] out = d.doubles("the data");
                double[] uv = u.doubles("the updates");
                for (int i = 0; i < tgt.length; i++) {
                    out[(int) tgt[i]] = add ? out[(int) tgt[i]] + uv[i] : uv[i];
                }
                Const c = Const.reals(ds, out, d.type);
                ctx.bindConstant(out(node), d.isInt() ? c.cast(ElementType.INT64.code()).toArray() : c.toArray());
                return;
            }
            ImportContext.Value like = data.isConstant() ? updates : data;
            ImportContext.Value moved = move(ctx, updates, src, tgt, ds, h + "_updates");
            ImportContext.Value kept = data;
            if (!add) {
                double[] mask = new double[(int) size(ds)];
                Arrays.fill(mask, 1);
                for (long t : tgt) {
                    mask[(int) t] = 0;
                }
                ImportContext.Value m = new ImportContext.Value("mask", null, null, Const.reals(ds, mask,
                        org.nd4j.linalg.api.buffer.DataType.FLOAT).toArray(), data.type());
                if (data.isConstant()) {
                    Const d = Const.of(data.constant());
                    kept = new ImportContext.Value(data.onnxName(), null, null, Const.binary(d, Const.of(m.constant()), (p, q) -> p * q,
                            null, "the data").toArray(), data.type());
                } else {
                    Map<String, Object> mul = new LinkedHashMap<>();
                    mul.put("op", "mul");
                    mul.put("constant-shape", Params.list(ds));
                    mul.put("trainable", false);
                    kept = Arithmetic.value(ctx, ctx.emit("onnx-binary", mul, List.of(data.node()), Map.of("c", m.constant()), h + "_kept"),
                            data.type());
                }
            }
            if (kept.isConstant() && moved.isConstant()) {
                throw new IllegalStateException("scatter of constants");
            }
            ImportContext.Value a = kept.isConstant() ? moved : kept;
            ImportContext.Value b = kept.isConstant() ? kept : moved;
            ctx.bind(out(node), Arithmetic.binary(ctx, "add", a, b, h), like.type());
        }
    }

    /** Targets of ScatterElements: the update's own position with the axis coordinate replaced by its index. */
    static long[] elementTargets(OnnxNode node, ImportContext ctx, long[] ds, long[] us) {
        long[] idx = indices(ctx, node, 1, "the indices");
        int r = ds.length;
        long a = node.attrInt("axis", 0);
        int axis = (int) (a < 0 ? a + r : a);
        if (us.length != r || idx.length != size(us)) {
            throw new IllegalArgumentException("updates of shape " + Arrays.toString(us) + " do not fit data " + Arrays.toString(ds));
        }
        long[] st = strides(ds);
        long[] tgt = new long[idx.length];
        long[] o = new long[r];
        for (int p = 0; p < idx.length; p++) {
            long[] t = o.clone();
            t[axis] = wrap(idx[p], ds[axis], "index");
            tgt[p] = flat(t, st);
            next(o, us);
        }
        return tgt;
    }

    /** {@code ScatterElements}. */
    public static final class ScatterElements extends Scatter {
        public ScatterElements() {
            super("ScatterElements", 11, 17);
        }

        @Override
        long[] targets(OnnxNode node, ImportContext ctx, long[] ds, long[] us) {
            return elementTargets(node, ctx, ds, us);
        }
    }

    /** {@code Scatter} (deprecated in opset 11 for ScatterElements). */
    public static final class ScatterOld extends Scatter {
        public ScatterOld() {
            super("Scatter", 9, 10);
        }

        @Override
        long[] targets(OnnxNode node, ImportContext ctx, long[] ds, long[] us) {
            return elementTargets(node, ctx, ds, us);
        }
    }

    /** {@code ScatterND}. */
    public static final class ScatterND extends Scatter {
        public ScatterND() {
            super("ScatterND", 11, 17);
        }

        @Override
        long[] targets(OnnxNode node, ImportContext ctx, long[] ds, long[] us) {
            long[] is = constant(ctx, node, 1, "the indices").shape();
            long[] idx = indices(ctx, node, 1, "the indices");
            int k = (int) is[is.length - 1];
            long tuples = size(Arrays.copyOf(is, is.length - 1));
            long rest = size(Arrays.copyOfRange(ds, k, ds.length));
            long[] st = strides(ds);
            long[] tgt = new long[(int) (tuples * rest)];
            for (int t = 0; t < tuples; t++) {
                long[] s = new long[ds.length];
                for (int i = 0; i < k; i++) {
                    s[i] = wrap(idx[t * k + i], ds[i], "index");
                }
                long base = flat(s, st);
                for (long e = 0; e < rest; e++) {
                    tgt[(int) (t * rest + e)] = base + e;
                }
            }
            if (tgt.length != size(us)) {
                throw new IllegalArgumentException("updates of shape " + Arrays.toString(us) + " do not fit indices " + Arrays.toString(is));
            }
            return tgt;
        }
    }

    /** {@code OneHot}. */
    public static final class OneHot extends OpConverter {
        public OneHot() {
            super("OneHot", 9, 17, "ONNX OneHot with indices and depth known at import");
        }

        @Override
        public String unsupported(OnnxNode node, Map<String, ElementType> dataInputTypes) {
            for (int i = 0; i < 2; i++) {
                ElementType t = node.input(i).map(dataInputTypes::get).orElse(null);
                if (t != null && t.isFloatingPoint()) {
                    return (i == 0 ? "the indices" : "the depth") + " come from a " + t.onnxName() + " data input; their values set the"
                            + " output, which native import needs known at import, and only integer inputs can be known ahead";
                }
            }
            return null;
        }

        @Override
        public void convert(OnnxNode node, ImportContext ctx) {
            long[] is = constant(ctx, node, 0, "the indices").shape();
            long[] idx = Const.of(constant(ctx, node, 0, "the indices")).longs("the indices");
            long depth = (long) Const.of(constant(ctx, node, 1, "the depth")).scalar("the depth");
            ImportContext.Value values = input(ctx, node, 2);
            int r = is.length + 1;
            long a = node.attrInt("axis", -1);
            int axis = (int) (a < 0 ? a + r : a);
            long[] out = new long[r];
            for (int i = 0, k = 0; i < r; i++) {
                out[i] = i == axis ? depth : is[k++];
            }
            long n = size(out);
            long[] src = new long[(int) n];
            long[] tgt = new long[(int) n];
            long[] o = new long[r];
            long[] ist = strides(is);
            for (int p = 0; p < n; p++) {
                long[] q = new long[is.length];
                for (int i = 0, k = 0; i < r; i++) {
                    if (i != axis) {
                        q[k++] = o[i];
                    }
                }
                long v = idx[(int) flat(q, ist)];
                long hot = v < 0 ? v + depth : v;
                src[p] = o[axis] == hot ? 1 : 0;
                tgt[p] = p;
                next(o, out);
            }
            long[] vs = shapeOf(ctx, values, "the values");
            if (size(vs) != 2) {
                throw new IllegalArgumentException("the values must be [off, on], got shape " + Arrays.toString(vs));
            }
            bind(ctx, node, move(ctx, values, src, tgt, out, hint(node)));
        }
    }
}
