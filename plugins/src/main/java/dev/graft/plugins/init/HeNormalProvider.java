package dev.graft.plugins.init;

import dev.graft.api.GraftApi;
import dev.graft.api.config.NoConfig;
import dev.graft.api.init.Initializer;
import dev.graft.api.init.InitializerProvider;

/**
 * {@code he-normal}: He et al. (2015) for ReLU layers, as PyTorch's
 * {@code kaiming_normal_(nonlinearity="relu", mode="fan_in")}: values from a normal distribution with
 * mean 0 and {@code std = sqrt(2 / fanIn)} (not truncated; Keras' {@code HeNormal} draws from a
 * truncated normal with the same variance).
 */
public final class HeNormalProvider implements InitializerProvider<NoConfig> {

    public HeNormalProvider() {
    }

    @Override
    public String id() {
        return "he-normal";
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
        return "He/Kaiming normal for ReLU: N(0, std^2), std = sqrt(2 / fan-in)";
    }

    @Override
    public Initializer create(NoConfig config) {
        return (count, fan, rng) -> Values.normal(count, 0, Math.sqrt(2.0 / fan.in()), rng);
    }
}
