package dev.graft.plugins.layers;

import dev.graft.api.GraftApi;
import dev.graft.api.Shape;
import dev.graft.api.config.Default;
import dev.graft.api.config.Doc;
import dev.graft.api.layer.Layer;
import dev.graft.api.layer.LayerContext;
import dev.graft.api.layer.LayerProvider;
import dev.graft.api.layer.ParamSpec;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

import java.util.List;

/**
 * {@code elu}: the exponential linear unit, {@code x} for {@code x > 0} and
 * {@code alpha * (exp(x) - 1)} otherwise, element-wise, any input shape (PyTorch's
 * {@code nn.ELU(alpha)}). Computed as {@code relu(x) + alpha * (exp(x - relu(x)) - 1)}, which is the
 * same function for every {@code alpha} and keeps {@code exp} from overflowing for large {@code x}.
 */
public final class EluProvider implements LayerProvider<EluProvider.Config> {

    /** Options of {@code elu}. */
    public record Config(@Doc("scale of the negative part; the output tends to -alpha for very negative x")
                         @Default("1.0") double alpha) {
        public Config {
            if (!(alpha >= 0) || Double.isInfinite(alpha)) {
                throw new IllegalArgumentException("alpha must be a finite number >= 0, got " + alpha);
            }
        }
    }

    public EluProvider() {
    }

    @Override
    public String id() {
        return "elu";
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
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public String description() {
        return "exponential linear unit: x if x > 0, else alpha * (exp(x) - 1)";
    }

    @Override
    public Layer create(Config config) {
        return new Layer() {
            @Override
            public Shape outputShape(List<Shape> inputs) {
                return inputs.get(0);
            }

            @Override
            public List<ParamSpec> params(List<Shape> inputs) {
                return List.of();
            }

            @Override
            public SDVariable forward(LayerContext ctx, List<SDVariable> inputs) {
                SameDiff sd = ctx.sd();
                SDVariable x = inputs.get(0);
                SDVariable positive = sd.nn().relu(x, 0);
                SDVariable negative = x.sub(positive);
                return positive.add(sd.math().exp(negative).sub(1.0).mul(config.alpha()));
            }
        };
    }
}
