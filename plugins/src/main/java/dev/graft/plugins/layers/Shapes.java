package dev.graft.plugins.layers;

import dev.graft.api.Shape;
import org.nd4j.autodiff.samediff.SDVariable;

import java.util.Arrays;

/** Helpers for layers that need their input shape inside {@code forward}. */
final class Shapes {
    private Shapes() {
    }

    /**
     * The per-example shape of {@code x}: the shape the layer was built with (from {@code outputShape}
     * or {@code params}, which Graft calls before {@code forward}), else the static shape SameDiff
     * knows for {@code x} without its batch dimension.
     *
     * @throws IllegalStateException if neither is known
     */
    static Shape perExample(Shape built, SDVariable x, String layer, String node) {
        if (built != null) {
            return built;
        }
        long[] s = x.getShape();
        if (s != null && s.length >= 2 && Arrays.stream(s, 1, s.length).allMatch(d -> d > 0)) {
            return Shape.of(Arrays.copyOfRange(s, 1, s.length));
        }
        throw new IllegalStateException(layer + " node " + node + ": the input shape is unknown; outputShape(...)"
                + " must be called before forward(...)");
    }
}
