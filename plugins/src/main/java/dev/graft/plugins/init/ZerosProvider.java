package dev.graft.plugins.init;

import dev.graft.api.GraftApi;
import dev.graft.api.config.NoConfig;
import dev.graft.api.init.Initializer;
import dev.graft.api.init.InitializerProvider;

/**
 * {@code zeros}: every value 0, the usual bias initializer.
 */
public final class ZerosProvider implements InitializerProvider<NoConfig> {

    public ZerosProvider() {
    }

    @Override
    public String id() {
        return "zeros";
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
        return "all zeros (the usual bias initializer)";
    }

    @Override
    public Initializer create(NoConfig config) {
        return (count, fan, rng) -> Values.array(count);
    }
}
