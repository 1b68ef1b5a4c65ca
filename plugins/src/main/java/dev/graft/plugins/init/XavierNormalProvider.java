package dev.graft.plugins.init;

import dev.graft.api.GraftApi;
import dev.graft.api.config.Default;
import dev.graft.api.config.Doc;
import dev.graft.api.init.Initializer;
import dev.graft.api.init.InitializerProvider;

/**
 * {@code xavier-normal}: Glorot and Bengio (2010), as PyTorch's {@code xavier_normal_}: values from a
 * normal distribution with mean 0 and {@code std = gain * sqrt(2 / (fanIn + fanOut))} (not truncated;
 * Keras' {@code GlorotNormal} truncates at two standard deviations).
 */
public final class XavierNormalProvider implements InitializerProvider<XavierNormalProvider.Config> {

    /** Options of this initializer. */
    public record Config(@Doc("scale factor for the activation that follows, e.g. 5/3 for tanh") @Default("1.0") double gain) {
        public Config {
            Values.requirePositive("gain", gain);
        }
    }

    public XavierNormalProvider() {
    }

    @Override
    public String id() {
        return "xavier-normal";
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
        return "Glorot/Xavier normal: N(0, std^2), std = gain * sqrt(2 / (fan-in + fan-out))";
    }

    @Override
    public Initializer create(Config config) {
        return (count, fan, rng) -> {
            double std = config.gain() * Math.sqrt(2.0 / (fan.in() + fan.out()));
            return Values.normal(count, 0, std, rng);
        };
    }
}
