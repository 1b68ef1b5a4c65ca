package dev.graft.plugins.init;

import dev.graft.api.GraftApi;
import dev.graft.api.config.Default;
import dev.graft.api.config.Doc;
import dev.graft.api.init.Initializer;
import dev.graft.api.init.InitializerProvider;

/**
 * {@code xavier-uniform}: Glorot and Bengio (2010), as PyTorch's {@code xavier_uniform_} and Keras'
 * {@code GlorotUniform}: values uniform on {@code [-a, a)} with
 * {@code a = gain * sqrt(6 / (fanIn + fanOut))}, so the variance is {@code gain^2 * 2 / (fanIn + fanOut)}.
 */
public final class XavierUniformProvider implements InitializerProvider<XavierUniformProvider.Config> {

    /** Options of this initializer. */
    public record Config(@Doc("scale factor for the activation that follows, e.g. 5/3 for tanh") @Default("1.0") double gain) {
        public Config {
            Values.requirePositive("gain", gain);
        }
    }

    public XavierUniformProvider() {
    }

    @Override
    public String id() {
        return "xavier-uniform";
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
        return "Glorot/Xavier uniform: U(-a, a), a = gain * sqrt(6 / (fan-in + fan-out))";
    }

    @Override
    public Initializer create(Config config) {
        return (count, fan, rng) -> {
            double a = config.gain() * Math.sqrt(6.0 / (fan.in() + fan.out()));
            return Values.uniform(count, -a, a, rng);
        };
    }
}
