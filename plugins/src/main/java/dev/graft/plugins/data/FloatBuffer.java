package dev.graft.plugins.data;

import java.util.Arrays;

/** A growable float array. */
final class FloatBuffer {
    private float[] data = new float[1024];
    private int size;

    void add(float v) {
        if (size == data.length) {
            if (data.length >= Integer.MAX_VALUE - 8) {
                throw new IllegalStateException("more than " + (Integer.MAX_VALUE - 8) + " values");
            }
            data = Arrays.copyOf(data, (int) Math.min(Integer.MAX_VALUE - 8L, data.length * 2L));
        }
        data[size++] = v;
    }

    int size() {
        return size;
    }

    float[] toArray() {
        return Arrays.copyOf(data, size);
    }
}
