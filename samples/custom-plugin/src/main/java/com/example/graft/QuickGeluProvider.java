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
 * A third-party layer for {@link QuickGeluConverter} to import ONNX Runtime's {@code QuickGelu} onto:
 * the sigmoid approximation of GELU, {@code x * sigmoid(alpha * x)} (default {@code alpha = 1.702},
 * as in ONNX Runtime and in CLIP's PyTorch code).
 */
public final class QuickGeluProvider implements LayerProvider<QuickGeluProvider.Config> {

    /** Options: {@code alpha}. */
    public record Config(@Doc("slope inside the sigmoid") @Default("1.702") double alpha) {
        public Config {
            if (!Double.isFinite(alpha)) {
                throw new IllegalArgumentException("alpha must be finite, got " + alpha);
            }
        }
    }

    @Override
    public String id() {
        return "quick-gelu";
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
        return "quick GELU: x * sigmoid(alpha * x)";
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
                SDVariable x = inputs.get(0);
                return x.mul(ctx.sd().nn().sigmoid(x.mul(c.alpha())));
            }
        };
    }
}
