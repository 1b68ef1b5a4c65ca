package dev.graft.onnx.export.builtin;

import java.util.List;
import java.util.Locale;

/**
 * The window geometry of the convolution and pooling layers, as their configs state it: per-axis
 * sizes given once or per axis, and {@code padding} as {@code valid}, {@code same} (TensorFlow / ONNX
 * {@code SAME_UPPER}: output {@code ceil(size / stride)}, the odd element at the end) or amounts added
 * at both ends.
 */
final class Geometry {
    private Geometry() {
    }

    /** One value per axis from a list of one or {@code dims} values. */
    static int[] sizes(List<?> values, int dims) {
        int[] out = new int[dims];
        for (int i = 0; i < dims; i++) {
            out[i] = ((Number) values.get(values.size() == 1 ? 0 : i)).intValue();
        }
        return out;
    }

    /** {@code [axis][before, after]} for the given spatial sizes. */
    static long[][] pads(List<String> padding, long[] sizes, int[] kernel, int[] stride, int[] dilation) {
        int n = sizes.length;
        long[][] out = new long[n][2];
        String first = padding.get(0).trim().toLowerCase(Locale.ROOT);
        if (padding.size() == 1 && first.equals("valid")) {
            return out;
        }
        boolean same = padding.size() == 1 && first.equals("same");
        for (int i = 0; i < n; i++) {
            if (same) {
                long effective = (long) dilation[i] * (kernel[i] - 1) + 1;
                long o = (sizes[i] + stride[i] - 1) / stride[i];
                long total = Math.max((o - 1) * stride[i] + effective - sizes[i], 0);
                out[i][0] = total / 2;
                out[i][1] = total - total / 2;
            } else {
                long p = Long.parseLong(padding.get(padding.size() == 1 ? 0 : i).trim());
                out[i][0] = p;
                out[i][1] = p;
            }
        }
        return out;
    }

    static long[] longs(int[] v) {
        long[] out = new long[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i];
        }
        return out;
    }

    static int[] ones(int n) {
        int[] o = new int[n];
        java.util.Arrays.fill(o, 1);
        return o;
    }
}
