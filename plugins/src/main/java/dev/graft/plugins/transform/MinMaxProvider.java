package dev.graft.plugins.transform;

import dev.graft.api.GraftApi;
import dev.graft.api.config.NoConfig;
import dev.graft.api.data.Transform;
import dev.graft.api.data.TransformProvider;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

/**
 * {@code min-max}: per feature {@code (x - min) / (max - min)} with the minimum and maximum of the
 * training rows, so training features land in [0, 1] (later data may fall outside), like
 * scikit-learn's {@code MinMaxScaler}. Examples of any shape are flattened. A feature whose range is
 * below 1e-8 is constant: its range is taken as 1, so it maps to 0 on the training data. State:
 * {@code min} and {@code range}, float64 vectors with one value per feature.
 */
public final class MinMaxProvider implements TransformProvider<NoConfig> {

    public MinMaxProvider() {
    }

    @Override
    public String id() {
        return "min-max";
    }

    @Override
    public String version() {
        return "1.0.0";
    }

    @Override
    public String apiVersion() {
        return GraftApi.VERSION;
    }

    @Override
    public Class<NoConfig> configType() {
        return NoConfig.class;
    }

    @Override
    public String description() {
        return "per-feature scaling to [0, 1] by the training minimum and maximum; constant features map to 0";
    }

    @Override
    public Transform create(NoConfig config) {
        return new Transform() {
            @Override
            public Fitted fit(INDArray trainFeatures) {
                INDArray rows = PerFeature.rows(id(), trainFeatures);
                INDArray min = rows.min(0);
                INDArray range = PerFeature.nonZeroScale(rows.max(0).sub(min));
                return new PerFeature(id(), "min", min, "range", range);
            }

            @Override
            public Fitted restore(Map<String, INDArray> state) {
                return PerFeature.restore(id(), "min", "range", state);
            }
        };
    }
}
