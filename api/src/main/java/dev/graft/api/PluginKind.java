package dev.graft.api;

import dev.graft.api.data.DatasetProvider;
import dev.graft.api.data.TransformProvider;
import dev.graft.api.init.InitializerProvider;
import dev.graft.api.layer.LayerProvider;
import dev.graft.api.loss.LossProvider;
import dev.graft.api.metric.MetricProvider;
import dev.graft.api.optim.OptimizerProvider;
import dev.graft.api.augment.AugmentationProvider;
import dev.graft.api.schedule.ScheduleProvider;

import java.util.List;

/**
 * A kind of plugin: the service interface ServiceLoader looks up, and the name used in messages,
 * configs and {@code graft plugins}. Extensions (such as the ONNX bridge) define further kinds with
 * {@link #of(String, Class)}.
 *
 * @param name lower-case name of the kind, e.g. {@code layer}
 * @param type the service interface providers implement
 * @param <P>  the provider type
 */
public record PluginKind<P extends Plugin<?>>(String name, Class<P> type) {

    public static final PluginKind<LayerProvider<?>> LAYER = of("layer", LayerProvider.class);
    public static final PluginKind<LossProvider<?>> LOSS = of("loss", LossProvider.class);
    public static final PluginKind<OptimizerProvider<?>> OPTIMIZER = of("optimizer", OptimizerProvider.class);
    public static final PluginKind<DatasetProvider<?>> DATASET = of("dataset", DatasetProvider.class);
    public static final PluginKind<InitializerProvider<?>> INITIALIZER = of("initializer", InitializerProvider.class);
    public static final PluginKind<MetricProvider<?>> METRIC = of("metric", MetricProvider.class);
    public static final PluginKind<TransformProvider<?>> TRANSFORM = of("transform", TransformProvider.class);
    public static final PluginKind<ScheduleProvider<?>> SCHEDULE = of("schedule", ScheduleProvider.class);
    public static final PluginKind<AugmentationProvider<?>> AUGMENTATION = of("augmentation", AugmentationProvider.class);

    /** The kinds defined by the core API, in display order. */
    public static final List<PluginKind<?>> CORE = List.of(LAYER, LOSS, OPTIMIZER, SCHEDULE, DATASET, TRANSFORM,
            AUGMENTATION, INITIALIZER, METRIC);

    public PluginKind {
        if (name == null || !name.matches("[a-z][a-z0-9-]*")) {
            throw new IllegalArgumentException("plugin kind name must be lower-kebab-case, got '" + name + "'");
        }
        if (type == null || !Plugin.class.isAssignableFrom(type)) {
            throw new IllegalArgumentException("plugin kind type must extend Plugin: " + type);
        }
    }

    /** Creates a kind; used by extensions that add a new kind of plugin. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static <P extends Plugin<?>> PluginKind<P> of(String name, Class<?> type) {
        return new PluginKind(name, type);
    }

    @Override
    public String toString() {
        return name;
    }
}
