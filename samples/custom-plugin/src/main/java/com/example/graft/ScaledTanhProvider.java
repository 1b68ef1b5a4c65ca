package com.example.graft;

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
 * A third-party layer: LeCun's scaled hyperbolic tangent, {@code y = amplitude * tanh(slope * x)}
 * (defaults 1.7159 and 2/3). Written against graft-api alone; registered in
 * {@code META-INF/services/dev.graft.api.layer.LayerProvider}.
 */
public final class ScaledTanhProvider implements LayerProvider<ScaledTanhProvider.Config> {

    /** Options: {@code amplitude} and {@code slope}. */
    public record Config(@Doc("output scale") @Default("1.7159") double amplitude,
                         @Doc("input scale") @Default("0.6666666666666666") double slope) {
        public Config {
            if (!(amplitude > 0) || !(slope > 0)) {
                throw new IllegalArgumentException("amplitude and slope must be positive, got " + amplitude + " and " + slope);
            }
        }
    }

    @Override
    public String id() {
        return "scaled-tanh";
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
        return "LeCun's scaled tanh: amplitude * tanh(slope * x)";
    }

    @Override
    public Layer create(Config c) {
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
                return ctx.sd().math().tanh(inputs.get(0).mul(c.slope())).mul(c.amplitude());
            }
        };
    }
}
