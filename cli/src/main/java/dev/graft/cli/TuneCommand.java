package dev.graft.cli;

import dev.graft.runtime.Graft;
import dev.graft.runtime.GraftException;
import dev.graft.runtime.config.ConfigFiles;
import dev.graft.runtime.config.Experiment;
import dev.graft.runtime.config.TuneConfig;
import dev.graft.runtime.tune.Tuner;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "tune", mixinStandardHelpOptions = true,
        description = {"Search hyperparameters: grid or random over the config keys in the experiment's 'tune' section.",
                "Each trial trains with the normal trainer and is scored on the validation split; prints a ranked table",
                "and writes the best config (best.yaml) and all results (results.json) to the output directory."})
final class TuneCommand implements Callable<Integer> {
    @Mixin
    Common common;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "CONFIG", description = "experiment file with a 'tune' section")
    Path config;

    @Option(names = {"-s", "--set"}, paramLabel = "KEY=VALUE", description = "override a config value for every trial; repeatable")
    List<String> sets = new ArrayList<>();

    @Option(names = "--out", paramLabel = "DIR", description = "where to write best.yaml and results.json (default: <output dir>-tune)")
    Path out;

    @Override
    public Integer call() throws IOException {
        Graft graft = common.graft();
        Experiment exp = graft.experiment(config, sets);
        TuneConfig tune = exp.tune();
        if (tune == null) {
            throw new GraftException(GraftException.Code.CONFIG, config + " has no 'tune' section; add one, e.g.\n"
                    + "tune:\n  method: grid\n  monitor: val-accuracy\n  params:\n    optimizer.lr: [0.001, 0.01]");
        }
        PrintStream o = Main.stdout(spec);
        List<Map<String, String>> plan = Tuner.plan(graft, config, sets, tune);
        o.printf("%s search: %d trials over %s, ranked by %s%n", tune.method().name().toLowerCase(), plan.size(), String.join(", ", tune.params().keySet()),
                tune.monitor());
        Tuner.Result r = Tuner.run(graft, config, sets, tune, t -> {
            o.printf("trial %d/%d  %s  %s %.4f (epoch %d, %.1f s)%n", t.index(), plan.size(), t.params(), tune.monitor(), t.score(), t.epoch(), t.seconds());
        });
        o.println();
        List<String> keys = new ArrayList<>(tune.params().keySet());
        StringBuilder header = new StringBuilder(String.format("%-5s %-7s", "RANK", "TRIAL"));
        for (String k : keys) {
            header.append(String.format(" %-22s", k));
        }
        header.append(String.format(" %12s %6s", tune.monitor(), "EPOCH"));
        o.println(header);
        int rank = 1;
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Tuner.Trial t : r.ranked()) {
            StringBuilder line = new StringBuilder(String.format("%-5d %-7d", rank, t.index()));
            for (String k : keys) {
                line.append(String.format(" %-22s", t.params().get(k)));
            }
            line.append(String.format(" %12.4f %6d", t.score(), t.epoch()));
            o.println(line);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("rank", rank++);
            row.put("trial", t.index());
            row.put("params", t.params());
            row.put("score", t.score());
            row.put("epoch", t.epoch());
            row.put("seconds", Math.round(t.seconds() * 100) / 100.0);
            rows.add(row);
        }
        Path dir = out != null ? out : Path.of(exp.outputDir() + "-tune");
        Files.createDirectories(dir);
        List<String> bestOverrides = new ArrayList<>(sets);
        r.best().params().forEach((k, v) -> bestOverrides.add(k + "=" + v));
        Map<String, Object> bestTree = new LinkedHashMap<>(ConfigFiles.load(config, bestOverrides));
        bestTree.remove("tune");
        DumperOptions d = new DumperOptions();
        d.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        String yaml = "# best of " + r.ranked().size() + " trials of " + config.getFileName() + " by " + tune.monitor() + " = "
                + String.format("%.4f", r.best().score()) + "\n# " + r.best().params() + "\n" + new Yaml(d).dump(bestTree);
        Path best = dir.resolve("best.yaml");
        Files.writeString(best, yaml);
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("command", "tune");
        j.put("status", "ok");
        j.put("monitor", tune.monitor());
        j.put("higher_is_better", r.higherIsBetter());
        j.put("best", Map.of("params", r.best().params(), "score", r.best().score()));
        j.put("best_config", best.toAbsolutePath().toString());
        j.put("trials", rows);
        Files.writeString(dir.resolve("results.json"), Common.json(j));
        o.printf("%nbest: %s with %s %.4f; config written to %s%n", r.best().params(), tune.monitor(), r.best().score(), best.toAbsolutePath());
        if (common.json) {
            o.println(Common.json(j));
        }
        return 0;
    }
}
