package dev.graft.plugins.init;

import dev.graft.api.GraftApi;
import dev.graft.api.config.Doc;
import dev.graft.api.init.Initializer;
import dev.graft.api.init.InitializerProvider;

/**
 * {@code constant}: every value equal to {@code value} (PyTorch's {@code constant_}).
 */
public final class ConstantProvider implements InitializerProvider<ConstantProvider.Config> {

    /** Options of {@code constant}. */
    public record Config(@Doc("the value of every element") double value) {
        public Config {
            Values.requireFinite("value", value);
        }
    }

    public ConstantProvider() {
    }

    @Override
    public String id() {
        return "constant";
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
        return "every value set to a constant";
    }

    @Override
    public Initializer create(Config config) {
        return (count, fan, rng) -> Values.constant(count, config.value());
    }
}
