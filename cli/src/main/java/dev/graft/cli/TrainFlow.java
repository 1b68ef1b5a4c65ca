package dev.graft.cli;

import dev.graft.runtime.Graft;
import dev.graft.runtime.Run;
import dev.graft.runtime.TrainedModel;
import dev.graft.runtime.config.Experiment;
import dev.graft.runtime.config.TrainingConfig;
import dev.graft.runtime.train.EpochStats;
import dev.graft.runtime.train.Evaluation;
import dev.graft.runtime.train.ProgressListener;
import dev.graft.runtime.train.TrainingListener;
import dev.graft.runtime.report.TrainingReport;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The train path shared by {@code train} and {@code demo}. */
final class TrainFlow {
    private TrainFlow() {
    }

    static int run(Graft graft, Experiment exp, Path outDir, Path resume, PrintStream out, boolean json, String command) {
        return run(graft, exp, outDir, resume, out, json, command, null);
    }

    /** As above; a non-null {@code timing} gets a line when the first step finished, counted from the process start. */
    static int run(Graft graft, Experiment exp, Path outDir, Path resume, PrintStream out, boolean json, String command, java.io.PrintWriter timing) {
        long t0 = System.nanoTime();
        Path target = outDir != null ? outDir : exp.outputDir();
        TrainedModel.checkSaveTarget(target);
        Run run = graft.prepare(exp);
        var s = run.splits();
        out.printf("data: %s%n      train %d, validation %d, test %d examples%n", run.dataDescription(), s.train().size(),
                s.validation().size(), s.test().size());
        out.printf("model: %d nodes, %,d parameters, input %s%n", run.network().ir().nodes().size(), run.network().parameterCount(),
                run.network().inputShape());
        List<TrainingListener> listeners = new ArrayList<>();
        TrainingConfig.Progress progress = exp.training().progress();
        if (progress == TrainingConfig.Progress.AUTO) {
            progress = System.console() != null ? TrainingConfig.Progress.BAR : TrainingConfig.Progress.LOG;
        }
        if (progress != TrainingConfig.Progress.NONE) {
            listeners.add(new ProgressListener(progress == TrainingConfig.Progress.BAR, System.err));
        }
        if (timing != null) {
            listeners.add(new StartupTiming(timing));
        }
        TrainingListener[] ls = listeners.toArray(new TrainingListener[0]);
        if (resume != null) {
            out.printf("resuming from %s%n", resume.toAbsolutePath());
        }
        TrainedModel model = resume != null ? run.resume(resume, ls) : run.fit(ls);
        Path dir = outDir != null ? outDir : exp.outputDir();
        model.save(dir);
        double secs = (System.nanoTime() - t0) / 1e9;
        Evaluation test = model.testEvaluation();
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("data", run.dataDescription());
        facts.put("examples (train / validation / test)", s.train().size() + " / " + s.validation().size() + " / " + s.test().size());
        facts.put("model", run.network().ir().nodes().size() + " nodes, input " + run.network().inputShape() + ", output '"
                + run.network().ir().output() + "'");
        facts.put("parameters", run.network().parameterCount());
        facts.put("loss", exp.loss().id());
        facts.put("optimizer", exp.optimizer().id() + " " + exp.optimizer().options());
        facts.put("epochs run", model.history().size());
        facts.put("stopped because", model.stopReason());
        facts.put("seed", exp.training().seed());
        facts.put("wall time (s)", Math.round(secs * 10) / 10.0);
        Path reportDir = dir.resolve("report");
        TrainingReport.write(reportDir, command + ": " + exp.outputDir().getFileName(), model.history(), test, facts,
                w -> System.err.println("warning: report: " + w));
        if (test != null) {
            out.println();
            out.println("test split:");
            out.print(test.report());
        }
        out.printf("%nmodel saved to %s (%.1f s); report: %s%n", dir.toAbsolutePath(), secs, reportDir.resolve(TrainingReport.REPORT_HTML).toAbsolutePath());
        if (json) {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("command", command);
            j.put("status", "ok");
            j.put("model_dir", dir.toAbsolutePath().toString());
            j.put("report", reportDir.resolve(TrainingReport.REPORT_HTML).toAbsolutePath().toString());
            j.put("epochs", model.history().size());
            j.put("stop_reason", model.stopReason());
            j.put("seconds", Math.round(secs * 100) / 100.0);
            if (!model.history().isEmpty()) {
                EpochStats last = model.history().get(Math.max(1, model.bestEpoch()) - 1);
                j.put("best_epoch", last.epoch());
                Map<String, Object> v = new LinkedHashMap<>();
                v.put("loss", last.valLoss());
                last.valMetrics().forEach((k, val) -> v.put(k.replace('-', '_'), val));
                j.put("validation", v);
            }
            j.put("metrics", test == null ? Map.of() : test.toJson());
            out.println(Common.json(j));
        }
        return 0;
    }
}
