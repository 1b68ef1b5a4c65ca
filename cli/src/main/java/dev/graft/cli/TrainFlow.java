package dev.graft.cli;

import dev.graft.runtime.Graft;
import dev.graft.runtime.Run;
import dev.graft.runtime.TrainedModel;
import dev.graft.runtime.base.FineTuning;
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

/**
 * The train path shared by {@code train}, {@code finetune} and {@code demo}. For a fine-tuning
 * experiment it also prints what was made of the base model and scores the model on the test split
 * before training (the base with its untrained head, and the base as it is when its output fits).
 */
final class TrainFlow {
    private TrainFlow() {
    }

    /** What the fine-tuning made of the base: cut, kept and dropped nodes, frozen parameters, batch norm. */
    private static void describe(FineTuning ft, Run run, Experiment exp, PrintStream out) {
        int baseNodes = ft.kept().size() + ft.dropped().size();
        out.printf("base: %s, %d nodes; cut at '%s': %d kept, %d dropped%s%n", ft.base().origin(), baseNodes, ft.cutAt(), ft.kept().size(),
                ft.dropped().size(), ft.dropped().isEmpty() ? "" : " (" + String.join(", ", ft.dropped()) + ")");
        long frozenValues = 0;
        for (String p : ft.frozen()) {
            frozenValues += run.network().params().get(p).length();
        }
        out.printf("      frozen: %d parameter tensors (%,d values)%s%n", ft.frozen().size(), frozenValues,
                ft.frozen().isEmpty() ? "" : ": " + String.join(", ", ft.frozen()));
        if (!ft.statNodes().isEmpty()) {
            out.printf("      batch norm: %s (%s)%n", ft.policy() == dev.graft.runtime.config.BaseConfig.BatchNormPolicy.FROZEN
                    ? "frozen: running statistics kept and used while training" : "update: batch statistics while training, running statistics updated",
                    String.join(", ", ft.statNodes()));
        }
        if (!exp.nodes().isEmpty()) {
            out.printf("head: %s, reading '%s'%n", String.join(", ", exp.nodes().stream().map(n -> n.name() + " (" + n.layer().id() + ")").toList()),
                    ft.cutAt());
        }
    }

    /** Loss and metrics on one line. */
    static String brief(Evaluation e) {
        StringBuilder sb = new StringBuilder(String.format("loss %.4f", e.loss()));
        e.metrics().forEach((k, v) -> sb.append(String.format(", %s %.4f", k, v)));
        return sb.toString();
    }

    /** Each metric before and after. */
    private static String compare(Evaluation before, Evaluation after) {
        StringBuilder sb = new StringBuilder(String.format("loss %.4f -> %.4f", before.loss(), after.loss()));
        after.metrics().forEach((k, v) -> {
            Double b = before.metrics().get(k);
            sb.append(String.format(", %s %s -> %.4f", k, b == null ? "?" : String.format("%.4f", b), v));
        });
        return sb.toString();
    }

    /** A step after the model is saved; it prints what it does and adds its results to the JSON object. */
    interface After {
        void run(Run run, TrainedModel model, Map<String, Object> json);
    }

    static int run(Graft graft, Experiment exp, Path outDir, Path resume, PrintStream out, boolean json, String command) {
        return run(graft, exp, outDir, resume, out, json, command, null);
    }

    static int run(Graft graft, Experiment exp, Path outDir, Path resume, PrintStream out, boolean json, String command, After after) {
        return run(graft, exp, outDir, resume, out, json, command, after, null);
    }

    /** As above; a non-null {@code timing} gets a line when the first step finished, counted from the process start. */
    static int run(Graft graft, Experiment exp, Path outDir, Path resume, PrintStream out, boolean json, String command, After after,
                   java.io.PrintWriter timing) {
        long t0 = System.nanoTime();
        Path target = outDir != null ? outDir : exp.outputDir();
        TrainedModel.checkSaveTarget(target);
        Run run = graft.prepare(exp);
        var s = run.splits();
        out.printf("data: %s%n      train %d, validation %d, test %d examples%n", run.dataDescription(), s.train().size(),
                s.validation().size(), s.test().size());
        out.printf("model: %d nodes, %,d parameters, input %s%n", run.network().ir().nodes().size(), run.network().parameterCount(),
                run.network().inputShape());
        FineTuning ft = run.fineTuning();
        Evaluation before = null;
        Run.BaseAsIs asIs = null;
        if (ft != null) {
            describe(ft, run, exp, out);
            if (resume == null) {
                asIs = run.evaluateBaseAsIs();
                before = run.evaluateTest();
                if (asIs != null && asIs.evaluation() != null) {
                    out.printf("before: the base model as it is (its own output, read as this data's classes) on the test split: %s%n",
                            brief(asIs.evaluation()));
                } else if (asIs != null) {
                    out.printf("before: the base model as it is is not scored: %s%n", asIs.skipped());
                }
                if (before != null) {
                    out.printf("before: %s on the test split: %s%n", exp.nodes().isEmpty() ? "the base model" : "the base with its new, untrained head",
                            brief(before));
                }
            }
        }
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
        if (ft != null) {
            facts.put("base model", ft.base().origin() + ", cut at '" + ft.cutAt() + "'");
            facts.put("frozen parameters", ft.frozen().size() + " tensors of the base");
            facts.put("batch norm of the base", ft.policy().name().toLowerCase());
            if (before != null) {
                facts.put("test before fine-tuning", brief(before));
            }
            if (asIs != null && asIs.evaluation() != null) {
                facts.put("test of the base as it is", brief(asIs.evaluation()));
            }
        }
        Path reportDir = dir.resolve("report");
        TrainingReport.write(reportDir, command + ": " + exp.outputDir().getFileName(), model.history(), test, facts,
                w -> System.err.println("warning: report: " + w));
        if (test != null) {
            out.println();
            out.println("test split:");
            out.print(test.report());
            if (before != null) {
                out.printf("%nbefore -> after fine-tuning (test split): %s%n", compare(before, test));
            }
        }
        out.printf("%nmodel saved to %s (%.1f s); report: %s%n", dir.toAbsolutePath(), secs, reportDir.resolve(TrainingReport.REPORT_HTML).toAbsolutePath());
        Map<String, Object> steps = new LinkedHashMap<>();
        if (after != null) {
            after.run(run, model, steps);
        }
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
            if (ft != null) {
                Map<String, Object> f = new LinkedHashMap<>();
                f.put("base", ft.base().origin());
                f.put("cut_at", ft.cutAt());
                f.put("dropped_nodes", ft.dropped());
                f.put("frozen_params", ft.frozen());
                f.put("batch_norm", ft.policy().name().toLowerCase());
                f.put("batch_norm_nodes", ft.statNodes());
                j.put("fine_tuning", f);
                j.put("before", before == null ? null : before.toJson());
                if (asIs != null) {
                    j.put("base_as_is", asIs.evaluation() == null ? Map.of("skipped", asIs.skipped()) : asIs.evaluation().toJson());
                }
            }
            j.putAll(steps);
            out.println(Common.json(j));
        }
        return 0;
    }
}
