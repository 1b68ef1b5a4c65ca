package dev.graft.plugins.layers;

import dev.graft.api.Shape;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The geometry shared by the convolution and pooling layers: parsing and validating the
 * {@code kernel}, {@code stride}, {@code dilation} and {@code padding} config values, and computing
 * paddings and output sizes.
 *
 * <p>Output size per spatial axis: {@code floor((size + before + after - effectiveKernel) / stride) + 1}
 * with {@code effectiveKernel = dilation * (kernel - 1) + 1}. {@code "same"} padding is TensorFlow's and
 * ONNX's {@code SAME_UPPER}: the output has {@code ceil(size / stride)} elements, the total padding is
 * {@code max((out - 1) * stride + effectiveKernel - size, 0)}, split with the odd element at the end.
 */
final class Windows {
    private Windows() {
    }

    /** A positive integer or a list of {@code dims} of them; one value is repeated. */
    static int[] sizes(String key, List<Integer> values, int dims) {
        String allowed = dims == 1 ? "a positive integer" : "a positive integer or a pair [h, w] of them";
        if (values == null || !(values.size() == 1 || values.size() == dims)) {
            throw new IllegalArgumentException(key + " must be " + allowed + ", got " + values);
        }
        int[] out = new int[dims];
        for (int i = 0; i < dims; i++) {
            Integer v = values.get(values.size() == 1 ? 0 : i);
            if (v == null || v <= 0) {
                throw new IllegalArgumentException(key + " must be " + allowed + ", got "
                        + (values.size() == 1 ? values.get(0) : values));
            }
            out[i] = v;
        }
        return out;
    }

    /**
     * A padding value: {@code valid}, {@code same}, or explicit non-negative amounts (one for all
     * spatial axes, or one per axis) that are added at both ends of each axis.
     */
    record Padding(boolean same, int[] amounts) {
        static final Padding VALID = new Padding(false, null);

        static Padding parse(String key, List<String> values, int dims) {
            String allowed = dims == 1
                    ? "'valid', 'same' or a non-negative integer"
                    : "'valid', 'same', a non-negative integer or a pair [ph, pw] of them";
            Object given = values != null && values.size() == 1 ? values.get(0) : values;
            if (values == null || values.isEmpty() || values.size() > dims) {
                throw new IllegalArgumentException(key + " must be " + allowed + ", got " + given);
            }
            if (values.size() == 1) {
                String v = String.valueOf(values.get(0)).trim().toLowerCase(Locale.ROOT);
                if (v.equals("valid")) {
                    return VALID;
                }
                if (v.equals("same")) {
                    return new Padding(true, null);
                }
            }
            int[] amounts = new int[dims];
            for (int i = 0; i < dims; i++) {
                String v = String.valueOf(values.get(values.size() == 1 ? 0 : i)).trim();
                int p;
                try {
                    p = Integer.parseInt(v);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(key + " must be " + allowed + ", got " + given);
                }
                if (p < 0) {
                    throw new IllegalArgumentException(key + " must be " + allowed + ", got " + given);
                }
                amounts[i] = p;
            }
            return new Padding(false, amounts);
        }

        /** The padding text normalised for the config record: trimmed, and lower case for the words. */
        static List<String> normalise(List<String> values) {
            return values.stream().map(v -> String.valueOf(v).trim().toLowerCase(Locale.ROOT)).toList();
        }

        /**
         * {@code [axis][before, after]} padding for the given spatial sizes.
         *
         * @param effectiveKernel {@code dilation * (kernel - 1) + 1} per axis
         */
        long[][] resolve(long[] sizes, int[] effectiveKernel, int[] stride) {
            long[][] out = new long[sizes.length][2];
            for (int i = 0; i < sizes.length; i++) {
                if (same) {
                    long o = (sizes[i] + stride[i] - 1) / stride[i];
                    long total = Math.max((o - 1) * stride[i] + effectiveKernel[i] - sizes[i], 0);
                    out[i][0] = total / 2;
                    out[i][1] = total - total / 2;
                } else if (amounts != null) {
                    out[i][0] = amounts[i];
                    out[i][1] = amounts[i];
                }
            }
            return out;
        }

        /** Whether {@code pads} adds nothing, or the same amount at both ends of every axis. */
        static boolean symmetric(long[][] pads) {
            return Arrays.stream(pads).allMatch(p -> p[0] == p[1]);
        }

        static boolean none(long[][] pads) {
            return Arrays.stream(pads).allMatch(p -> p[0] == 0 && p[1] == 0);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Padding p && same == p.same && Arrays.equals(amounts, p.amounts);
        }

        @Override
        public int hashCode() {
            return Boolean.hashCode(same) * 31 + Arrays.hashCode(amounts);
        }
    }

    /**
     * The spatial output sizes, after checking that the (dilated) kernel fits the padded input.
     *
     * @param id     the layer id, for messages
     * @param sizes  the input's spatial sizes
     * @param pads   {@code [axis][before, after]}
     */
    static long[] outputSizes(String id, long[] sizes, int[] kernel, int[] stride, int[] dilation, long[][] pads) {
        int n = sizes.length;
        long[] padded = new long[n];
        int[] effective = effective(kernel, dilation);
        boolean fits = true;
        for (int i = 0; i < n; i++) {
            padded[i] = sizes[i] + pads[i][0] + pads[i][1];
            fits &= effective[i] <= padded[i];
        }
        if (!fits) {
            boolean dilated = Arrays.stream(dilation).anyMatch(d -> d != 1);
            throw new IllegalArgumentException(id + ": kernel " + Arrays.toString(kernel)
                    + (dilated ? " with dilation " + Arrays.toString(dilation) + " spans " + Arrays.toString(effective) + ", which" : "")
                    + " is larger than the padded input " + Arrays.toString(padded));
        }
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            out[i] = (padded[i] - effective[i]) / stride[i] + 1;
        }
        return out;
    }

    static int[] effective(int[] kernel, int[] dilation) {
        int[] e = new int[kernel.length];
        for (int i = 0; i < kernel.length; i++) {
            e[i] = dilation[i] * (kernel[i] - 1) + 1;
        }
        return e;
    }

    static int[] ones(int n) {
        int[] o = new int[n];
        Arrays.fill(o, 1);
        return o;
    }

    /** Checks that the input is {@code [channels, ...spatial]} with {@code spatial} axes. */
    static Shape requireRank(String id, List<Shape> inputs, int spatial) {
        Shape in = inputs.get(0);
        if (in.rank() != spatial + 1) {
            String expected = spatial == 2 ? "[channels, height, width]" : "[channels, length]";
            throw new IllegalArgumentException(id + " expects " + expected + ", got " + in);
        }
        return in;
    }

    /** The spatial dimensions of a {@code [channels, ...spatial]} shape. */
    static long[] spatial(Shape in) {
        return Arrays.copyOfRange(in.dims(), 1, in.rank());
    }
}
