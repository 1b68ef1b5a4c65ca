package dev.graft.onnx.layers;

import dev.graft.api.Shape;
import org.nd4j.autodiff.samediff.SDVariable;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * NumPy / ONNX multidirectional broadcasting of per-example shapes, and the reshapes that make
 * SameDiff broadcast exactly that way: every operand is given the output's rank (leading 1s) with
 * its batch axis first, so SameDiff never has to align operands of different ranks.
 */
final class Broadcast {
    private Broadcast() {
    }

    /** The broadcast of {@code shapes} (aligned at their last axes), or an exception naming them. */
    static long[] shape(String id, List<long[]> shapes) {
        int rank = shapes.stream().mapToInt(s -> s.length).max().orElse(0);
        long[] out = new long[rank];
        Arrays.fill(out, 1);
        for (long[] s : shapes) {
            for (int i = 0; i < s.length; i++) {
                int o = rank - s.length + i;
                if (s[i] == out[o] || s[i] == 1) {
                    continue;
                }
                if (out[o] == 1) {
                    out[o] = s[i];
                } else {
                    throw new IllegalArgumentException(id + ": shapes " + shapes.stream().map(Arrays::toString)
                            .collect(Collectors.joining(", ")) + " do not broadcast (axis " + o + ": " + out[o] + " vs " + s[i] + ")");
                }
            }
        }
        return out;
    }

    /** {@code shape} with leading 1s up to {@code rank}. */
    static long[] pad(long[] shape, int rank) {
        long[] out = new long[rank];
        Arrays.fill(out, 1);
        System.arraycopy(shape, 0, out, rank - shape.length, shape.length);
        return out;
    }

    /** A batch {@code [batch, ...shape]} viewed with per-example rank {@code rank}. */
    static SDVariable batch(SDVariable x, Shape shape, int rank) {
        return shape.rank() == rank ? x : x.reshape(Shape.of(pad(shape.dims(), rank)).withBatch(-1));
    }

    /** A constant or parameter of shape {@code shape} viewed as {@code [1, ...shape padded to rank]}. */
    static SDVariable single(SDVariable c, long[] shape, int rank) {
        long[] r = new long[rank + 1];
        r[0] = 1;
        System.arraycopy(pad(shape, rank), 0, r, 1, rank);
        return c.reshape(r);
    }

    /** Parses a list of sizes from a config. */
    static long[] dims(String key, List<Long> values) {
        if (values == null || values.stream().anyMatch(v -> v == null || v <= 0)) {
            throw new IllegalArgumentException(key + " must be a list of positive sizes, got " + values);
        }
        return values.stream().mapToLong(Long::longValue).toArray();
    }
}
