package dev.graft.plugins.layers;

import dev.graft.api.GraftApi;
import dev.graft.api.Shape;
import dev.graft.api.config.NoConfig;
import dev.graft.api.layer.Layer;
import dev.graft.api.layer.LayerContext;
import dev.graft.api.layer.LayerProvider;
import dev.graft.api.layer.ParamSpec;
import org.nd4j.autodiff.samediff.SDVariable;

import java.util.List;
import java.util.function.BiFunction;

/**
 * Shared shape of the option-less activation layers ({@code relu}, {@code sigmoid}, {@code tanh},
 * {@code softmax}, {@code silu}, {@code log-softmax}): one input of any shape, the same output shape,
 * no parameters, the same function in training and inference.
 */
abstract class ActivationProvider implements LayerProvider<NoConfig> {
    private final String id;
    private final String description;
    private final BiFunction<LayerContext, SDVariable, SDVariable> function;

    ActivationProvider(String id, String description, BiFunction<LayerContext, SDVariable, SDVariable> function) {
        this.id = id;
        this.description = description;
        this.function = function;
    }

    @Override
    public final String id() {
        return id;
    }

    @Override
    public final String version() {
        return "1.0.0";
    }

    @Override
    public final String apiVersion() {
        return GraftApi.VERSION;
    }

    @Override
    public final Class<NoConfig> configType() {
        return NoConfig.class;
    }

    @Override
    public final String description() {
        return description;
    }

    @Override
    public final Layer create(NoConfig config) {
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
                return function.apply(ctx, inputs.get(0));
            }
        };
    }
}
