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

import java.util.List;

/**
 * {@code leaky-relu}: {@code x} for {@code x >= 0} and {@code alpha * x} below, element-wise, any
 * input shape (PyTorch's {@code LeakyReLU(negative_slope=alpha)}).
 */
public final class LeakyReluProvider implements LayerProvider<LeakyReluProvider.Config> {

    /** Options of {@code leaky-relu}. */
    public record Config(@Doc("slope for negative inputs") @Default("0.01") double alpha) {
        public Config {
            if (!(alpha >= 0) || Double.isInfinite(alpha)) {
                throw new IllegalArgumentException("alpha must be a finite number >= 0, got " + alpha);
            }
        }
    }

    public LeakyReluProvider() {
    }

    @Override
    public String id() {
        return "leaky-relu";
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
        return "leaky rectified linear unit: x if x >= 0, else alpha * x";
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
                return ctx.sd().nn().leakyRelu(inputs.get(0), config.alpha());
            }
        };
    }
}
