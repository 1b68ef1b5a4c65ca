package dev.graft.runtime;

import dev.graft.api.optim.Optimizer;
import dev.graft.runtime.config.Experiment;
import dev.graft.runtime.engine.Network;
import dev.graft.runtime.model.ModelIR;
import dev.graft.runtime.train.Evaluation;
import dev.graft.runtime.train.Metrics;
import dev.graft.runtime.train.ParamGroups;
import dev.graft.runtime.train.Splits;
import dev.graft.runtime.train.Trainer;
import dev.graft.runtime.train.TrainingListener;

import java.util.List;

/**
 * A prepared experiment: data loaded and split, transforms fitted, model compiled and initialised,
 * optimizer and metrics resolved. {@link #fit} trains it.
 */
public final class Run {
    private final Graft graft;
    private final Experiment experiment;
    private final Network network;
    private final Optimizer optimizer;
    private final ModelIR.PluginIR optimizerIR;
    private final ParamGroups groups;
    private final Metrics metrics;
    private final Splits splits;
    private final List<Graft.FittedTransform> transforms;
    private final String dataDescription;

    Run(Graft graft, Experiment experiment, Network network, Optimizer optimizer, ModelIR.PluginIR optimizerIR, ParamGroups groups,
        Metrics metrics, Splits splits, List<Graft.FittedTransform> transforms, String dataDescription) {
        this.graft = graft;
        this.experiment = experiment;
        this.network = network;
        this.optimizer = optimizer;
        this.optimizerIR = optimizerIR;
        this.groups = groups;
        this.metrics = metrics;
        this.splits = splits;
        this.transforms = List.copyOf(transforms);
        this.dataDescription = dataDescription;
    }

    /** Trains, then scores the test split. */
    public TrainedModel fit(TrainingListener... listeners) {
        Trainer trainer = new Trainer(network, optimizer, groups, metrics, experiment.training(), experiment.early(), List.of(listeners));
        Trainer.Result result = trainer.fit(splits.train(), splits.validation());
        Evaluation test = splits.test().size() == 0 ? null : evaluate(splits.test());
        return new TrainedModel(graft, network, transforms, optimizer, optimizerIR, metrics, result, test, trainer.steps(), experiment.source()).withBaseDir(experiment.baseDir());
    }

    /** Scores already-transformed examples. */
    Evaluation evaluate(dev.graft.api.data.Examples ex) {
        Network.Scored s = network.score(ex.features(), Splits.lossLabels(ex.labels(), network.target()), 512);
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

    public String dataDescription() {
        return dataDescription;
    }
}
