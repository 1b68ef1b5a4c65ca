package dev.graft.runtime;

import dev.graft.runtime.config.Experiment;
import dev.graft.runtime.config.ExperimentParser;
import dev.graft.runtime.config.RecordBinder;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds an experiment in code. It produces the same config tree a file would, so it is checked
 * the same way. Plugin options are given as a map or as the plugin's config record.
 *
 * <pre>{@code
 * Experiment exp = ExperimentBuilder.create("digits-mlp")
 *         .dataset("digits")
 *         .layer("dense", Map.of("units", 64)).layer("relu").layer("dense", Map.of("units", 10))
 *         .loss("softmax-cross-entropy")
 *         .optimizer("adam", Map.of("lr", 0.01))
 *         .training(Map.of("epochs", 30, "batch-size", 64))
 *         .build();
 * }</pre>
 *
 * <p>For fine-tuning, {@link #base} names the pretrained model; the layers then form the head, and the
 * first one reads the base's output:
 * <pre>{@code
 * ExperimentBuilder.create("fashion-5-9")
 *         .dataset("idx", Map.of("images", "...", "labels", "...", "classes", List.of(5, 6, 7, 8, 9)))
 *         .base("pretrained.onnx", Map.of("cut-at", "Relu_2", "freeze", List.of("*")))
 *         .layer("dense", Map.of("units", 5))
 *         ...
 * }</pre>
 */
public final class ExperimentBuilder {
    private final String name;
    private final Map<String, Object> data = new LinkedHashMap<>();
    private final List<Object> layers = new ArrayList<>();
    private final Map<String, Object> training = new LinkedHashMap<>();
    private Map<String, Object> base;
    private Object loss;
    private Object optimizer;
    private String output;
    private Path baseDir = Path.of("").toAbsolutePath();
    private Path outputDir;

    private ExperimentBuilder(String name) {
        this.name = name;
    }

    public static ExperimentBuilder create(String name) {
        return new ExperimentBuilder(name);
    }

    private static Object ref(String id, Object options) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", id);
        if (options instanceof Record r) {
            m.putAll(RecordBinder.unbind(r));
        } else if (options instanceof Map<?, ?> o) {
            o.forEach((k, v) -> m.put(String.valueOf(k), v));
        } else if (options != null) {
            throw new IllegalArgumentException("options must be a Map or a config record, got " + options.getClass().getName());
        }
        return m;
    }

    public ExperimentBuilder dataset(String id) {
        return dataset(id, null);
    }

    public ExperimentBuilder dataset(String id, Object options) {
        data.put("dataset", ref(id, options));
        return this;
    }

    /** Sets data keys other than the dataset: {@code test-split}, {@code stratify}, {@code transforms}. */
    public ExperimentBuilder data(String key, Object value) {
        data.put(key, value);
        return this;
    }

    public ExperimentBuilder layer(String id) {
        return layer(id, null);
    }

    /** Appends a layer fed by the previous one. */
    public ExperimentBuilder layer(String id, Object options) {
        layers.add(ref(id, options));
        return this;
    }

    /** Appends a named node with explicit inputs (for branches and skip connections). */
    @SuppressWarnings("unchecked")
    public ExperimentBuilder node(String name, String id, Object options, String... inputs) {
        Map<String, Object> m = (Map<String, Object>) ref(id, options);
        m.put("name", name);
        m.put("inputs", List.of(inputs));
        layers.add(m);
        return this;
    }

    /**
     * Fine-tunes a pretrained ONNX model (relative paths start at {@link #baseDir}); the options are the
     * other keys of the {@code base} section ({@code cut-at}, {@code freeze}, {@code freeze-all-but-last},
     * {@code batch-norm}, {@code lr}). The layers added with {@link #layer} become the head.
     */
    public ExperimentBuilder base(String onnx, Map<String, ?> options) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("onnx", onnx);
        if (options != null) {
            options.forEach(m::put);
        }
        this.base = m;
        return this;
    }

    public ExperimentBuilder output(String node) {
        this.output = node;
        return this;
    }

    public ExperimentBuilder loss(String id) {
        return loss(id, null);
    }

    public ExperimentBuilder loss(String id, Object options) {
        this.loss = ref(id, options);
        return this;
    }

    public ExperimentBuilder optimizer(String id, Object options) {
        this.optimizer = ref(id, options);
        return this;
    }

    /** Training keys: {@code epochs}, {@code batch-size}, {@code seed}, {@code validation-split}, ... */
    public ExperimentBuilder training(Map<String, ?> values) {
        training.putAll(values);
        return this;
    }

    public ExperimentBuilder baseDir(Path dir) {
        this.baseDir = dir;
        return this;
    }

    public ExperimentBuilder outputDir(Path dir) {
        this.outputDir = dir;
        return this;
    }

    /** The config tree, as a file would give it. */
    public Map<String, Object> tree() {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("data", data);
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("layers", layers);
        if (output != null) {
            model.put("output", output);
        }
        if (base != null) {
            t.put("base", base);
            if (!layers.isEmpty()) {
                t.put("head", model);
            }
        } else {
            t.put("model", model);
        }
        if (loss != null) {
            t.put("loss", loss);
        }
        if (optimizer != null) {
            t.put("optimizer", optimizer);
        }
        if (!training.isEmpty()) {
            t.put("training", training);
        }
        if (outputDir != null) {
            t.put("output", Map.of("dir", outputDir.toString()));
        }
        return t;
    }

    public Experiment build() {
        return ExperimentParser.parse(tree(), baseDir, name);
    }
}
