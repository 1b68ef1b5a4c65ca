package dev.graft.plugins.transform;

import dev.graft.api.GraftApi;
import dev.graft.api.config.NoConfig;
import dev.graft.api.data.Transform;
import dev.graft.api.data.TransformProvider;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

/**
 * {@code standardize}: per feature {@code (x - mean) / std}, with the mean and the population
 * standard deviation (ddof 0) of the training rows, like scikit-learn's {@code StandardScaler}.
 * Examples of any shape are flattened, so every pixel of an image is its own feature. A feature
 * whose std is below 1e-8 is constant: its std is taken as 1, so it maps to 0 on the training data
 * (and to {@code x - mean} elsewhere) instead of dividing by almost nothing. State: {@code mean} and
 * {@code std}, float64 vectors with one value per feature.
 */
public final class StandardizeProvider implements TransformProvider<NoConfig> {

    public StandardizeProvider() {
    }

    @Override
    public String id() {
        return "standardize";
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
        return "per-feature (x - mean) / std fitted on the training rows; constant features map to 0";
    }

    @Override
    public Transform create(NoConfig config) {
        return new Transform() {
            @Override
            public Fitted fit(INDArray trainFeatures) {
                INDArray rows = PerFeature.rows(id(), trainFeatures);
                INDArray mean = rows.mean(0);
                INDArray std = PerFeature.nonZeroScale(rows.std(false, 0));
                return new PerFeature(id(), "mean", mean, "std", std);
            }

            @Override
            public Fitted restore(Map<String, INDArray> state) {
                return PerFeature.restore(id(), "mean", "std", state);
            }
        };
    }
}
