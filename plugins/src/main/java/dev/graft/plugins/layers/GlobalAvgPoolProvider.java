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

/**
 * {@code global-avg-pool}: the mean over every axis after the first, {@code [C, H, W] -> [C]} for
 * images and {@code [C, L] -> [C]} for channel-first sequences (PyTorch's
 * {@code AdaptiveAvgPool2d(1)} followed by a flatten; ONNX's {@code GlobalAveragePool} and a flatten).
 * The input must have at least two axes. No parameters.
 */
public final class GlobalAvgPoolProvider implements LayerProvider<NoConfig> {

    public GlobalAvgPoolProvider() {
    }

    @Override
    public String id() {
        return "global-avg-pool";
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
        return "mean over all axes after the first: [C, H, W] or [C, L] -> [C]";
    }

    @Override
    public Layer create(NoConfig config) {
        return new Layer() {
            private Shape check(List<Shape> inputs) {
                Shape in = inputs.get(0);
                if (in.rank() < 2) {
                    throw new IllegalArgumentException("global-avg-pool expects [channels, ...spatial axes], such as"
                            + " [channels, height, width], got " + in);
                }
                return in;
            }

            @Override
            public Shape outputShape(List<Shape> inputs) {
                return Shape.of(check(inputs).dim(0));
            }

            @Override
            public List<ParamSpec> params(List<Shape> inputs) {
                check(inputs);
                return List.of();
            }

            @Override
            public SDVariable forward(LayerContext ctx, List<SDVariable> inputs) {
                Shape in = check(ctx.inputShapes());
                long channels = in.dim(0);
                // [batch, C, spatial, 1] reduced over axes 2 and 3: one code path for every rank, and never a
                // reduction along a single axis of size 1, which ND4J 1.0.0-M2.1 cannot do
                return inputs.get(0).reshape(-1, channels, in.size() / channels, 1).mean(2, 3);
            }
        };
    }
}
