package dev.graft.plugins.transform;

import dev.graft.api.data.Transform;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A fitted per-feature affine transform {@code (x - offset) / scale}. Examples of any shape are
 * flattened to {@code d} features each; {@code offset} and {@code scale} are float64 vectors of
 * length {@code d}, saved under the given keys.
 */
final class PerFeature implements Transform.Fitted {
    /** Spreads (std or range) below this count as 0: the feature is constant. */
    static final double CONSTANT_BELOW = 1e-8;

    private final String id;
    private final String offsetKey;
    private final String scaleKey;
    private final INDArray offset;
    private final INDArray scale;

    PerFeature(String id, String offsetKey, INDArray offset, String scaleKey, INDArray scale) {
        this.id = id;
        this.offsetKey = offsetKey;
        this.scaleKey = scaleKey;
        this.offset = offset;
        this.scale = scale;
    }

    /** The training features as float64 {@code [n, d]}. */
    static INDArray rows(String id, INDArray features) {
        if (features.rank() < 1 || features.size(0) == 0) {
            throw new IllegalArgumentException(id + " cannot be fitted on an empty training set");
        }
        long n = features.size(0);
        return features.castTo(DataType.DOUBLE).reshape('c', n, features.length() / n);
    }

    /** Replaces spreads below {@link #CONSTANT_BELOW} by 1, so constant features map to {@code x - offset}. */
    static INDArray nonZeroScale(INDArray spread) {
        double[] s = spread.toDoubleVector();
        for (int i = 0; i < s.length; i++) {
            if (!(s[i] >= CONSTANT_BELOW)) {
                s[i] = 1.0;
            }
        }
        return Nd4j.createFromArray(s);
    }

    /** Restores from saved state, checking the keys and shapes. */
    static PerFeature restore(String id, String offsetKey, String scaleKey, Map<String, INDArray> state) {
        if (!state.keySet().equals(java.util.Set.of(offsetKey, scaleKey))) {
            throw new IllegalArgumentException(id + " state must have exactly the keys '" + offsetKey + "' and '"
                    + scaleKey + "', got " + state.keySet());
        }
        INDArray offset = state.get(offsetKey);
        INDArray scale = state.get(scaleKey);
        if (offset.length() != scale.length()) {
            throw new IllegalArgumentException(id + " state '" + offsetKey + "' has " + offset.length() + " values but '"
                    + scaleKey + "' has " + scale.length());
        }
        INDArray s = scale.castTo(DataType.DOUBLE).reshape(scale.length());
        for (double v : s.toDoubleVector()) {
            if (!(v > 0) || Double.isInfinite(v)) {
                throw new IllegalArgumentException(id + " state '" + scaleKey + "' must hold finite positive values, found " + v);
            }
        }
        return new PerFeature(id, offsetKey, offset.castTo(DataType.DOUBLE).reshape(offset.length()).dup(), scaleKey, s.dup());
    }

    @Override
    public INDArray apply(INDArray features) {
        long n = features.size(0);
        long d = n == 0 ? offset.length() : features.length() / n;
        if (d != offset.length()) {
            throw new IllegalArgumentException(id + " was fitted on examples of " + offset.length()
                    + " values, got examples of shape " + Arrays.toString(Arrays.copyOfRange(features.shape(), 1, features.rank()))
                    + " (" + d + " values)");
        }
        if (n == 0) {
            return features.dup();
        }
        INDArray flat = features.castTo(DataType.DOUBLE).reshape('c', n, d);
        INDArray out = flat.subRowVector(offset).diviRowVector(scale);
        return out.castTo(features.dataType()).reshape('c', features.shape());
    }

    @Override
    public Map<String, INDArray> state() {
        Map<String, INDArray> s = new LinkedHashMap<>();
        s.put(offsetKey, offset.dup());
        s.put(scaleKey, scale.dup());
        return s;
    }
}
