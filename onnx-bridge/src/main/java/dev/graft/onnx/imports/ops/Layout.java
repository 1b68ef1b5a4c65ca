package dev.graft.onnx.imports.ops;

import dev.graft.onnx.imports.ImportContext;
import dev.graft.onnx.imports.OnnxNode;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.graft.onnx.imports.ops.OpConverter.batchAxes;
import static dev.graft.onnx.imports.ops.OpConverter.hint;
import static dev.graft.onnx.imports.ops.OpConverter.input;
import static dev.graft.onnx.imports.ops.OpConverter.onnxShape;
import static dev.graft.onnx.imports.ops.OpConverter.out;
import static dev.graft.onnx.imports.ops.OpConverter.reshape;

/**
 * Ops that rearrange or mask elements, built from reshapes, transposes, concatenations and constant
 * masks.
 *
 * <ul>
 *   <li>{@code Tile} (opsets 6-17; {@code repeats} a constant, or an integer input known ahead): a
 *       {@code concat} of copies along each repeated axis.</li>
 *   <li>{@code DepthToSpace} ({@code DCR} and {@code CRD} modes) and {@code SpaceToDepth} (opsets 1-17):
 *       a {@code reshape} to six axes, an {@code onnx-transpose} and a {@code reshape}.</li>
 *   <li>{@code Trilu} (opsets 14-17): an {@code onnx-binary} product with a fixed 0 / 1 mask over the last
 *       two axes ({@code k} a constant or an integer input known ahead).</li>
 * </ul>
 * On constants the result is computed at import. Rejected when the first dimension is the batch:
 * repeating the batch axis.
 */
public final class Layout {
    private Layout() {
    }

    /** {@code Tile}. */
    public static final class Tile extends OpConverter {
        public Tile() {
            super("Tile", 6, 17, "ONNX Tile as concatenated copies");
        }

        @Override
        public void convert(OnnxNode node, ImportContext ctx) {
            ImportContext.Value x = input(ctx, node, 0);
            long[] repeats = Const.of(constant(ctx, node, 1, "repeats")).noBatch("repeats").longs("repeats");
            if (x.isConstant()) {
                Const c = Const.of(x.constant());
                if (repeats.length != c.rank()) {
                    throw new IllegalArgumentException("repeats " + Arrays.toString(repeats) + " must have one entry per axis of " + Arrays.toString(c.shape));
                }
                for (int a = 0; a < repeats.length; a++) {
                    List<Const> copies = new ArrayList<>();
                    for (long i = 0; i < repeats[a]; i++) {
                        copies.add(c);
                    }
                    c = Const.concat(copies, a);
                }
                ctx.bindConstant(out(node), c.toArray());
                return;
            }
            int full = fullRank(ctx, x);
            int b = batchAxes(ctx);
            if (repeats.length != full) {
                throw new IllegalArgumentException("repeats " + Arrays.toString(repeats) + " must have one entry per axis (" + full + ")");
            }
            if (Arrays.stream(repeats).anyMatch(r -> r < 1)) {
                throw new IllegalArgumentException("repeats " + Arrays.toString(repeats) + " must be positive");
            }
            if (b == 1 && repeats[0] != 1) {
                throw new IllegalArgumentException("repeats " + Arrays.toString(repeats) + " repeat the batch axis");
            }
            String h = hint(node);
            String y = x.node();
            for (int a = b; a < full; a++) {
                if (repeats[a] == 1) {
                    continue;
                }
                List<String> copies = new ArrayList<>();
                for (long i = 0; i < repeats[a]; i++) {
                    copies.add(y);
                }
                y = ctx.emit("concat", Map.of("axis", a - b), copies, Map.of(), h + "_axis" + a);
            }
            ctx.bind(out(node), y, x.type());
        }
    }

    /** {@code DepthToSpace}. */
    public static final class DepthToSpace extends OpConverter {
        public DepthToSpace() {
            super("DepthToSpace", 1, 17, "ONNX DepthToSpace as reshape, onnx-transpose and reshape");
        }

        @Override
        public String unsupported(OnnxNode node) {
            String mode = node.attrString("mode", "DCR");
            return mode.equals("DCR") || mode.equals("CRD") ? null : "mode '" + mode + "' (DCR and CRD are)";
        }

        @Override
        public void convert(OnnxNode node, ImportContext ctx) {
            long bs = node.attrInt("blocksize", 0);
            boolean crd = node.attrString("mode", "DCR").equals("CRD");
            rearrange(node, ctx, (n, c, h, w) -> {
                if (bs <= 0 || c % (bs * bs) != 0) {
                    throw new IllegalArgumentException("blocksize " + bs + " does not divide the " + c + " channels into blocks");
                }
                long oc = c / (bs * bs);
                return crd ? new Plan(new long[] {n, oc, bs, bs, h, w}, new int[] {0, 1, 4, 2, 5, 3}, new long[] {n, oc, h * bs, w * bs})
                        : new Plan(new long[] {n, bs, bs, oc, h, w}, new int[] {0, 3, 4, 1, 5, 2}, new long[] {n, oc, h * bs, w * bs});
            });
        }
    }

    /** {@code SpaceToDepth}. */
    public static final class SpaceToDepth extends OpConverter {
        public SpaceToDepth() {
            super("SpaceToDepth", 1, 17, "ONNX SpaceToDepth as reshape, onnx-transpose and reshape");
        }

        @Override
        public void convert(OnnxNode node, ImportContext ctx) {
            long bs = node.attrInt("blocksize", 0);
            rearrange(node, ctx, (n, c, h, w) -> {
                if (bs <= 0 || h % bs != 0 || w % bs != 0) {
                    throw new IllegalArgumentException("blocksize " + bs + " does not divide the height " + h + " and width " + w);
                }
                return new Plan(new long[] {n, c, h / bs, bs, w / bs, bs}, new int[] {0, 3, 5, 1, 2, 4}, new long[] {n, c * bs * bs, h / bs, w / bs});
            });
        }
    }

    /** A rearrangement of an {@code [N, C, H, W]} tensor: reshape to {@code split}, permute, reshape to {@code out}. */
    private record Plan(long[] split, int[] perm, long[] out) {
    }

    @FunctionalInterface
    private interface Planner {
        Plan plan(long n, long c, long h, long w);
    }

    private static void rearrange(OnnxNode node, ImportContext ctx, Planner planner) {
        ImportContext.Value x = input(ctx, node, 0);
        long[] shape = x.isConstant() ? x.constant().shape() : onnxShape(ctx, x, 1);
        if (shape.length != 4) {
            throw new IllegalArgumentException("the input must be [N, C, H, W], got rank " + shape.length);
        }
        Plan p = planner.plan(shape[0], shape[1], shape[2], shape[3]);
        if (x.isConstant()) {
            ctx.bindConstant(out(node), Const.of(x.constant()).reshape(p.split).transpose(p.perm).reshape(p.out).toArray());
            return;
        }
        int b = batchAxes(ctx);
        String h = hint(node);
        String split = reshape(ctx, x.node(), Arrays.copyOfRange(p.split, b, 6), h + "_split");
        List<Integer> perm = new ArrayList<>();
        for (int i = b; i < 6; i++) {
            perm.add(p.perm[i] - b);
        }
        String moved = ctx.emit("onnx-transpose", Map.of("perm", perm), List.of(split), Map.of(), h + "_move");
        ctx.bind(out(node), reshape(ctx, moved, Arrays.copyOfRange(p.out, b, 4), h), x.type());
    }

    /** {@code Trilu}. */
    public static final class Trilu extends OpConverter {
        public Trilu() {
            super("Trilu", 14, 17, "ONNX Trilu as a product with a fixed triangular mask");
        }

        @Override
        public void convert(OnnxNode node, ImportContext ctx) {
            ImportContext.Value x = input(ctx, node, 0);
            long k = node.input(1).isPresent() ? (long) Const.of(constant(ctx, node, 1, "k")).scalar("k") : 0;
            boolean upper = node.attrInt("upper", 1) != 0;
            long[] shape = x.isConstant() ? x.constant().shape() : x.shape().dims();
            if (shape.length < 2 || (!x.isConstant() && ctx.batchFirst() && shape.length < 2)) {
                throw new IllegalArgumentException("Trilu needs at least two axes per example, got " + Arrays.toString(shape));
            }
            long rows = shape[shape.length - 2];
            long cols = shape[shape.length - 1];
            double[] mask = new double[(int) (rows * cols)];
            for (long i = 0; i < rows; i++) {
                for (long j = 0; j < cols; j++) {
                    boolean keep = upper ? j - i >= k : j - i <= k;
                    mask[(int) (i * cols + j)] = keep ? 1 : 0;
                }
            }
            Const m = Const.reals(new long[] {rows, cols}, mask, org.nd4j.linalg.api.buffer.DataType.FLOAT);
            if (x.isConstant()) {
                Const c = Const.of(x.constant());
                Const y = Const.binary(c, c.isInt() ? Const.of(m.toArray().castTo(org.nd4j.linalg.api.buffer.DataType.LONG)) : m,
                        (p, q) -> p * q, (p, q) -> p * q, "Trilu");
                ctx.bindConstant(out(node), y.toArray());
                return;
            }
            Map<String, Object> config = new LinkedHashMap<>();
            config.put("op", "mul");
            config.put("constant-shape", List.of(rows, cols));
            config.put("trainable", false);
            emit(ctx, node, "onnx-binary", config, x.node(), Map.of("c", m.toArray()));
        }
    }
}
