package dev.graft.plugins.init;

import dev.graft.api.GraftApi;
import dev.graft.api.config.NoConfig;
import dev.graft.api.init.Initializer;
import dev.graft.api.init.InitializerProvider;

/**
 * {@code ones}: every value 1, e.g. for the scale of a normalisation layer.
 */
public final class OnesProvider implements InitializerProvider<NoConfig> {

    public OnesProvider() {
    }

    @Override
    public String id() {
        return "ones";
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
        return "all ones (e.g. a normalisation scale)";
    }

    @Override
    public Initializer create(NoConfig config) {
        return (count, fan, rng) -> Values.constant(count, 1.0);
    }
}
