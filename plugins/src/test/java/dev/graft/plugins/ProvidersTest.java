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

    static {
        EXPECTED.put(PluginKind.LAYER, List.of("dense", "relu", "leaky-relu", "sigmoid", "tanh", "softmax", "dropout", "flatten"));
        EXPECTED.put(PluginKind.LOSS, List.of("mse", "softmax-cross-entropy"));
        EXPECTED.put(PluginKind.OPTIMIZER, List.of("sgd", "adam"));
        EXPECTED.put(PluginKind.DATASET, List.of("csv", "idx", "digits"));
        EXPECTED.put(PluginKind.INITIALIZER, List.of("xavier-uniform", "xavier-normal", "he-uniform", "he-normal",
                "zeros", "ones", "constant", "normal", "uniform"));
        EXPECTED.put(PluginKind.METRIC, List.of("accuracy", "precision", "recall", "f1-macro", "mse", "mae"));
        EXPECTED.put(PluginKind.TRANSFORM, List.of("standardize", "min-max"));
    }

    @Test
    void everyServicesFileHoldsProvidersThatFollowTheContract() {
        assertThat(EXPECTED.keySet()).containsExactlyElementsOf(PluginKind.CORE);
        for (var e : EXPECTED.entrySet()) {
            List<Plugin<?>> found = ProviderContract.checkServices(e.getKey().type());
            assertThat(found).as(e.getKey().name()).extracting(Plugin::id).containsExactlyElementsOf(e.getValue());
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
     * for these simple types.
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
        assertThat(built).containsExactlyInAnyOrder("leaky-relu", "dropout", "adam", "digits", "xavier-uniform",
                "xavier-normal", "normal", "uniform");
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
            return Enum.valueOf((Class<Enum>) type, text.toUpperCase(Locale.ROOT));
        }
        throw new AssertionError(id + ": no conversion for a default of type " + type);
    }
}
