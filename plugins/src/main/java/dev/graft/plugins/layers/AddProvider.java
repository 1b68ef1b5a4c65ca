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
import java.util.stream.Collectors;

/**
 * {@code add}: the element-wise sum of two or more inputs of the same shape, e.g. the skip connection
 * of a residual block ({@code inputs: [conv2, block_in]}). No broadcasting: every input must have
 * exactly the shape of the first. No parameters.
 */
public final class AddProvider implements LayerProvider<NoConfig> {

    public AddProvider() {
    }

    @Override
    public String id() {
        return "add";
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
        return "element-wise sum of two or more inputs of the same shape";
    }

    @Override
    public Layer create(NoConfig config) {
        return new Layer() {
            @Override
            public int arity() {
                return VARIADIC;
            }

            @Override
            public Shape outputShape(List<Shape> inputs) {
                if (inputs.size() < 2) {
                    throw new IllegalArgumentException("add needs at least 2 inputs, got " + inputs.size());
                }
                Shape first = inputs.get(0);
                if (inputs.stream().anyMatch(s -> !s.equals(first))) {
                    throw new IllegalArgumentException("add needs inputs of the same shape, got "
                            + inputs.stream().map(Shape::toString).collect(Collectors.joining(", ")));
                }
                return first;
            }

            @Override
            public List<ParamSpec> params(List<Shape> inputs) {
                outputShape(inputs);
                return List.of();
            }

            @Override
            public SDVariable forward(LayerContext ctx, List<SDVariable> inputs) {
                SDVariable sum = inputs.get(0).add(inputs.get(1));
                for (int i = 2; i < inputs.size(); i++) {
                    sum = sum.add(inputs.get(i));
                }
                return sum;
            }
        };
    }
}
