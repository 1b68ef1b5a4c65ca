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
 * A third-party layer for {@link SeluConverter} to import ONNX's {@code Selu} onto: the scaled
 * exponential linear unit, {@code gamma * x} for {@code x > 0} and {@code gamma * alpha * (exp(x) - 1)}
 * otherwise (defaults: ONNX's and PyTorch's constants). Written as
 * {@code gamma * (relu(x) + alpha * (exp(-relu(-x)) - 1))}, whose SameDiff gradient passes the
 * finite-difference check.
 */
public final class SeluProvider implements LayerProvider<SeluProvider.Config> {

    /** Options: {@code alpha} and {@code gamma}. */
    public record Config(@Doc("scale of the negative part") @Default("1.6732632423543772") double alpha,
                         @Doc("scale of the whole output") @Default("1.0507009873554805") double gamma) {
        public Config {
            if (!(alpha >= 0) || !(gamma > 0) || Double.isInfinite(alpha) || Double.isInfinite(gamma)) {
                throw new IllegalArgumentException("alpha must be >= 0 and gamma > 0 (both finite), got " + alpha + " and " + gamma);
            }
        }
    }

    @Override
    public String id() {
        return "selu";
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
        return "scaled exponential linear unit: gamma * (x > 0 ? x : alpha * (exp(x) - 1))";
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
                SDVariable positive = ctx.sd().nn().relu(x, 0);
                SDVariable negative = ctx.sd().math().exp(ctx.sd().nn().relu(x.neg(), 0).neg()).sub(1.0).mul(c.alpha());
                return positive.add(negative).mul(c.gamma());
            }
        };
    }
}
