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

@Command(name = "finetune", mixinStandardHelpOptions = true,
        description = {"Fine-tune a pretrained ONNX model. The experiment's base section names the",
                "model, where to cut it, what to freeze and the batch-norm policy; head lists",
                "the new layers. Prints the test metrics before and after training;",
                "validation, early stopping, checkpoints and the report are those of train."})
final class FinetuneCommand implements Callable<Integer> {
    @Mixin
    Common common;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "CONFIG", description = "experiment file with a base section (.yaml, .yml or .properties)")
    Path config;

    @Option(names = {"-s", "--set"}, paramLabel = "KEY=VALUE", description = "override a config value, e.g. --set base.batch-norm=update; repeatable")
    List<String> sets = new ArrayList<>();

    @Option(names = "--out", paramLabel = "DIR", description = "where to save the model (default: output.dir of the config, else runs/<config name>)")
    Path out;

    @Option(names = "--resume", paramLabel = "CHECKPOINT", description = "continue from a checkpoint directory written by this experiment")
    Path resume;

    @Override
    public Integer call() {
        Graft graft = common.graft();
        Experiment exp = graft.experiment(config, sets);
        if (!exp.fineTunes()) {
            throw new GraftException(GraftException.Code.USAGE, config + " has no base section, so there is nothing to fine-tune;"
                    + " train it with graft train, or add base: {onnx: MODEL.onnx, ...} (see graft finetune --help)");
        }
        return TrainFlow.run(graft, exp, out, resume, Main.stdout(spec), common.json, "finetune");
    }
}
