package dev.graft.cli;

import dev.graft.runtime.Graft;
import dev.graft.runtime.GraftException;
import dev.graft.runtime.TrainedModel;
import dev.graft.runtime.config.Experiment;
import dev.graft.runtime.config.ExperimentParser;
import dev.graft.runtime.train.Evaluation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Evaluate a saved model on the test split of its experiment (or of another config),",
                "recreated with the same seed: metrics, per-class report and confusion matrix."})
final class EvalCommand implements Callable<Integer> {
    @Mixin
    Common common;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL", description = "model directory written by train")
    Path model;

    @Option(names = "--config", paramLabel = "CONFIG", description = "experiment whose test split to use (default: the one saved with the model)")
    Path config;

    @Option(names = {"-s", "--set"}, paramLabel = "KEY=VALUE", description = "override a config value; repeatable")
    List<String> sets = new ArrayList<>();

    @Option(names = "--split", description = "which split to score: test, validation or train (default: test)")
    String split = "test";

    @Override
    public Integer call() {
        Graft graft = common.graft();
        TrainedModel m = graft.load(model);
        Experiment exp;
        if (config != null) {
            exp = graft.experiment(config, sets);
        } else {
            if (m.config() == null) {
                throw new GraftException(GraftException.Code.USAGE, model + " does not record its experiment; give one with --config");
            }
            if (!sets.isEmpty()) {
                throw new GraftException(GraftException.Code.USAGE, "--set needs --config");
            }
            exp = ExperimentParser.parse(m.config(), m.baseDir() == null ? Path.of("").toAbsolutePath() : m.baseDir(), "eval");
        }
        Graft.RawData raw = graft.split(exp);
        var ex = switch (split) {
            case "test" -> raw.splits().test();
            case "validation" -> raw.splits().validation();
            case "train" -> raw.splits().train();
            default -> throw new GraftException(GraftException.Code.USAGE, "--split must be test, validation or train, got '" + split + "'");
        };
        if (ex.size() == 0) {
            throw new GraftException(GraftException.Code.USAGE, "the " + split + " split of this experiment is empty");
        }
        Evaluation e = m.evaluate(ex);
        PrintStream out = Main.stdout(spec);
        out.println(split + " split of " + raw.description() + ":");
        out.print(e.report());
        if (common.json) {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("command", "eval");
            j.put("status", "ok");
            j.put("split", split);
            j.put("metrics", e.toJson());
            j.put("confusion", e.confusion());
            j.put("classes", e.classes());
            out.println(Common.json(j));
        }
        return 0;
    }
}
