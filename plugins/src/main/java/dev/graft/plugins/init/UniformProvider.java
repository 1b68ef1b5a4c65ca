package dev.graft.plugins.init;

import dev.graft.api.GraftApi;
import dev.graft.api.config.Default;
import dev.graft.api.config.Doc;
import dev.graft.api.init.Initializer;
import dev.graft.api.init.InitializerProvider;

/**
 * {@code uniform}: values uniform on {@code [low, high)} (PyTorch's {@code uniform_}, whose defaults
 * are 0 and 1).
 */
public final class UniformProvider implements InitializerProvider<UniformProvider.Config> {

    /** Options of {@code uniform}. */
    public record Config(@Doc("lower bound (inclusive)") @Default("0.0") double low,
                         @Doc("upper bound (exclusive), greater than low") @Default("1.0") double high) {
        public Config {
            Values.requireFinite("low", low);
            Values.requireFinite("high", high);
            if (!(high > low)) {
                throw new IllegalArgumentException("high must be greater than low, got low = " + low + ", high = " + high);
            }
        }
    }

    public UniformProvider() {
    }

    @Override
    public String id() {
        return "uniform";
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
        return "uniform distribution U(low, high)";
    }

    @Override
    public Initializer create(Config config) {
        return (count, fan, rng) -> Values.uniform(count, config.low(), config.high(), rng);
    }
}
