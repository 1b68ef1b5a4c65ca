package dev.graft.plugins;

import dev.graft.api.Plugin;
import dev.graft.api.PluginKind;
import dev.graft.api.config.Default;
import dev.graft.api.config.NoConfig;
import dev.graft.testkit.ProviderContract;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Every provider listed in every services file follows the contract, and the id sets are the documented ones. */
class ProvidersTest {

    static final Map<PluginKind<?>, List<String>> EXPECTED = new LinkedHashMap<>();

    /**
     * Kinds whose list grows while their owners add plugins: for these the test checks that the listed
     * ids come first, in this order, and leaves later additions to the providers' own tests.
     */
    static final java.util.Set<PluginKind<?>> OPEN = java.util.Set.of(PluginKind.LAYER, PluginKind.INITIALIZER);

    static {
        EXPECTED.put(PluginKind.LAYER, List.of("dense", "relu", "leaky-relu", "sigmoid", "tanh", "softmax", "dropout", "flatten"));
        EXPECTED.put(PluginKind.LOSS, List.of("mse", "softmax-cross-entropy", "mae", "huber", "binary-cross-entropy", "nll"));
        EXPECTED.put(PluginKind.OPTIMIZER, List.of("sgd", "adam", "adamw", "rmsprop", "adagrad"));
        EXPECTED.put(PluginKind.SCHEDULE, List.of("constant", "step", "exponential", "cosine", "reduce-on-plateau"));
        EXPECTED.put(PluginKind.DATASET, List.of("csv", "idx", "digits"));
        EXPECTED.put(PluginKind.TRANSFORM, List.of("standardize", "min-max", "one-hot"));
        EXPECTED.put(PluginKind.AUGMENTATION, List.of("random-flip", "random-shift", "random-crop", "gaussian-noise"));
        EXPECTED.put(PluginKind.INITIALIZER, List.of("xavier-uniform", "xavier-normal", "he-uniform", "he-normal",
                "zeros", "ones", "constant", "normal", "uniform"));
        EXPECTED.put(PluginKind.METRIC, List.of("accuracy", "precision", "recall", "f1-macro", "mse", "mae",
                "top-k-accuracy", "f1-micro", "precision-micro", "recall-micro", "r2"));
    }

    @Test
    void everyServicesFileHoldsProvidersThatFollowTheContract() {
        assertThat(EXPECTED.keySet()).containsExactlyElementsOf(PluginKind.CORE);
        for (var e : EXPECTED.entrySet()) {
            List<Plugin<?>> found = ProviderContract.checkServices(e.getKey().type());
            if (OPEN.contains(e.getKey())) {
                assertThat(found).as(e.getKey().name()).extracting(Plugin::id).startsWith(e.getValue().toArray(String[]::new));
            } else {
                assertThat(found).as(e.getKey().name()).extracting(Plugin::id).containsExactlyElementsOf(e.getValue());
            }
        }
    }

    @Test
    void builtInsShareVersionAndLiveInThePluginsPackage() {
        for (PluginKind<?> kind : PluginKind.CORE) {
            for (Plugin<?> p : ProviderContract.checkServices(kind.type())) {
                assertThat(p.version()).as(p.id()).isEqualTo("1.0.0");
                assertThat(p.getClass().getPackageName()).startsWith("dev.graft.plugins.");
                assertThat(p.description()).as(p.id()).doesNotEndWith(".");
            }
        }
    }

    @Test
    void optionFreeProvidersUseNoConfig() {
        for (PluginKind<?> kind : PluginKind.CORE) {
            for (Plugin<?> p : ProviderContract.checkServices(kind.type())) {
                if (p.configType().getRecordComponents().length == 0) {
                    assertThat(p.configType()).as(p.id()).isEqualTo(NoConfig.class);
                }
            }
        }
    }

    /**
     * The declared defaults pass the config's own validation: every config whose components all have
     * defaults is built from them, converting the default texts the way the experiment-file binder does
     * for these simple types (and the configs of the other built-ins are checked by their own tests).
     */
    @Test
    void declaredDefaultsAreValid() throws ReflectiveOperationException {
        List<String> built = new java.util.ArrayList<>();
        for (PluginKind<?> kind : PluginKind.CORE) {
            for (Plugin<?> p : ProviderContract.checkServices(kind.type())) {
                RecordComponent[] components = p.configType().getRecordComponents();
                if (components.length == 0
                        || !Arrays.stream(components).allMatch(c -> c.isAnnotationPresent(Default.class))) {
                    continue;
                }
                Object[] args = new Object[components.length];
                Class<?>[] types = new Class<?>[components.length];
                for (int i = 0; i < components.length; i++) {
                    types[i] = components[i].getType();
                    args[i] = parse(components[i].getAnnotation(Default.class).value(), types[i], p.id());
                }
                Constructor<?> constructor = p.configType().getDeclaredConstructor(types);
                assertThat(constructor.newInstance(args)).as(p.id()).isNotNull();
                built.add(p.id());
            }
        }
        assertThat(built).contains("leaky-relu", "dropout", "adam", "digits", "xavier-uniform", "xavier-normal", "normal",
                "uniform", "softmax-cross-entropy", "huber", "binary-cross-entropy", "adamw", "rmsprop", "adagrad", "cosine",
                "reduce-on-plateau", "top-k-accuracy", "random-flip", "random-shift", "random-crop", "gaussian-noise");
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object parse(String text, Class<?> type, String id) {
        if (Default.NULL.equals(text)) {
            return null;
        }
        if (type == double.class) {
            return Double.parseDouble(text);
        }
        if (type == int.class) {
            return Integer.parseInt(text);
        }
        if (type == boolean.class) {
            assertThat(text).as(id).isIn("true", "false");
            return Boolean.parseBoolean(text);
        }
        if (type == String.class) {
            return text;
        }
        if (type.isEnum()) {
            return Enum.valueOf((Class<Enum>) type, text.toUpperCase(Locale.ROOT).replace('-', '_'));
        }
        throw new AssertionError(id + ": no conversion for a default of type " + type);
    }
}
