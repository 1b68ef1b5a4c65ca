package dev.graft.plugins.init;

import dev.graft.api.GraftApi;
import dev.graft.api.config.Default;
import dev.graft.api.config.Doc;
import dev.graft.api.init.Initializer;
import dev.graft.api.init.InitializerProvider;

/**
 * {@code normal}: values from a normal distribution with the given {@code mean} and {@code std}
 * (PyTorch's {@code normal_}, whose defaults are mean 0 and std 1), drawn by Marsaglia's polar method.
 */
public final class NormalProvider implements InitializerProvider<NormalProvider.Config> {

    /** Options of {@code normal}. */
    public record Config(@Doc("mean of the distribution") @Default("0.0") double mean,
                         @Doc("standard deviation of the distribution, > 0") @Default("1.0") double std) {
        public Config {
            Values.requireFinite("mean", mean);
            Values.requirePositive("std", std);
        }
    }

    public NormalProvider() {
    }

    @Override
    public String id() {
        return "normal";
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
        return "normal distribution N(mean, std^2)";
    }

    @Override
    public Initializer create(Config config) {
        return (count, fan, rng) -> Values.normal(count, config.mean(), config.std(), rng);
    }
}
