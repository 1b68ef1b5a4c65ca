package dev.graft.plugins.init;

import dev.graft.api.GraftApi;
import dev.graft.api.config.NoConfig;
import dev.graft.api.init.Initializer;
import dev.graft.api.init.InitializerProvider;

/**
 * {@code he-uniform}: He et al. (2015) for ReLU layers, as Keras' {@code HeUniform} and PyTorch's
 * {@code kaiming_uniform_(nonlinearity="relu", mode="fan_in")}: values uniform on {@code [-a, a)} with
 * {@code a = sqrt(6 / fanIn)}, so the variance is {@code 2 / fanIn}.
 */
public final class HeUniformProvider implements InitializerProvider<NoConfig> {

    public HeUniformProvider() {
    }

    @Override
    public String id() {
        return "he-uniform";
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
        return "He/Kaiming uniform for ReLU: U(-a, a), a = sqrt(6 / fan-in)";
    }

    @Override
    public Initializer create(NoConfig config) {
        return (count, fan, rng) -> {
            double a = Math.sqrt(6.0 / fan.in());
            return Values.uniform(count, -a, a, rng);
        };
    }
}
