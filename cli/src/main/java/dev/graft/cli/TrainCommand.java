package dev.graft.cli;

import dev.graft.runtime.Graft;
import dev.graft.runtime.GraftException;
import dev.graft.runtime.config.Experiment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Train a model from an experiment file (YAML or properties), test it, and save it.",
                "Every config problem is reported before training starts."})
final class TrainCommand implements Callable<Integer> {
    @Mixin
    Common common;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "CONFIG", description = "experiment file (.yaml, .yml or .properties)")
    Path config;

    @Option(names = {"-s", "--set"}, paramLabel = "KEY=VALUE", description = "override a config value, e.g. --set training.epochs=3; repeatable")
    List<String> sets = new ArrayList<>();

    @Option(names = "--out", paramLabel = "DIR", description = "where to save the model (default: output.dir of the config, else runs/<config name>)")
    Path out;

    @Option(names = "--resume", paramLabel = "CHECKPOINT", description = "continue from a checkpoint directory written by this experiment")
    Path resume;

    @Option(names = "--timing", description = "print to standard error how long after the process started the first training step finished")
    boolean timing;

    @Override
    public Integer call() {
        Graft graft = common.graft();
        Experiment exp = graft.experiment(config, sets);
        if (exp.fineTunes()) {
            throw new GraftException(GraftException.Code.USAGE, config + " has a base section (a pretrained model); fine-tune it with graft finetune "
                    + config);
        }
        return TrainFlow.run(graft, exp, out, resume, Main.stdout(spec), common.json, "train", null, timing ? spec.commandLine().getErr() : null);
    }
}
