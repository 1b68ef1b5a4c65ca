package dev.graft.cli;

import dev.graft.runtime.Graft;
import dev.graft.runtime.GraftException;
import dev.graft.runtime.TrainedModel;
import dev.graft.onnx.imports.OnnxImporter;
import onnx.Onnx;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "import", mixinStandardHelpOptions = true,
        description = {"Import an ONNX model into a Graft model directory whose weights are trainable parameters.",
                "--check reports op coverage (every node no converter handles) without importing."})
final class ImportCommand implements Callable<Integer> {
    @Mixin
    Common common;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL.onnx", description = "the ONNX model file")
    Path model;

    @Option(names = "--check", description = "report op coverage only")
    boolean check;

    @Option(names = "--out", paramLabel = "DIR", description = "write the imported Graft model directory here")
    Path out;

    @Option(names = "--batch-axis", paramLabel = "first|none|auto",
            description = "which axis of the data is the batch: first (the first dimension of every input), none (the inputs are whole"
                    + " tensors; each example of the imported model is one), auto (first when every input has rank 2 or more and they"
                    + " share their first dimension, else none; the default)")
    String batchAxis = "auto";

    @Override
    public Integer call() {
        if (!check && out == null) {
            throw new GraftException(GraftException.Code.USAGE, "give --check to report op coverage, or --out DIR to import");
        }
        dev.graft.onnx.imports.BatchAxis axis = dev.graft.onnx.imports.BatchAxis.parse(batchAxis, "--batch-axis");
        Graft graft = common.graft();
        Onnx.ModelProto proto = read(model);
        PrintStream o = Main.stdout(spec);
        OnnxImporter.Coverage cov = OnnxImporter.coverage(proto, graft.plugins());
        if (check) {
            o.printf("%s: %d nodes, %d op types%n", model, proto.getGraph().getNodeCount(), cov.ops().size());
            cov.ops().forEach((op, n) -> {
                String bare = op.contains(".") ? op.substring(op.lastIndexOf('.') + 1) : op;
                boolean missing = cov.unsupported().stream().anyMatch(u -> u.opType().equals(bare));
                o.printf("  %-36s %5d  %s%n", op, n, missing ? "UNSUPPORTED" : "ok");
            });
            cov.unsupported().forEach(u -> o.println("  unsupported " + u));
            o.println(cov.complete() ? "every node has a converter" : cov.unsupported().size() + " nodes have no converter");
            if (common.json) {
                Map<String, Object> j = new LinkedHashMap<>();
                j.put("command", "import");
                j.put("model", model.toString());
                j.put("complete", cov.complete());
                j.put("ops", cov.ops());
                j.put("unsupported", cov.unsupported().stream().map(u -> Map.of("node", u.node(), "domain", u.domain(), "op_type", u.opType(),
                        "opset", u.opset())).toList());
                o.println(Common.json(j));
            }
            return cov.complete() ? 0 : GraftException.Code.MODEL.exitCode();
        }
        OnnxImporter.Imported imported = OnnxImporter.importModel(proto, graft.plugins(), model.toString(), model.toAbsolutePath().getParent(),
                dev.graft.onnx.imports.ImportOptions.of(axis));
        if (!imported.computes()) {
            throw new GraftException(GraftException.Code.MODEL, model + ": the model computes nothing from its inputs; there is nothing to save");
        }
        for (OnnxImporter.Output output : imported.outputs()) {
            if (output.isConstant()) {
                throw new GraftException(GraftException.Code.MODEL, model + ": the output '" + output.onnxName() + "' is a constant (folded at import);"
                        + " a Graft model directory holds computed outputs only (serve the model with predict --engine native or ort)");
            }
        }
        TrainedModel m = TrainedModel.of(graft, imported.ir(), imported.params(), model.toString());
        m.save(out);
        o.printf("imported %s: %d Graft nodes, %,d parameters, input %s (batch axis %s); saved to %s%n", model, imported.ir().nodes().size(),
                m.network().parameterCount(), m.network().inputShape(), imported.batchAxis().label(), out.toAbsolutePath());
        if (common.json) {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("command", "import");
            j.put("status", "ok");
            j.put("model_dir", out.toAbsolutePath().toString());
            j.put("nodes", imported.ir().nodes().size());
            j.put("parameters", m.network().parameterCount());
            j.put("input_shape", m.network().inputShape().dims());
            j.put("batch_axis", imported.batchAxis().label());
            o.println(Common.json(j));
        }
        return 0;
    }

    static Onnx.ModelProto read(Path file) {
        return dev.graft.onnx.proto.OnnxFiles.readModel(file);
    }
}
