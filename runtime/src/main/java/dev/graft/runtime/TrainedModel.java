package dev.graft.runtime;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.graft.api.PluginKind;
import dev.graft.api.data.Examples;
import dev.graft.api.data.Target;
import dev.graft.api.data.Transform;
import dev.graft.api.data.TransformProvider;
import dev.graft.api.optim.Optimizer;
import dev.graft.api.optim.OptimizerProvider;
import dev.graft.runtime.engine.Network;
import dev.graft.runtime.io.TensorFile;
import dev.graft.runtime.model.ModelIR;
import dev.graft.runtime.model.ModelJson;
import dev.graft.runtime.train.EpochStats;
import dev.graft.runtime.train.Evaluation;
import dev.graft.runtime.train.Metrics;
import dev.graft.runtime.train.Splits;
import dev.graft.runtime.train.Trainer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A trained (or loaded) model with its fitted feature transforms: predict, evaluate, save.
 *
 * <p>A model directory holds {@code model.json} (the IR: plugin ids, versions and configs),
 * {@code params.bin} (parameters), {@code transforms.bin} (fitted transform state),
 * {@code optimizer.json} and {@code optimizer.bin} (optimizer and its state, to continue training)
 * and {@code training.json} (history, test metrics, the experiment config).
 */
public final class TrainedModel {
    private final Graft graft;
    private final Network network;
    private final List<Graft.FittedTransform> transforms;
    private final Optimizer optimizer;
    private final ModelIR.PluginIR optimizerIR;
    private final Metrics metrics;
    private final Trainer.Result result;
    private final Evaluation test;
    private final long steps;
    private final Map<String, Object> config;
    private Path baseDir;

    TrainedModel(Graft graft, Network network, List<Graft.FittedTransform> transforms, Optimizer optimizer, ModelIR.PluginIR optimizerIR,
                 Metrics metrics, Trainer.Result result, Evaluation test, long steps, Map<String, Object> config) {
        this.graft = graft;
        this.network = network;
        this.transforms = List.copyOf(transforms);
        this.optimizer = optimizer;
        this.optimizerIR = optimizerIR;
        this.metrics = metrics;
        this.result = result;
        this.test = test;
        this.steps = steps;
        this.config = config;
    }

    /**
     * A model from an IR and its parameter values, with no transforms and no optimizer: what an
     * importer produces. It predicts, saves and loads like a trained model.
     */
    public static TrainedModel of(Graft graft, ModelIR ir, Map<String, INDArray> params, String origin) {
        Network net = new Network(ir, graft.plugins(), Map.of());
        net.setParams(params, origin);
        return new TrainedModel(graft, net, List.of(), null, null, null, null, null, 0, null);
    }

    /** Applies the fitted transforms to raw features. */
    public INDArray transform(INDArray features) {
        INDArray x = features.dataType() == DataType.FLOAT ? features : features.castTo(DataType.FLOAT);
        for (Graft.FittedTransform t : transforms) {
            x = t.fitted().apply(x);
        }
        return x;
    }

    /**
     * The fitted feature transforms, in the order {@link #transform} applies them (each with its plugin
     * reference and fitted state); empty when the model has none.
     */
    public List<Graft.FittedTransform> transforms() {
        return transforms;
    }

    /** Predictions for raw features {@code [n, ...inputShape]}: class probabilities or regression outputs. */
    public INDArray predict(INDArray features) {
        checkFeatures(features);
        return network.predict(transform(features), 512);
    }

    /** Predicted class indices for raw features. */
    public int[] predictClasses(INDArray features) {
        if (!(network.target() instanceof Target.Classes)) {
            throw new GraftException(GraftException.Code.USAGE, network.target() == null
                    ? "this model has no target (an imported model), so it predicts raw outputs, not classes"
                    : "this model predicts regression targets, not classes");
        }
        return Metrics.classesOf(predict(features));
    }

    /** Scores raw (untransformed) examples. */
    public Evaluation evaluate(Examples raw) {
        checkFeatures(raw.features());
        INDArray x = transform(raw.features());
        Network.Scored s = network.score(x, network.lossLabels(raw.labels()), 512);
        return metrics().evaluate(s.loss(), s.predictions(), raw.labels());
    }

    private Metrics metrics() {
        return metrics != null ? metrics : Metrics.resolve(graft.plugins(), network.target(), List.of());
    }

    private void checkFeatures(INDArray f) {
        dev.graft.api.Shape raw = rawInputShape();
        long[] expect = raw.withBatch(f.size(0));
        if (!java.util.Arrays.equals(f.shape(), expect)) {
            throw new GraftException(GraftException.Code.DATA, "features have shape " + java.util.Arrays.toString(f.shape())
                    + " but the model takes " + raw + " per example, i.e. " + java.util.Arrays.toString(expect));
        }
    }

    /** The per-example shape of raw features, before the saved transforms. */
    public dev.graft.api.Shape rawInputShape() {
        List<Long> raw = network.ir().input().rawShape();
        return raw == null ? network.inputShape() : dev.graft.api.Shape.of(raw.stream().mapToLong(Long::longValue).toArray());
    }

    public Network network() {
        return network;
    }

    /** The optimizer state saved with the model, or null. */
    public Map<String, INDArray> optimizerState() {
        return optimizer == null ? null : optimizer.state();
    }

    /** The experiment config this model was trained with (as a tree), or null. */
    public Map<String, Object> config() {
        return config;
    }

    /** The directory the experiment's relative data paths were resolved against, or null. */
    public Path baseDir() {
        return baseDir;
    }

    TrainedModel withBaseDir(Path dir) {
        this.baseDir = dir;
        return this;
    }

    /** Test-split evaluation from training, or null (loaded models, or no test split). */
    public Evaluation testEvaluation() {
        return test;
    }

    /** Per-epoch history from training; empty for loaded models. */
    public List<EpochStats> history() {
        return result == null ? List.of() : result.history();
    }

    /** The epoch whose weights the model holds (the best one when early stopping restored it), or 0. */
    public int bestEpoch() {
        return result == null ? 0 : result.bestEpoch();
    }

    /** Why training ended, or null for loaded models. */
    public String stopReason() {
        return result == null ? null : result.stopReason();
    }

    /**
     * Checks that {@code dir} may receive a model: it does not exist, is empty, or holds a Graft model
     * (which a save replaces). Call it before long work whose result will be saved there.
     */
    public static void checkSaveTarget(Path dir) {
        Path abs = dir.toAbsolutePath();
        if (!Files.exists(abs)) {
            return;
        }
        if (!Files.isDirectory(abs)) {
            throw new GraftException(GraftException.Code.IO, "cannot save a model to " + abs + ": it is a file");
        }
        try (Stream<Path> s = Files.list(abs)) {
            if (s.findAny().isPresent() && !Files.exists(abs.resolve("model.json"))) {
                throw new GraftException(GraftException.Code.IO, "cannot save a model to " + abs
                        + ": the directory holds other files and no model.json; choose another output.dir or --out");
            }
        } catch (IOException e) {
            throw new GraftException(GraftException.Code.IO, "cannot read " + abs + ": " + e.getMessage());
        }
    }

    /** Writes the model directory; an existing directory is replaced only once the new one is complete. */
    public void save(Path dir) {
        save(dir, tmp -> { });
    }

    /** Writes more files into a directory being saved. */
    interface Extra {
        void write(Path tmp) throws IOException;
    }

    void save(Path dir, Extra extra) {
        Path abs = dir.toAbsolutePath();
        Path tmp = abs.resolveSibling(abs.getFileName() + ".saving");
        try {
            deleteTree(tmp);
            Files.createDirectories(tmp);
            Files.writeString(tmp.resolve("model.json"), ModelJson.write(network.ir()));
            TensorFile.write(tmp.resolve("params.bin"), new LinkedHashMap<>(network.params()));
            Map<String, INDArray> ts = new LinkedHashMap<>();
            for (int i = 0; i < transforms.size(); i++) {
                int ii = i;
                transforms.get(i).fitted().state().forEach((k, v) -> ts.put(ii + "/" + k, v));
            }
            TensorFile.write(tmp.resolve("transforms.bin"), ts);
            if (optimizer != null) {
                Files.writeString(tmp.resolve("optimizer.json"), ModelJson.mapper().writeValueAsString(optimizerIR));
                TensorFile.write(tmp.resolve("optimizer.bin"), optimizer.state());
            }
            Map<String, Object> training = new LinkedHashMap<>();
            training.put("steps", steps);
            if (result != null) {
                training.put("stop_reason", result.stopReason());
                training.put("history", result.history());
            }
            if (test != null) {
                training.put("test", test.toJson());
            }
            if (config != null) {
                training.put("config", config);
            }
            if (baseDir != null) {
                training.put("base_dir", baseDir.toString());
            }
            Files.writeString(tmp.resolve("training.json"), ModelJson.mapper().writeValueAsString(training));
            extra.write(tmp);
            Path old = abs.resolveSibling(abs.getFileName() + ".old");
            deleteTree(old);
            checkSaveTarget(abs);
            if (Files.exists(abs)) {
                Files.move(abs, old);
            }
            Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE);
            deleteTree(old);
        } catch (IOException e) {
            throw new GraftException(GraftException.Code.IO, "cannot save the model to " + abs + ": " + e.getMessage());
        }
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(q);
            }
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    static TrainedModel load(Graft graft, Path dir) {
        Path modelJson = dir.resolve("model.json");
        if (!Files.isDirectory(dir) || !Files.isRegularFile(modelJson)) {
            throw new GraftException(GraftException.Code.MODEL, dir.toAbsolutePath() + " is not a Graft model directory (no model.json)");
        }
        try {
            ModelIR ir = ModelJson.read(Files.readString(modelJson), modelJson.toString());
            Network net = new Network(ir, graft.plugins(), Map.of());
            net.setParams(TensorFile.read(dir.resolve("params.bin")), dir.resolve("params.bin").toString());
            Map<String, INDArray> ts = Files.exists(dir.resolve("transforms.bin")) ? TensorFile.read(dir.resolve("transforms.bin")) : Map.of();
            List<Graft.FittedTransform> fitted = new ArrayList<>();
            for (int i = 0; i < ir.transforms().size(); i++) {
                ModelIR.PluginIR t = ir.transforms().get(i);
                Plugins.Bound<TransformProvider<?>> b = Plugins.bind(graft.plugins(), PluginKind.TRANSFORM, t, "transforms[" + i + "]");
                Map<String, INDArray> state = new LinkedHashMap<>();
                String prefix = i + "/";
                ts.forEach((k, v) -> {
                    if (k.startsWith(prefix)) {
                        state.put(k.substring(prefix.length()), v);
                    }
                });
                Transform tr = ((TransformProvider) b.provider()).create(b.config());
                try {
                    fitted.add(new Graft.FittedTransform(t, tr.restore(state)));
                } catch (IllegalArgumentException e) {
                    throw new GraftException(GraftException.Code.MODEL, dir.resolve("transforms.bin") + ": transform " + i + " (" + t.plugin() + "): " + e.getMessage());
                }
            }
            Optimizer opt = null;
            ModelIR.PluginIR optIR = null;
            if (Files.exists(dir.resolve("optimizer.json"))) {
                optIR = ModelJson.mapper().readValue(Files.readString(dir.resolve("optimizer.json")), ModelIR.PluginIR.class);
                Plugins.Bound<OptimizerProvider<?>> b = Plugins.bind(graft.plugins(), PluginKind.OPTIMIZER, optIR, "optimizer.json");
                opt = ((OptimizerProvider) b.provider()).create(b.config());
                try {
                    opt.loadState(TensorFile.read(dir.resolve("optimizer.bin")));
                } catch (IllegalArgumentException e) {
                    throw new GraftException(GraftException.Code.MODEL, dir.resolve("optimizer.bin") + ": " + e.getMessage());
                }
            }
            long steps = 0;
            Map<String, Object> config = null;
            Path base = null;
            if (Files.exists(dir.resolve("training.json"))) {
                Map<String, Object> tj = ModelJson.mapper().readValue(Files.readString(dir.resolve("training.json")), new TypeReference<>() { });
                steps = tj.get("steps") instanceof Number n ? n.longValue() : 0;
                config = tj.get("config") instanceof Map m ? m : null;
                base = tj.get("base_dir") instanceof String b ? Path.of(b) : null;
            }
            TrainedModel tm = new TrainedModel(graft, net, fitted, opt, optIR, null, null, null, steps, config);
            tm.baseDir = base;
            return tm;
        } catch (JsonProcessingException e) {
            throw new GraftException(GraftException.Code.MODEL, dir + ": a JSON file is corrupt: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new GraftException(GraftException.Code.IO, "cannot read model directory " + dir + ": " + e.getMessage());
        }
    }
}
