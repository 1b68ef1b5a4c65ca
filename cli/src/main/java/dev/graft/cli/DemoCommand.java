package dev.graft.cli;

import dev.graft.runtime.Graft;
import dev.graft.runtime.GraftException;
import dev.graft.runtime.config.ConfigFiles;
import dev.graft.runtime.config.Experiment;
import dev.graft.runtime.config.ExperimentParser;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"digits (the default): train an MLP on the 8x8 handwritten digits embedded",
                "in Graft (nothing is downloaded), print the test metrics, save runs/demo.",
                "finetune: fine-tune a CNN pretrained in PyTorch (ONNX) on Fashion-MNIST",
                "classes 0-4 to classes 5-9 with a frozen trunk, print the test metrics",
                "before and after, save runs/demo-finetune, then export it to ONNX and",
                "serve it with ONNX Runtime (needs Debian's dataset-fashion-mnist)."})
final class DemoCommand implements Callable<Integer> {
    static final String CONFIG = "demo-digits.yaml";

    @Mixin
    Common common;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = {"-s", "--set"}, paramLabel = "KEY=VALUE", description = "override a value of the demo config")
    List<String> sets = new ArrayList<>();

    @Option(names = "--show-config", description = "print the demo's experiment config and exit")
    boolean showConfig;

    @picocli.CommandLine.Parameters(index = "0", arity = "0..1", paramLabel = "WHICH", description = "digits (default) or finetune")
    String which = "digits";

    @Override
    public Integer call() throws Exception {
        if (which.equals("finetune")) {
            if (showConfig) {
                PrintStream o = Main.stdout(spec);
                o.print(FinetuneDemo.configText());
                o.println("# the demo runs it with --set " + String.join(" --set ", FinetuneDemo.QUICK));
                return 0;
            }
            return FinetuneDemo.run(common.graft(), sets, Main.stdout(spec), common.json);
        }
        if (!which.equals("digits")) {
            throw new GraftException(GraftException.Code.USAGE, "unknown demo '" + which + "'; the demos are digits (the default) and finetune");
        }
        byte[] text;
        try (InputStream in = DemoCommand.class.getResourceAsStream(CONFIG)) {
            if (in == null) {
                throw new IllegalStateException("demo config missing from the jar");
            }
            text = in.readAllBytes();
        }
        if (showConfig) {
            Main.stdout(spec).print(new String(text, StandardCharsets.UTF_8));
            return 0;
        }
        Map<String, Object> tree = ConfigFiles.read(new InputStreamReader(new java.io.ByteArrayInputStream(text), StandardCharsets.UTF_8),
                ConfigFiles.Format.YAML, sets, "the demo config");
        Graft graft = common.graft();
        Experiment exp = ExperimentParser.parse(tree, Path.of("").toAbsolutePath(), "demo");
        if (exp == null) {
            throw new GraftException(GraftException.Code.CONFIG, "demo config is empty");
        }
        return TrainFlow.run(graft, exp, null, null, Main.stdout(spec), common.json, "demo");
    }
}
