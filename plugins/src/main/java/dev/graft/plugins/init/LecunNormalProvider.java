package dev.graft.plugins.init;

import dev.graft.api.GraftApi;
import dev.graft.api.config.NoConfig;
import dev.graft.api.init.Initializer;
import dev.graft.api.init.InitializerProvider;

/**
 * {@code lecun-normal}: LeCun et al. (1998), the initializer for SELU networks: values from a normal
 * distribution with mean 0 and {@code std = 1 / sqrt(fanIn)}, so the variance is {@code 1 / fanIn}. Not
 * truncated (Keras' {@code LecunNormal} truncates at two standard deviations and rescales; PyTorch has
 * no named equivalent, it is {@code normal_(0, 1 / sqrt(fan_in))}).
 */
public final class LecunNormalProvider implements InitializerProvider<NoConfig> {

    public LecunNormalProvider() {
    }

    @Override
    public String id() {
        return "lecun-normal";
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
        return "LeCun normal: N(0, std^2), std = 1 / sqrt(fan-in)";
    }

    @Override
    public Initializer create(NoConfig config) {
        return (count, fan, rng) -> Values.normal(count, 0, 1 / Math.sqrt(fan.in()), rng);
    }
}
