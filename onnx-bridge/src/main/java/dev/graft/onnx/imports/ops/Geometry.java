package dev.graft.onnx.imports.ops;

import dev.graft.onnx.imports.OnnxNode;

import java.util.Arrays;

/**
 * The window geometry of ONNX's {@code Conv} and pooling ops: resolves {@code auto_pad},
 * {@code pads}, {@code strides} and {@code dilations} into explicit amounts before and after each
 * spatial axis.
 */
final class Geometry {
    final int[] kernel;
    final int[] strides;
    final int[] dilations;
    /** {@code [axis][before, after]}. */
    final long[][] pads;
    final String autoPad;

    private Geometry(int[] kernel, int[] strides, int[] dilations, long[][] pads, String autoPad) {
        this.kernel = kernel;
        this.strides = strides;
        this.dilations = dilations;
        this.pads = pads;
        this.autoPad = autoPad;
    }

    /**
     * Reads the attributes of {@code node} for the given kernel and input spatial sizes.
     *
     * @param kernel  the kernel size per spatial axis
     * @param sizes   the input's spatial sizes
     */
    static Geometry of(OnnxNode node, int[] kernel, long[] sizes) {
        int n = kernel.length;
        int[] strides = ints(node, "strides", n);
        int[] dilations = ints(node, "dilations", n);
        String autoPad = node.attrString("auto_pad", "NOTSET");
        long[][] pads = new long[n][2];
        int[] eff = new int[n];
        for (int i = 0; i < n; i++) {
            eff[i] = dilations[i] * (kernel[i] - 1) + 1;
        }
        switch (autoPad) {
            case "NOTSET" -> {
                long[] p = node.attrInts("pads", new long[2 * n]);
                if (p.length != 2 * n) {
                    throw new IllegalArgumentException("pads " + Arrays.toString(p) + " must have " + 2 * n + " entries");
                }
                for (int i = 0; i < n; i++) {
                    if (p[i] < 0 || p[i + n] < 0) {
                        throw new IllegalArgumentException("negative pads " + Arrays.toString(p) + " are not supported");
                    }
                    pads[i][0] = p[i];
                    pads[i][1] = p[i + n];
                }
            }
            case "VALID" -> {
            }
            case "SAME_UPPER", "SAME_LOWER" -> {
                for (int i = 0; i < n; i++) {
                    long out = (sizes[i] + strides[i] - 1) / strides[i];
                    long total = Math.max((out - 1) * strides[i] + eff[i] - sizes[i], 0);
                    long small = total / 2;
                    pads[i][0] = autoPad.equals("SAME_UPPER") ? small : total - small;
                    pads[i][1] = total - pads[i][0];
                }
            }
            default -> throw new IllegalArgumentException("auto_pad '" + autoPad + "' is not one of NOTSET, VALID, SAME_UPPER, SAME_LOWER");
        }
        return new Geometry(kernel, strides, dilations, pads, autoPad);
    }

    private static int[] ints(OnnxNode node, String attr, int n) {
        long[] v = node.attrInts(attr, null);
        int[] out = new int[n];
        Arrays.fill(out, 1);
        if (v == null) {
            return out;
        }
        if (v.length != n) {
            throw new IllegalArgumentException(attr + " " + Arrays.toString(v) + " must have " + n + " entries (one per spatial axis)");
        }
        for (int i = 0; i < n; i++) {
            if (v[i] <= 0) {
                throw new IllegalArgumentException(attr + " " + Arrays.toString(v) + " must be positive");
            }
            out[i] = (int) v[i];
        }
        return out;
    }

    boolean symmetric() {
        return Arrays.stream(pads).allMatch(p -> p[0] == p[1]);
    }

    boolean none() {
        return Arrays.stream(pads).allMatch(p -> p[0] == 0 && p[1] == 0);
    }

    /** Whether Graft's {@code same} padding (SAME_UPPER) gives exactly these pads. */
    boolean graftSame(long[] sizes) {
        for (int i = 0; i < kernel.length; i++) {
            long out = (sizes[i] + strides[i] - 1) / strides[i];
            long total = Math.max((out - 1) * strides[i] + dilations[i] * (kernel[i] - 1) + 1 - sizes[i], 0);
            if (pads[i][0] != total / 2 || pads[i][1] != total - total / 2) {
                return false;
            }
        }
        return true;
    }

    /** The explicit padding of a per-example {@code [C, ...spatial]} value in onnx-pad's layout. */
    java.util.List<Integer> padLayout() {
        int n = kernel.length;
        Integer[] out = new Integer[2 * (n + 1)];
        out[0] = 0;
        out[n + 1] = 0;
        for (int i = 0; i < n; i++) {
            out[1 + i] = (int) pads[i][0];
            out[n + 2 + i] = (int) pads[i][1];
        }
        return Arrays.asList(out);
    }

    /** Output sizes with floor division. */
    long[] outSizes(long[] sizes, boolean ceil) {
        long[] out = new long[sizes.length];
        for (int i = 0; i < sizes.length; i++) {
            long span = sizes[i] + pads[i][0] + pads[i][1] - (dilations[i] * (kernel[i] - 1L) + 1);
            out[i] = (ceil ? Math.floorDiv(span + strides[i] - 1, strides[i]) : Math.floorDiv(span, strides[i])) + 1;
        }
        return out;
    }

    static java.util.List<Integer> list(int[] v) {
        return Arrays.stream(v).boxed().toList();
    }

    static java.util.List<String> strings(long[][] pads) {
        return Arrays.stream(pads).map(p -> String.valueOf(p[0])).toList();
    }
}
