package dev.graft.plugins.metric;

import dev.graft.api.GraftApi;
import dev.graft.api.config.NoConfig;
import dev.graft.api.metric.MetricProvider;

/** Id, version and description of the option-less built-in metrics. */
abstract class MetricProviderBase implements MetricProvider<NoConfig> {
    private final String id;
    private final String description;

    MetricProviderBase(String id, String description) {
        this.id = id;
        this.description = description;
    }

    @Override
    public final String id() {
        return id;
    }

    @Override
    public final String version() {
        return "1.0.0";
    }

    @Override
    public final String apiVersion() {
        return GraftApi.VERSION;
    }

    @Override
    public final Class<NoConfig> configType() {
        return NoConfig.class;
    }

    @Override
    public final String description() {
        return description;
    }
}
