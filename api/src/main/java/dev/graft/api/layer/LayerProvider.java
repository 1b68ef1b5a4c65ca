package dev.graft.api.layer;

import dev.graft.api.Plugin;

/**
 * A layer plugin: a factory of {@link Layer}s from a validated config record.
 *
 * <h2>A complete example</h2>
 * <pre>{@code
 * public final class ScaleLayerProvider implements LayerProvider<ScaleLayerProvider.Config> {
 *     public record Config(@Doc("multiplier") @Default("2.0") double factor) {}
 *
 *     public String id() { return "scale"; }
 *     public String version() { return "1.0.0"; }
 *     public String apiVersion() { return GraftApi.VERSION; }
 *     public Class<Config> configType() { return Config.class; }
 *     public String description() { return "multiplies its input by a constant"; }
 *
 *     public Layer create(Config c) {
 *         return new Layer() {
 *             public Shape outputShape(List<Shape> in) { return in.get(0); }
 *             public List<ParamSpec> params(List<Shape> in) { return List.of(); }
 *             public SDVariable forward(LayerContext ctx, List<SDVariable> in) {
 *                 return in.get(0).mul(c.factor());
 *             }
 *         };
 *     }
 * }
 * }</pre>
 * Register it in {@code META-INF/services/dev.graft.api.layer.LayerProvider}.
 *
 * @param <C> the config record
 */
public interface LayerProvider<C extends Record> extends Plugin<C> {
    /** Creates a layer for one node of a model. Called once per node; the config is already valid. */
    Layer create(C config);
}
