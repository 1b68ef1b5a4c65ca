package dev.graft.onnx.imports.ops;

import dev.graft.onnx.imports.ImportContext;
import dev.graft.onnx.imports.OnnxNode;
import dev.graft.onnx.proto.ElementType;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;


import static dev.graft.onnx.imports.ops.OpConverter.batchAxes;
import static dev.graft.onnx.imports.ops.OpConverter.emit;
import static dev.graft.onnx.imports.ops.OpConverter.exampleAxis;
import static dev.graft.onnx.imports.ops.OpConverter.fullRank;
import static dev.graft.onnx.imports.ops.OpConverter.hint;
import static dev.graft.onnx.imports.ops.OpConverter.onnxShape;
import static dev.graft.onnx.imports.ops.OpConverter.optionalConstant;
import static dev.graft.onnx.imports.ops.OpConverter.reshape;

/**
 * Shape arithmetic and indexing (opsets 1-17; ConstantOfShape and EyeLike from 9), folded at import
 * where the values are static.
 *
 * <ul>
 *   <li>{@code Shape}: of a computed value, its ONNX shape: under batch axis FIRST_DIM the per-example
 *       shape behind a batch-size marker, under NONE fully static ({@code start}/{@code end} of opset 15
 *       slice it); of a constant, its shape. {@code Size} likewise (not of a batch).</li>
 *   <li>{@code Gather}, {@code Slice}, {@code Cast}, {@code ConstantOfShape}, {@code EyeLike}: on
 *       constants, at import.</li>
 *   <li>{@code Slice} of a computed value as {@code onnx-slice} (and {@code onnx-reverse} for negative
 *       steps); an empty result is an empty constant. {@code Gather} of a computed value with indices
 *       known at import (of any rank) as {@code onnx-slice} per run of consecutive indices and a
 *       {@code concat} when there are several (one {@code onnx-select} when there are many), then a
 *       {@code reshape} to the indices' shape: PyTorch's {@code x[:, 0]}.</li>
 *   <li>{@code Unsqueeze} / {@code Squeeze} ({@code axes} an attribute before opset 13, an input
 *       after): on constants at import; on a computed value as a {@code reshape} (or {@code onnx-reshape}
 *       to a scalar).</li>
 *   <li>{@code Cast} of a computed value: the graph computes in float32, so a cast to a float type, or
 *       between integer types, only changes the recorded element type; a cast of reals to an integer
 *       type is an {@code onnx-unary} trunc, to bool an {@code onnx-unary} not-zero. A cast to a type
 *       ND4J cannot hold (string) is refused up front.</li>
 * </ul>
 * Under FIRST_DIM the batch-size marker may flow through these into a {@code Reshape} target; any
 * arithmetic on it is rejected, as are slices of the batch axis and casts of the batch size.
 */
public final class ShapeOps {
    private ShapeOps() {
    }

    /** {@code Shape}. */
    public static final class ShapeOf extends OpConverter {
        public ShapeOf() {
            super("Shape", 1, 17, "ONNX Shape folded at import (the batch size kept as a marker)");
        }

        @Override
        public void convert(OnnxNode node, ImportContext ctx) {
            if (BatchViews.shape(node, ctx)) {
                return;
            }
            ImportContext.Value x = input(ctx, node, 0);
            long[] dims = x.isConstant() ? x.constant().shape() : onnxShape(ctx, x, Const.BATCH);
            int r = dims.length;
            long start = clamp(node.attrInt("start", 0), r);
            long end = node.has("end") ? clamp(node.attrInt("end", r), r) : r;
            long[] out = start >= end ? new long[0] : Arrays.copyOfRange(dims, (int) start, (int) end);
            ctx.bindConstant(out(node), Const.ints(new long[] {out.length}, out).toArray());
        }

        private static long clamp(long v, int r) {
            long a = v < 0 ? v + r : v;
            return Math.max(0, Math.min(r, a));
        }
    }

    /** {@code Gather}. */
    public static final class Gather extends OpConverter {
        public Gather() {
            super("Gather", 1, 17, "ONNX Gather: folded on constants, onnx-slice (and concat / reshape) on computed values");
        }

        @Override
        public void convert(OnnxNode node, ImportContext ctx) {
            ImportContext.Value x = input(ctx, node, 0);
            Const indices = Const.of(constant(ctx, node, 1, "the indices")).noBatch("the indices");
            long axis = node.attrInt("axis", 0);
            if (x.isConstant()) {
                Const data = Const.of(x.constant());
                long a = axis < 0 ? axis + data.rank() : axis;
                if (a < 0 || a >= data.rank()) {
                    throw new IllegalArgumentException("axis " + axis + " is out of range for data of rank " + data.rank());
                }
                ctx.bindConstant(out(node), data.gather(indices, (int) a).toArray());
                return;
            }
            int a = exampleAxis(ctx, axis, fullRank(ctx, x), "axis");
            long dim = x.shape().dim(a);
            long[] idx = indices.longs("the indices");
            for (int i = 0; i < idx.length; i++) {
                long j = idx[i] < 0 ? idx[i] + dim : idx[i];
                if (j < 0 || j >= dim) {
                    throw new IllegalArgumentException("index " + idx[i] + " is out of range for axis " + axis + " of size " + dim);
                }
                idx[i] = j;
            }
            long[] outShape = new long[x.shape().rank() - 1 + indices.rank()];
            long[] in = x.shape().dims();
            System.arraycopy(in, 0, outShape, 0, a);
            System.arraycopy(indices.shape, 0, outShape, a, indices.rank());
            System.arraycopy(in, a + 1, outShape, a + indices.rank(), in.length - a - 1);
            if (idx.length == 0) {
                OpConverter.bindEmpty(ctx, out(node), outShape, x.type());
                return;
            }
            // runs of consecutive indices, each one slice
            List<long[]> runs = new ArrayList<>();
            for (long j : idx) {
                long[] last = runs.isEmpty() ? null : runs.get(runs.size() - 1);
                if (last != null && last[1] == j) {
                    last[1] = j + 1;
                } else {
                    runs.add(new long[] {j, j + 1});
                }
            }
            String h = hint(node);
            long inner = 1;
            for (int i = a + 1; i < in.length; i++) {
                inner *= in[i];
            }
            if (runs.size() > 16 && x.shape().size() * (long) idx.length * inner <= dev.graft.onnx.layers.SelectProvider.MAX_ENTRIES) {
                // many scattered indices: one onnx-select rather than a slice per run
                long outer = 1;
                for (int i = 0; i < a; i++) {
                    outer *= in[i];
                }
                List<Long> sources = new ArrayList<>();
                List<Long> targets = new ArrayList<>();
                long t = 0;
                for (long o = 0; o < outer; o++) {
                    for (long j : idx) {
                        for (long e = 0; e < inner; e++) {
                            sources.add((o * dim + j) * inner + e);
                            targets.add(t++);
                        }
                    }
                }
                Map<String, Object> config = new java.util.LinkedHashMap<>();
                config.put("sources", sources);
                config.put("targets", targets);
                config.put("shape", Params.list(outShape));
                ctx.bind(out(node), ctx.emit("onnx-select", config, List.of(x.node()), Map.of(), h), x.type());
                return;
            }
            List<String> parts = new ArrayList<>();
            for (long[] run : runs) {
                if (run[0] == 0 && run[1] == dim) {
                    parts.add(x.node());
                } else {
                    parts.add(ctx.emit("onnx-slice", Map.of("axes", List.of(a), "starts", List.of(run[0]), "ends", List.of(run[1])),
                            List.of(x.node()), Map.of(), h));
                }
            }
            String joined = parts.size() == 1 ? parts.get(0) : ctx.emit("concat", Map.of("axis", a), parts, Map.of(), h);
            ctx.bind(out(node), reshape(ctx, joined, outShape, h), x.type());
        }
    }

    /** {@code Cast}. */
    public static final class Cast extends OpConverter {
        public Cast() {
            super("Cast", 1, 17, "ONNX Cast, folded for constants; on computed values (carried as float32) a cast to an integer"
                    + " type truncates (onnx-unary trunc), to bool compares with 0 (onnx-unary not-zero), to a float type passes through");
        }

        @Override
        public void convert(OnnxNode node, ImportContext ctx) {
            ImportContext.Value x = input(ctx, node, 0);
            int to = target(node);
            if (x.isConstant()) {
                ctx.bindConstant(out(node), Const.of(x.constant()).cast(to).toArray());
                return;
            }
            castComputed(node, ctx, x, ElementType.fromCode(to).orElse(ElementType.UNDEFINED));
        }

        @Override
        public String unsupported(OnnxNode node) {
            int to = target(node);
            ElementType target = ElementType.fromCode(to).orElse(ElementType.UNDEFINED);
            return target.isSupported() ? null : "a cast to " + (target == ElementType.UNDEFINED ? "element type " + to : target.onnxName())
                    + " (native import holds numeric tensors only)";
        }
    }

    /** {@code CastLike}: a {@code Cast} to the element type of its second input. */
    public static final class CastLike extends OpConverter {
        public CastLike() {
            super("CastLike", 15, 17, "ONNX CastLike as Cast to the type of its second input");
        }

        @Override
        public String unsupported(OnnxNode node, Map<String, ElementType> dataInputTypes) {
            ElementType t = node.input(1).map(dataInputTypes::get).orElse(null);
            return t != null && !t.isSupported() ? "a cast to " + t.onnxName() + " (native import holds numeric tensors only)" : null;
        }

        @Override
        public void convert(OnnxNode node, ImportContext ctx) {
            ImportContext.Value x = input(ctx, node, 0);
            ElementType target = input(ctx, node, 1).type();
            if (x.isConstant()) {
                ctx.bindConstant(out(node), Const.of(x.constant()).cast(target.code()).toArray());
                return;
            }
            castComputed(node, ctx, x, target);
        }
    }

    /** A computed value cast to {@code target} (see {@link Cast}). */
    static void castComputed(OnnxNode node, ImportContext ctx, ImportContext.Value x, ElementType target) {
        if (target.isFloatingPoint() || (x.isIntegral() && target != ElementType.BOOL) || x.type() == target) {
            // the graph computes in float32 and integers stay whole numbers: nothing to do
            ctx.bind(OpConverter.out(node), x.node(), target);
            return;
        }
        String op = target == ElementType.BOOL ? "not-zero" : "trunc";
        ctx.bind(OpConverter.out(node), ctx.emit("onnx-unary", Map.of("op", op), List.of(x.node()), Map.of(), OpConverter.hint(node)), target);
    }

    /** Cast's {@code to}: an element type number, or before opset 6 its name ({@code "FLOAT"}). */
    static int target(OnnxNode node) {
        if (node.opset() < 6) {
            String name = node.attrString("to", "");
            for (ElementType t : ElementType.values()) {
                if (t.onnxName().equalsIgnoreCase(name) || t.name().equalsIgnoreCase(name)) {
                    return t.code();
                }
            }
            return 0;
        }
        return (int) node.attrInt("to", 0);
    }

    /** {@code ConstantOfShape}. */
    public static final class ConstantOfShape extends OpConverter {
        public ConstantOfShape() {
            super("ConstantOfShape", 9, 17, "ONNX ConstantOfShape of a constant shape, folded at import");
        }

        @Override
        public void convert(OnnxNode node, ImportContext ctx) {
            long[] shape = Const.of(constant(ctx, node, 0, "the shape")).noBatch("the shape").longs("the shape");
            Const value = node.attrTensor("value").map(t -> Const.of(dev.graft.onnx.proto.Tensors.toArray(t)))
                    .orElse(Const.reals(new long[] {1}, new double[] {0}, org.nd4j.linalg.api.buffer.DataType.FLOAT));
            long n = Arrays.stream(shape).reduce(1, Math::multiplyExact);
            if (value.isInt()) {
                long[] v = new long[(int) n];
                Arrays.fill(v, value.ints[0]);
                ctx.bindConstant(out(node), Const.ints(shape, v).toArray());
            } else {
                double[] v = new double[(int) n];
                Arrays.fill(v, value.reals[0]);
                ctx.bindConstant(out(node), Const.reals(shape, v, value.type).toArray());
            }
        }
    }

    /** {@code Slice}. */
    public static final class Slice extends OpConverter {
        public Slice() {
            super("Slice", 1, 17, "ONNX Slice: folded on constants, onnx-slice on the non-batch axes of computed values");
        }

        @Override
        public void convert(OnnxNode node, ImportContext ctx) {
            long[] starts;
            long[] ends;
            long[] axes;
            long[] steps;
            if (node.opset() < 10) {
                starts = node.attrInts("starts", null);
                ends = node.attrInts("ends", null);
                axes = node.attrInts("axes", null);
                steps = null;
            } else {
                starts = Const.of(constant(ctx, node, 1, "starts")).noBatch("starts").longs("starts");
                ends = Const.of(constant(ctx, node, 2, "ends")).noBatch("ends").longs("ends");
                axes = new INDArrayOrNull(optionalConstant(ctx, node, 3, "axes")).longs();
                steps = new INDArrayOrNull(optionalConstant(ctx, node, 4, "steps")).longs();
            }
            if (starts == null || ends == null || starts.length != ends.length || (axes != null && axes.length != starts.length)
                    || (steps != null && steps.length != starts.length)) {
                throw new IllegalArgumentException("starts, ends, axes and steps must be given with the same length");
            }
            if (BatchViews.slice(node, ctx, starts, ends, axes, steps)) {
                return;
            }
            ImportContext.Value x = input(ctx, node, 0);
            long[] shape = x.isConstant() ? x.constant().shape() : onnxShape(ctx, x, Long.MAX_VALUE);
            int n = starts.length;
            int r = shape.length;
            int[] ax = new int[n];
            long[] s = new long[n];
            long[] e = new long[n];
            long[] st = new long[n];
            for (int i = 0; i < n; i++) {
                long a = axes == null ? i : axes[i] < 0 ? axes[i] + r : axes[i];
                if (a < 0 || a >= r) {
                    throw new IllegalArgumentException("Slice axis " + (axes == null ? i : axes[i]) + " is out of range for rank " + r);
                }
                ax[i] = (int) a;
                st[i] = steps == null ? 1 : steps[i];
                if (st[i] == 0) {
                    throw new IllegalArgumentException("Slice steps must not be 0, got " + Arrays.toString(steps));
                }
                long dim = shape[ax[i]];
                if (st[i] > 0) {
                    s[i] = Math.max(0, Math.min(dim, starts[i] < 0 ? starts[i] + dim : starts[i]));
                    e[i] = Math.max(0, Math.min(dim, ends[i] < 0 ? ends[i] + dim : ends[i]));
                } else {
                    // a negative step walks down from start (clamped to dim - 1) to end (exclusive, clamped to -1)
                    s[i] = Math.max(-1, Math.min(dim - 1, starts[i] < 0 ? starts[i] + dim : starts[i]));
                    e[i] = Math.max(-1, Math.min(dim - 1, ends[i] < 0 ? ends[i] + dim : ends[i]));
                }
            }
            long[] outShape = shape.clone();
            for (int i = 0; i < n; i++) {
                outShape[ax[i]] = st[i] > 0 ? Math.max(0, (e[i] - s[i] + st[i] - 1) / st[i]) : Math.max(0, (s[i] - e[i] - st[i] - 1) / -st[i]);
            }
            if (x.isConstant()) {
                ctx.bindConstant(out(node), Const.of(x.constant()).slice(ax, s, e, st).toArray());
                return;
            }
            int b = batchAxes(ctx);
            if (b == 0 && Arrays.stream(outShape).anyMatch(d -> d == 0)) {
                OpConverter.bindEmpty(ctx, out(node), outShape, x.type());
                return;
            }
            List<Integer> axesOut = new ArrayList<>();
            List<Long> startsOut = new ArrayList<>();
            List<Long> endsOut = new ArrayList<>();
            List<Long> stepsOut = new ArrayList<>();
            List<Integer> reversed = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                if (b == 1 && ax[i] == 0) {
                    if (s[i] != 0 || ends[i] < Integer.MAX_VALUE || st[i] != 1) {
                        throw new IllegalArgumentException("the slice " + starts[i] + ":" + ends[i] + " of the batch axis depends on the batch"
                                + " size; native import slices example axes only");
                    }
                    continue;
                }
                long dim = shape[ax[i]];
                if (outShape[ax[i]] == 0) {
                    throw new IllegalArgumentException("the slice " + starts[i] + ":" + ends[i] + " of axis " + ax[i] + " (size " + dim + ") is empty");
                }
                long lo;
                long hi;
                long step = Math.abs(st[i]);
                if (st[i] > 0) {
                    lo = s[i];
                    hi = e[i];
                } else {
                    // the same elements in increasing order, then reversed
                    long last = s[i] + (outShape[ax[i]] - 1) * st[i];
                    lo = last;
                    hi = s[i] + 1;
                    reversed.add(ax[i] - b);
                }
                if (lo == 0 && hi == dim && step == 1) {
                    continue;
                }
                axesOut.add(ax[i] - b);
                startsOut.add(lo);
                endsOut.add(hi);
                stepsOut.add(step);
            }
            String h = hint(node);
            String y = x.node();
            if (!axesOut.isEmpty()) {
                y = ctx.emit("onnx-slice", Map.of("axes", axesOut, "starts", startsOut, "ends", endsOut, "steps", stepsOut), List.of(y), Map.of(), h);
            }
            if (!reversed.isEmpty()) {
                y = ctx.emit("onnx-reverse", Map.of("axes", reversed), List.of(y), Map.of(), h + "_reverse");
            }
            ctx.bind(out(node), y, x.type());
        }
    }

    private record INDArrayOrNull(org.nd4j.linalg.api.ndarray.INDArray a) {
        long[] longs() {
            return a == null ? null : Const.of(a).noBatch("a Slice argument").longs("a Slice argument");
        }
    }

    /** The {@code axes} of Unsqueeze / Squeeze: the attribute before opset 13, the input from 13; null when absent. */
    static long[] axes(OnnxNode node, ImportContext ctx) {
        if (node.opset() < 13) {
            return node.attrInts("axes", null);
        }
        org.nd4j.linalg.api.ndarray.INDArray a = optionalConstant(ctx, node, 1, "axes");
        return a == null ? null : Const.of(a).noBatch("axes").longs("axes");
    }

    /** {@code Unsqueeze}. */
    public static final class Unsqueeze extends OpConverter {
        public Unsqueeze() {
            super("Unsqueeze", 1, 17, "ONNX Unsqueeze, folded for constants, a reshape for computed values");
        }

        @Override
        public void convert(OnnxNode node, ImportContext ctx) {
            ImportContext.Value x = input(ctx, node, 0);
            long[] axes = axes(node, ctx);
            if (axes == null) {
                throw new IllegalArgumentException("axes are required");
            }
            long[] in = x.isConstant() ? x.constant().shape() : onnxShape(ctx, x, 1);
            int r = in.length + axes.length;
            TreeSet<Long> inserted = new TreeSet<>();
            for (long a : axes) {
                long n = a < 0 ? a + r : a;
                if (n < 0 || n >= r || !inserted.add(n)) {
                    throw new IllegalArgumentException("axes " + Arrays.toString(axes) + " are out of range or repeated for an output of rank " + r);
                }
            }
            long[] out = new long[r];
            int k = 0;
            for (int i = 0; i < r; i++) {
                out[i] = inserted.contains((long) i) ? 1 : in[k++];
            }
            if (x.isConstant()) {
                ctx.bindConstant(out(node), Const.of(x.constant()).reshape(out).toArray());
                return;
            }
            int b = batchAxes(ctx);
            if (b == 1 && inserted.contains(0L)) {
                throw new IllegalArgumentException("axes " + Arrays.toString(axes) + " insert an axis before the batch axis");
            }
            ctx.bind(out(node), reshape(ctx, x.node(), Arrays.copyOfRange(out, b, r), hint(node)), x.type());
        }
    }

    /** {@code Squeeze}. */
    public static final class Squeeze extends OpConverter {
        public Squeeze() {
            super("Squeeze", 1, 17, "ONNX Squeeze, folded for constants, a reshape for computed values");
        }

        @Override
        public void convert(OnnxNode node, ImportContext ctx) {
            ImportContext.Value x = input(ctx, node, 0);
            long[] axes = axes(node, ctx);
            long[] in = x.isConstant() ? x.constant().shape() : onnxShape(ctx, x, -1);
            int r = in.length;
            int b = x.isConstant() ? 0 : batchAxes(ctx);
            TreeSet<Integer> removed = new TreeSet<>();
            if (axes == null) {
                for (int i = b; i < r; i++) {
                    if (in[i] == 1) {
                        removed.add(i);
                    }
                }
            } else {
                for (long a : axes) {
                    long n = a < 0 ? a + r : a;
                    if (n < 0 || n >= r) {
                        throw new IllegalArgumentException("axes " + Arrays.toString(axes) + " are out of range for rank " + r);
                    }
                    if (n < b) {
                        throw new IllegalArgumentException("axes " + Arrays.toString(axes) + " remove the batch axis");
                    }
                    if (in[(int) n] != 1) {
                        throw new IllegalArgumentException("axis " + a + " has size " + in[(int) n] + ", not 1");
                    }
                    removed.add((int) n);
                }
            }
            List<Long> out = new ArrayList<>();
            for (int i = b; i < r; i++) {
                if (!removed.contains(i)) {
                    out.add(in[i]);
                }
            }
            long[] o = out.stream().mapToLong(Long::longValue).toArray();
            if (x.isConstant()) {
                ctx.bindConstant(out(node), Const.of(x.constant()).reshape(o).toArray());
                return;
            }
            ctx.bind(out(node), reshape(ctx, x.node(), o, hint(node)), x.type());
        }
    }

    /** {@code Size}: the element count, folded at import (under FIRST_DIM of a constant only). */
    public static final class Size extends OpConverter {
        public Size() {
            super("Size", 1, 17, "ONNX Size folded at import");
        }

        @Override
        public void convert(OnnxNode node, ImportContext ctx) {
            ImportContext.Value x = input(ctx, node, 0);
            if (!x.isConstant() && ctx.batchFirst()) {
                throw new IllegalArgumentException("the size of a computed value depends on the batch size when the first dimension is the"
                        + " batch; native import folds Size of constants and of whole tensors (batch axis none)");
            }
            long n = x.isConstant() ? x.constant().length() : x.shape().size();
            ctx.bindConstant(out(node), Const.ints(new long[0], new long[] {n}).toArray());
        }
    }

    /** {@code EyeLike}: a constant of the input's (static) shape with ones on diagonal {@code k}. */
    public static final class EyeLike extends OpConverter {
        public EyeLike() {
            super("EyeLike", 9, 17, "ONNX EyeLike folded at import");
        }

        @Override
        public void convert(OnnxNode node, ImportContext ctx) {
            ImportContext.Value x = input(ctx, node, 0);
            if (!x.isConstant() && ctx.batchFirst()) {
                throw new IllegalArgumentException("the shape of a computed value depends on the batch size when the first dimension is the"
                        + " batch; native import folds EyeLike of constants and of whole tensors (batch axis none)");
            }
            long[] shape = x.isConstant() ? x.constant().shape() : x.shape().dims();
            if (shape.length != 2) {
                throw new IllegalArgumentException("the input must be a matrix, got shape " + Arrays.toString(shape));
            }
            long k = node.attrInt("k", 0);
            long[] v = new long[(int) (shape[0] * shape[1])];
            for (long i = 0; i < shape[0]; i++) {
                long j = i + k;
                if (j >= 0 && j < shape[1]) {
                    v[(int) (i * shape[1] + j)] = 1;
                }
            }
            Const c = Const.ints(shape, v);
            int dtype = (int) node.attrInt("dtype", x.type().code());
            ElementType t = ElementType.fromCode(dtype).orElse(ElementType.FLOAT);
            ctx.bindConstant(out(node), t.isFloatingPoint() ? c.cast(t.code()).toArray() : c.toArray());
        }
    }
}
