package dev.graft.api;

import java.util.Arrays;

/**
 * The shape of one example, without the batch dimension: {@code [784]} for a flat vector,
 * {@code [1, 28, 28]} for a one-channel image in NCHW order. Immutable.
 */
public final class Shape {
    private final long[] dims;

    private Shape(long[] dims) {
        for (long d : dims) {
            if (d <= 0) {
                throw new IllegalArgumentException("shape dimensions must be positive, got " + Arrays.toString(dims));
            }
        }
        this.dims = dims;
    }

    public static Shape of(long... dims) {
        return new Shape(dims.clone());
    }

    public int rank() {
        return dims.length;
    }

    public long dim(int i) {
        return dims[i];
    }

    public long[] dims() {
        return dims.clone();
    }

    /** Product of all dimensions: the number of values in one example. */
    public long size() {
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        return n;
    }

    /** The shape with a leading batch dimension of {@code batch} (-1 for "any"). */
    public long[] withBatch(long batch) {
        long[] r = new long[dims.length + 1];
        r[0] = batch;
        System.arraycopy(dims, 0, r, 1, dims.length);
        return r;
    }

    /** Parses {@code [1, 28, 28]} or {@code 1x28x28}. */
    public static Shape parse(String text) {
        String t = text.trim().replace("[", "").replace("]", "");
        String[] parts = t.split("[,x\\s]+");
        long[] d = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            d[i] = Long.parseLong(parts[i].trim());
        }
        return new Shape(d);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape s && Arrays.equals(dims, s.dims);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims);
    }

    @Override
    public String toString() {
        return Arrays.toString(dims);
    }
}
