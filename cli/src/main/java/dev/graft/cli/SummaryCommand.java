package dev.graft.cli;

import dev.graft.api.layer.ParamSpec;
import dev.graft.runtime.Graft;
import dev.graft.runtime.Run;
import dev.graft.runtime.TrainedModel;
import dev.graft.runtime.base.FineTuning;
import dev.graft.runtime.engine.Network;
import dev.graft.runtime.model.ModelIR;
import dev.graft.runtime.train.ParamGroups;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "summary", mixinStandardHelpOptions = true,
        description = {"A table of a model's nodes: plugin, inputs, output shape, parameter count, trainable or frozen.",
                "Give an experiment file (its data is loaded for the input shape) or a saved model directory."})
final class SummaryCommand implements Callable<Integer> {
    @Mixin
    Common common;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "CONFIG|MODEL", description = "experiment file or model directory")
    Path target;

    @Option(names = {"-s", "--set"}, paramLabel = "KEY=VALUE", description = "override a config value; repeatable")
    List<String> sets = new ArrayList<>();

    @Override
    public Integer call() {
        Graft graft = common.graft();
        Network net;
        ParamGroups groups = null;
        FineTuning ft = null;
        if (Files.isDirectory(target)) {
            TrainedModel m = graft.load(target);
            net = m.network();
        } else {
            Run run = graft.prepare(graft.experiment(target, sets));
            net = run.network();
            groups = run.groups();
            ft = run.fineTuning();
        }
        PrintStream out = Main.stdout(spec);
        java.util.Set<String> baseNodes = ft == null ? java.util.Set.of()
                : new java.util.HashSet<>(ft.kept().stream().map(ModelIR.NodeIR::name).toList());
        if (ft != null) {
            out.printf("fine-tuning %s: cut at '%s', %d of its %d nodes kept%s; %d parameter tensors frozen; batch norm %s%s%n",
                    ft.base().origin(), ft.cutAt(), ft.kept().size(), ft.kept().size() + ft.dropped().size(),
                    ft.dropped().isEmpty() ? "" : " (dropped: " + String.join(", ", ft.dropped()) + ")", ft.frozen().size(),
                    ft.policy().name().toLowerCase(), ft.statNodes().isEmpty() ? " (no batch-norm nodes)" : " (" + String.join(", ", ft.statNodes()) + ")");
            out.println();
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        int nw = Math.max(16, net.ir().nodes().stream().mapToInt(n -> n.name().length() + 1).max().orElse(0));
        int iw = Math.max(22, net.ir().nodes().stream().mapToInt(n -> String.join(", ", n.inputs()).length() + 1).max().orElse(0));
        String row = "%-" + nw + "s %-22s %-" + iw + "s %-16s ";
        out.printf(row + "%12s  %s%n", "NODE", "PLUGIN", "INPUTS", "OUTPUT", "PARAMS", "TRAINABLE");
        out.printf(row + "%12s%n", Network.INPUT, "", "", net.inputShape(), "");
        long total = 0;
        long trainable = 0;
        for (ModelIR.NodeIR n : net.ir().nodes()) {
            long count = 0;
            long train = 0;
            List<String> frozen = new ArrayList<>();
            for (Map.Entry<String, ParamSpec> e : net.paramSpecs().entrySet()) {
                if (!n.name().equals(net.nodeOf(e.getKey()))) {
                    continue;
                }
                long c = 1;
                for (long d : e.getValue().shape()) {
                    c *= d;
                }
                count += c;
                boolean isFrozen = !e.getValue().trainable() || (groups != null && groups.groupOf(e.getKey()) != null && groups.groupOf(e.getKey()).frozen());
                if (isFrozen) {
                    frozen.add(e.getKey().substring(n.name().length() + 1));
                } else {
                    train += c;
                }
            }
            total += count;
            trainable += train;
            String status = count == 0 ? "" : frozen.isEmpty() ? "yes" : train == 0 ? "frozen" : "partly (fixed: " + String.join(", ", frozen) + ")";
            if (ft != null) {
                status = (baseNodes.contains(n.name()) ? "[base] " : "[head] ") + status
                        + (ft.inferenceNodes().contains(n.name()) ? "; statistics frozen" : "");
            }
            out.printf(row + "%,12d  %s%n", n.name(), n.plugin() + " " + n.version(), String.join(", ", n.inputs()),
                    net.shapes().get(n.name()), count, status);
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("node", n.name());
            r.put("plugin", n.plugin());
            r.put("inputs", n.inputs());
            r.put("output_shape", net.shapes().get(n.name()).dims());
            r.put("params", count);
            r.put("trainable_params", train);
            r.put("fixed", frozen);
            if (ft != null) {
                r.put("part", baseNodes.contains(n.name()) ? "base" : "head");
            }
            rows.add(r);
        }
        out.printf("%ntotal parameters %,d; trainable %,d; fixed %,d; output '%s'; loss %s%n", total, trainable, total - trainable, net.ir().output(),
                net.ir().loss() == null ? "none (an imported model; attach one to train)" : net.ir().loss().plugin());
        if (common.json) {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("command", "summary");
            j.put("input_shape", net.inputShape().dims());
            j.put("nodes", rows);
            j.put("total_params", total);
            j.put("trainable_params", trainable);
            if (ft != null) {
                Map<String, Object> f = new LinkedHashMap<>();
                f.put("base", ft.base().origin());
                f.put("cut_at", ft.cutAt());
                f.put("dropped_nodes", ft.dropped());
                f.put("frozen_params", ft.frozen());
                f.put("batch_norm", ft.policy().name().toLowerCase());
                f.put("batch_norm_nodes", ft.statNodes());
                j.put("fine_tuning", f);
            }
            out.println(Common.json(j));
        }
        return 0;
    }
}
