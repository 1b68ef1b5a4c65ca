package dev.graft.onnx;

import dev.graft.runtime.GraftException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * Opens {@link InferenceEngine}s; found with {@link ServiceLoader}. A jar offers an engine by listing
 * its factory class in {@code META-INF/services/dev.graft.onnx.InferenceEngineFactory}; the factory
 * needs a public no-argument constructor.
 *
 * <p>Names in use: {@code ort} (ONNX Runtime, in this module) and {@code native} (Graft's importer).
 * Names are lower-kebab-case and unique: two factories with one name are an error naming both classes,
 * never a silent pick.
 */
public interface InferenceEngineFactory {

    /** The engine's name, as {@code graft onnx-test --engine NAME} spells it. */
    String name();

    /**
     * Loads the model and returns an engine ready to {@link InferenceEngine#run run} it.
     *
     * @throws GraftException code {@code MODEL} for a file that is not a loadable model; {@link
     *     UnsupportedOpsException} when the engine cannot run some of its operators
     */
    InferenceEngine open(Path model);

    /**
     * How to open a model; an engine ignores what does not apply to it (ONNX Runtime needs none of it).
     *
     * @param batchAxis   which axis of the data is the batch, for engines that need to know (the native
     *                    engine); {@link dev.graft.onnx.imports.BatchAxis#AUTO} lets the engine decide
     * @param knownInputs values of integer inputs known ahead, by name, that an engine with static
     *                    shapes may fold into constants where it needs constants (a {@code Reshape}
     *                    target, say); it then lists them in {@link InferenceEngine#folded()} and checks
     *                    at every run that it is fed these values
     */
    record OpenOptions(dev.graft.onnx.imports.BatchAxis batchAxis, Map<String, org.nd4j.linalg.api.ndarray.INDArray> knownInputs) {
        /** The defaults: the engine decides the batch axis, nothing is known ahead. */
        public static final OpenOptions DEFAULT = new OpenOptions(dev.graft.onnx.imports.BatchAxis.AUTO, Map.of());

        public OpenOptions {
            java.util.Objects.requireNonNull(batchAxis, "batchAxis");
            knownInputs = knownInputs == null ? Map.of() : Map.copyOf(knownInputs);
        }
    }

    /** Loads the model with options; the default ignores them and calls {@link #open(Path)}. */
    default InferenceEngine open(Path model, OpenOptions options) {
        return open(model);
    }

    /**
     * What {@link ServiceLoader} found: the factories by name, in discovery order, and the providers
     * that could not be instantiated (reported, not fatal; the others still load).
     */
    record Discovery(Map<String, InferenceEngineFactory> factories, List<String> broken) {
        public Discovery {
            factories = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(factories));
            broken = List.copyOf(broken);
        }
    }

    /**
     * Every factory the loader's service files list.
     *
     * @throws GraftException code {@code PLUGIN} when two factories share a name (both classes named)
     */
    static Discovery discover(ClassLoader loader) {
        Map<String, InferenceEngineFactory> byName = new LinkedHashMap<>();
        List<String> broken = new ArrayList<>();
        List<String> conflicts = new ArrayList<>();
        Iterator<InferenceEngineFactory> it = ServiceLoader.load(InferenceEngineFactory.class, loader).iterator();
        while (true) {
            InferenceEngineFactory f;
            try {
                if (!it.hasNext()) {
                    break;
                }
                f = it.next();
            } catch (ServiceConfigurationError e) {
                broken.add(e.getMessage() + (e.getCause() == null ? "" : " (" + e.getCause() + ")"));
                continue;
            }
            InferenceEngineFactory prev = byName.putIfAbsent(f.name(), f);
            if (prev != null) {
                conflicts.add("'" + f.name() + "' is offered by both " + prev.getClass().getName() + " and " + f.getClass().getName());
            }
        }
        if (!conflicts.isEmpty()) {
            throw new GraftException(GraftException.Code.PLUGIN, "two inference engines share a name:", conflicts, null);
        }
        return new Discovery(byName, broken);
    }

    /** The factory with this name, if one is on the loader's class path. */
    static Optional<InferenceEngineFactory> find(String name, ClassLoader loader) {
        return Optional.ofNullable(discover(loader).factories().get(name));
    }
}
