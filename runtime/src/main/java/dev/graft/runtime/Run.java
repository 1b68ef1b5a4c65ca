package dev.graft.runtime;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.graft.api.augment.Augmentation;
import dev.graft.api.optim.Optimizer;
import dev.graft.api.schedule.Schedule;
import dev.graft.runtime.base.FineTuning;
import dev.graft.runtime.config.CheckpointConfig;
import dev.graft.runtime.config.Experiment;
import dev.graft.runtime.engine.Network;
import dev.graft.runtime.io.TensorFile;
import dev.graft.runtime.model.ModelIR;
import dev.graft.runtime.model.ModelJson;
import dev.graft.runtime.train.EpochStats;
import dev.graft.runtime.train.Evaluation;
import dev.graft.runtime.train.Metrics;
import dev.graft.runtime.train.ParamGroups;
import dev.graft.runtime.train.Splits;
import dev.graft.runtime.train.Trainer;
import dev.graft.runtime.train.TrainerState;
import dev.graft.runtime.train.TrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A prepared experiment: data loaded and split, transforms fitted, model compiled and initialised,
 * optimizer, schedule, augmentations and metrics resolved. {@link #fit} trains it; {@link #resume}
 * continues from a checkpoint.
 */
public final class Run {
    /** Periodic checkpoints kept besides {@code best}. */
    static final int KEEP = 3;

    private final Graft graft;
    private final Experiment experiment;
    private final Network network;
    private final Optimizer optimizer;
    private final ModelIR.PluginIR optimizerIR;
    private final Schedule schedule;
    private final ParamGroups groups;
    private final Metrics metrics;
    private final List<Augmentation> augment;
    private final Splits splits;
    private final List<Graft.FittedTransform> transforms;
    private final String dataDescription;
    private final FineTuning fineTuning;

    Run(Graft graft, Experiment experiment, Network network, Optimizer optimizer, ModelIR.PluginIR optimizerIR, Schedule schedule,
        ParamGroups groups, Metrics metrics, List<Augmentation> augment, Splits splits, List<Graft.FittedTransform> transforms,
        String dataDescription, FineTuning fineTuning) {
        this.graft = graft;
        this.experiment = experiment;
        this.network = network;
        this.optimizer = optimizer;
        this.optimizerIR = optimizerIR;
        this.schedule = schedule;
        this.groups = groups;
        this.metrics = metrics;
        this.augment = List.copyOf(augment);
        this.splits = splits;
        this.transforms = List.copyOf(transforms);
        this.dataDescription = dataDescription;
        this.fineTuning = fineTuning;
    }

    /** Trains, then scores the test split. */
    public TrainedModel fit(TrainingListener... listeners) {
        return train(TrainerState.initial(), listeners);
    }

    /**
     * Continues training from a checkpoint written by this experiment: parameters, optimizer state,
     * schedule state, early-stopping state and history are restored, and the remaining epochs run
     * exactly as they would have without the interruption.
     */
    public TrainedModel resume(Path checkpoint, TrainingListener... listeners) {
        TrainedModel saved = graft.load(checkpoint);
        if (!saved.network().ir().equals(network.ir())) {
            throw new GraftException(GraftException.Code.MODEL, checkpoint + " was written for a different model or data than this experiment");
        }
        network.setParams(saved.network().params(), checkpoint.resolve("params.bin").toString());
        if (saved.optimizerState() == null) {
            throw new GraftException(GraftException.Code.MODEL, checkpoint + " holds no optimizer state; it is not a checkpoint");
        }
        try {
            optimizer.loadState(saved.optimizerState());
        } catch (IllegalArgumentException e) {
            throw new GraftException(GraftException.Code.MODEL, checkpoint.resolve("optimizer.bin") + ": " + e.getMessage());
        }
        return train(readState(checkpoint), listeners);
    }

    private TrainedModel train(TrainerState from, TrainingListener... listeners) {
        Trainer trainer = new Trainer(network, optimizer, schedule, groups, experiment.nodes(), metrics, experiment.training(), experiment.early(),
                augment, checkpointWriter(), List.of(listeners));
        Trainer.Result result = trainer.fit(splits.train(), splits.validation(), from);
        Evaluation test = splits.test().size() == 0 ? null : evaluate(splits.test());
        return new TrainedModel(graft, network, transforms, optimizer, optimizerIR, metrics, result, test, trainer.steps(), experiment.source())
                .withBaseDir(experiment.baseDir());
    }

    /**
     * The directory checkpoints go to: {@code training.checkpoint.dir}, else {@code <output dir>-checkpoints}
     * (beside the model directory, which a save replaces as a whole).
     */
    public Path checkpointDir() {
        CheckpointConfig c = experiment.checkpoint();
        return c != null && c.dir() != null ? Path.of(c.dir()) : Path.of(experiment.outputDir() + "-checkpoints");
    }

    private Trainer.Checkpoints checkpointWriter() {
        CheckpointConfig c = experiment.checkpoint();
        if (c == null) {
            return null;
        }
        Path dir = checkpointDir();
        return (state, improved) -> {
            if (c.every() > 0 && state.epochsDone() % c.every() == 0) {
                write(dir.resolve(String.format("epoch-%04d", state.epochsDone())), state);
                prune(dir);
            }
            if (c.best() && improved) {
                write(dir.resolve("best"), state);
            }
        };
    }

    private void write(Path dir, TrainerState state) {
        TrainedModel snapshot = new TrainedModel(graft, network, transforms, optimizer, optimizerIR, metrics,
                new Trainer.Result(state.history(), "checkpoint after epoch " + state.epochsDone(), state.epochsDone()), null, state.step(),
                experiment.source()).withBaseDir(experiment.baseDir());
        snapshot.save(dir, tmp -> {
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("epochs_done", state.epochsDone());
            t.put("step", state.step());
            t.put("best", Double.isNaN(state.best()) ? null : state.best());
            t.put("best_epoch", state.bestEpoch());
            t.put("bad_epochs", state.badEpochs());
            t.put("schedule", state.scheduleState());
            t.put("history", state.history());
            Files.writeString(tmp.resolve("trainer.json"), ModelJson.mapper().writeValueAsString(t));
            if (state.bestParams() != null) {
                TensorFile.write(tmp.resolve("best.bin"), state.bestParams());
            }
        });
    }

    private static void prune(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> periodic = s.filter(p -> p.getFileName().toString().matches("epoch-\\d{4}")).sorted(Comparator.reverseOrder()).toList();
            for (Path old : periodic.subList(Math.min(KEEP, periodic.size()), periodic.size())) {
                TrainedModel.deleteTree(old);
            }
        } catch (IOException e) {
            throw new GraftException(GraftException.Code.IO, "cannot prune checkpoints in " + dir + ": " + e.getMessage());
        }
    }

    private static TrainerState readState(Path checkpoint) {
        Path f = checkpoint.resolve("trainer.json");
        if (!Files.isRegularFile(f)) {
            throw new GraftException(GraftException.Code.MODEL, checkpoint + " has no trainer.json; it is a model directory, not a checkpoint");
        }
        try {
            ObjectMapper m = ModelJson.mapper().copy().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS.mappedFeature());
            var node = m.readTree(Files.readString(f));
            List<EpochStats> history = new ArrayList<>();
            for (var h : node.get("history")) {
                history.add(m.treeToValue(h, EpochStats.class));
            }
            Map<String, Double> sched = new LinkedHashMap<>();
            node.get("schedule").fields().forEachRemaining(e -> sched.put(e.getKey(), e.getValue().asDouble()));
            Map<String, INDArray> best = Files.exists(checkpoint.resolve("best.bin")) ? TensorFile.read(checkpoint.resolve("best.bin")) : null;
            return new TrainerState(node.get("epochs_done").asInt(), node.get("step").asLong(), history,
                    node.get("best").isNull() ? Double.NaN : node.get("best").asDouble(), node.get("best_epoch").asInt(),
                    node.get("bad_epochs").asInt(), sched, best);
        } catch (IOException | RuntimeException e) {
            throw new GraftException(GraftException.Code.MODEL, f + " is corrupt: " + e.getMessage());
        }
    }

    /** Scores already-transformed examples. */
    Evaluation evaluate(dev.graft.api.data.Examples ex) {
        Network.Scored s = network.score(ex.features(), network.lossLabels(ex.labels()), 512);
        return metrics.evaluate(s.loss(), s.predictions(), ex.labels());
    }

    public Network network() {
        return network;
    }

    public Splits splits() {
        return splits;
    }

    public Experiment experiment() {
        return experiment;
    }

    public Metrics metrics() {
        return metrics;
    }

    public ParamGroups groups() {
        return groups;
    }

    public String dataDescription() {
        return dataDescription;
    }

    /** What a fine-tuning experiment made of its base model, or null for a model trained from scratch. */
    public FineTuning fineTuning() {
        return fineTuning;
    }

    /**
     * Scores the model as it stands on the test split: before {@link #fit} that is the initial model (for
     * fine-tuning, the pretrained base with its new, untrained head). Null when the test split is empty.
     */
    public Evaluation evaluateTest() {
        return splits.test().size() == 0 ? null : evaluate(splits.test());
    }

    /** The base model scored as it is, with its own output layer, or why that makes no sense. */
    public record BaseAsIs(Evaluation evaluation, String skipped) {
    }

    /**
     * For fine-tuning: the whole base model, uncut and without the head, scored on the test split with the
     * experiment's loss and metrics, when its output fits them (as many outputs as there are classes: the
     * base's output {@code i} is read as class {@code i}). Null when the experiment does not fine-tune,
     * or when the base itself is the model (no cut, no head), so the initial evaluation already is it.
     */
    public BaseAsIs evaluateBaseAsIs() {
        if (fineTuning == null || splits.test().size() == 0) {
            return null;
        }
        ModelIR whole = fineTuning.base().ir();
        ModelIR ir = network.ir();
        if (whole.output().equals(ir.output()) && whole.nodes().size() == ir.nodes().size()) {
            return null;
        }
        Network base;
        try {
            base = new Network(new ModelIR(ModelIR.FORMAT, ir.input(), whole.nodes(), whole.output(), ir.loss(), ir.target(), List.of()),
                    graft.plugins(), Map.of());
        } catch (GraftException e) {
            return new BaseAsIs(null, "its output does not fit the loss and target of this experiment: " + e.getMessage());
        }
        base.setParams(fineTuning.base().params(), fineTuning.base().origin());
        var ex = splits.test();
        Network.Scored s = base.score(ex.features(), base.lossLabels(ex.labels()), 512);
        return new BaseAsIs(metrics.evaluate(s.loss(), s.predictions(), ex.labels()), null);
    }
}
