package dev.graft.cli;

import dev.graft.onnx.export.OnnxExport;
import dev.graft.runtime.Graft;
import dev.graft.runtime.TrainedModel;
import dev.graft.runtime.engine.Network;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Export a Graft model directory to an ONNX file that takes raw features (the model's transforms are part of it).",
                "The output is what 'graft predict' prints (class probabilities for classifiers) unless --raw-output is given.",
                "Before the file takes its place, ONNX Runtime runs it on a few random inputs and it is compared with the native model;",
                "a difference above 1e-4 + 1e-3 x the largest output fails the export and leaves FILE as it was (--no-check skips it)."})
final class ExportCommand implements Callable<Integer> {
    /** How many random examples the check runs. */
    static final int CHECK_EXAMPLES = 8;
    /**
     * The check passes when the largest difference is at most ATOL + RTOL * the largest native output.
     * Exporters that write the wrong function miss by far more; a graph that amplifies rounding (ND4J
     * and ONNX Runtime round differently) can come close, hence the relative part and {@code --no-check}.
     */
    static final double ATOL = 1e-4;
    /** See {@link #ATOL}. */
    static final double RTOL = 1e-3;

    @Mixin
    Common common;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL_DIR", description = "model directory written by train or import")
    Path model;

    @Option(names = "--out", required = true, paramLabel = "FILE.onnx", description = "the ONNX file to write (replaced only once complete)")
    Path out;

    @Option(names = "--opset", paramLabel = "N", description = "ai.onnx opset to write, " + OnnxExport.MIN_OPSET + " to "
            + OnnxExport.MAX_OPSET + " (default: ${DEFAULT-VALUE})")
    int opset = OnnxExport.DEFAULT_OPSET;

    @Option(names = "--raw-output", description = "export the last layer's output (e.g. logits) without the loss's prediction function")
    boolean rawOutput;

    @Option(names = "--no-check", description = "write the file without running it through ONNX Runtime first")
    boolean noCheck;

    @Override
    public Integer call() {
        OnnxExport.Options options = new OnnxExport.Options(opset, rawOutput);
        Graft graft = common.graft();
        TrainedModel m = graft.load(model);
        OnnxExport.Result r = noCheck ? OnnxExport.export(m, graft.plugins(), out, options)
                : OnnxExport.exportChecked(m, graft.plugins(), out, options, CHECK_EXAMPLES, ATOL, RTOL);
        OnnxExport.Check check = r.check();
        PrintStream o = Main.stdout(spec);
        String what = r.predictions() ? "predictions of loss " + m.network().ir().loss().plugin()
                : m.network().ir().loss() == null ? "model output" : "raw output, without the loss's prediction function";
        o.printf("exported %s to %s: opset %d, %d ONNX nodes, %,d bytes%n", model, r.file(), r.opset(), r.nodes(), r.bytes());
        StringBuilder inputs = new StringBuilder();
        for (String name : r.inputs()) {
            long[] d = name.equals(Network.INPUT) ? m.rawInputShape().dims() : m.network().shapes().get(name).dims();
            inputs.append(inputs.length() == 0 ? "" : ", ").append("'").append(name).append("' [batch, ").append(dims(d)).append("]");
        }
        o.printf("  input%s %s, output '%s' [batch, %s] (%s)%n", r.inputs().size() == 1 ? "" : "s", inputs, r.output(),
                dims(r.outputShape().dims()), what);
        if (check != null) {
            o.printf("  checked with ONNX Runtime on %d random inputs: max |difference| from the native model %.3g (largest output %.3g)%n",
                    check.examples(), check.maxAbsDiff(), check.maxAbs());
        }
        if (common.json) {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("command", "export");
            j.put("status", "ok");
            j.put("file", r.file().toString());
            j.put("opset", r.opset());
            j.put("bytes", r.bytes());
            j.put("nodes", r.nodes());
            j.put("inputs", r.inputs());
            j.put("output", r.output());
            j.put("output_shape", r.outputShape().dims());
            j.put("predictions", r.predictions());
            Map<String, Object> c = null;
            if (check != null) {
                c = new LinkedHashMap<>();
                c.put("examples", check.examples());
                c.put("max_abs_diff", check.maxAbsDiff());
                c.put("max_abs_output", check.maxAbs());
            }
            j.put("check", c);
            o.println(Common.json(j));
        }
        return 0;
    }

    private static String dims(long[] d) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < d.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(d[i]);
        }
        return sb.toString();
    }
}
