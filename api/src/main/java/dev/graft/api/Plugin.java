package dev.graft.api;

/**
 * What every Graft plugin provider has in common.
 *
 * <p>A provider is a small factory class that Graft discovers with {@link java.util.ServiceLoader}
 * and constructs with Guice (so it may have an {@code @Inject} constructor; a public no-argument
 * constructor works too). It names itself with a stable {@link #id()}, says which {@link #version()}
 * it is and which {@link #apiVersion()} it was built for, and declares a {@link #configType() config
 * record}: the typed, validated options a user writes in an experiment file.
 *
 * <h2>Writing a plugin</h2>
 * <ol>
 *   <li>Pick a kind: {@link dev.graft.api.layer.LayerProvider}, {@link dev.graft.api.loss.LossProvider},
 *       {@link dev.graft.api.optim.OptimizerProvider}, {@link dev.graft.api.data.DatasetProvider},
 *       {@link dev.graft.api.init.InitializerProvider}, {@link dev.graft.api.metric.MetricProvider} or
 *       {@link dev.graft.api.data.TransformProvider}.</li>
 *   <li>Write the config as a Java {@code record}. Each component is one key in the experiment file,
 *       spelt in kebab-case ({@code useBias} is {@code use-bias}). Components without
 *       {@link dev.graft.api.config.Default @Default} are required. Validate in the compact
 *       constructor and throw {@link IllegalArgumentException} with a message that says what is
 *       allowed; Graft adds the key path and the value. A plugin without options uses
 *       {@link dev.graft.api.config.NoConfig}.</li>
 *   <li>Implement the provider, returning {@link GraftApi#VERSION} from {@link #apiVersion()}.</li>
 *   <li>List the provider class in {@code META-INF/services/<kind interface>} of your jar, and put the
 *       jar on the class path or in a plugin directory ({@code graft --plugins DIR} or
 *       {@code GRAFT_PLUGIN_PATH}).</li>
 * </ol>
 * Ids are unique per kind: two providers of the same kind and id are a hard error naming both jars.
 *
 * @param <C> the config record type
 */
public interface Plugin<C extends Record> {

    /** Stable, lower-kebab-case id users write in configs, e.g. {@code dense} or {@code leaky-relu}. */
    String id();

    /** Version of this provider, e.g. {@code 1.0.0}; saved in model files beside the id. */
    String version();

    /**
     * The Graft API version this provider was compiled against. Implement it as
     * {@code return GraftApi.VERSION;} so the constant is captured at compile time.
     */
    String apiVersion();

    /** The record type holding this provider's options. */
    Class<C> configType();

    /** One line saying what the plugin does; shown by {@code graft plugins}. */
    String description();
}
