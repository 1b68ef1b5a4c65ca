package dev.graft.cli;

import dev.graft.api.data.Target;
import dev.graft.runtime.Graft;
import dev.graft.runtime.GraftException;
import dev.graft.runtime.TrainedModel;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "predict", mixinStandardHelpOptions = true,
        description = {"Predict with a saved model. INPUT is a CSV file with one example per line: the raw feature values",
                "(as many as the model's input size, in C order), optionally under a header line. Prints one line per example."})
final class PredictCommand implements Callable<Integer> {
    @Mixin
    Common common;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL", description = "model directory written by train")
    Path model;

    @Parameters(index = "1", paramLabel = "INPUT", description = "CSV file of feature rows")
    Path input;

    @picocli.CommandLine.Option(names = "--engine", paramLabel = "ort|native",
            description = "for an .onnx MODEL: ONNX Runtime (ort, the default) or the model imported into Graft (native)")
    String engine = "ort";

    @picocli.CommandLine.Option(names = "--batch-axis", paramLabel = "first|none|auto",
            description = "for --engine native: which axis of the model's input is the batch. first: each CSV row is one example after the"
                    + " first dimension; none: each row is a whole input tensor, run on its own; auto (the default): first when the input"
                    + " has rank 2 or more, else none")
    String batchAxis = "auto";

    @Override
    public Integer call() throws IOException {
        if (model.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".onnx")) {
            return predictOnnx();
        }
        Graft graft = common.graft();
        TrainedModel m = graft.load(model);
        long width = m.rawInputShape().size();
        List<float[]> rows = readRows(input, width);
        float[] flat = new float[(int) (rows.size() * width)];
        for (int i = 0; i < rows.size(); i++) {
            System.arraycopy(rows.get(i), 0, flat, (int) (i * width), (int) width);
        }
        INDArray x = Nd4j.createFromArray(flat).reshape('c', m.rawInputShape().withBatch(rows.size()));
        INDArray p = m.predict(x);
        PrintStream out = Main.stdout(spec);
        List<Map<String, Object>> preds = new ArrayList<>();
        if (m.network().target() instanceof Target.Classes c) {
            out.println("row,class,label,probability");
            int[] classes = dev.graft.runtime.train.Metrics.classesOf(p);
            boolean single = p.size(1) == 1;
            for (int i = 0; i < rows.size(); i++) {
                int k = classes[i];
                double prob = single ? (k == 1 ? p.getDouble(i, 0) : 1 - p.getDouble(i, 0)) : p.getDouble(i, k);
                out.printf("%d,%d,%s,%.6f%n", i + 1, k, c.names().get(k), prob);
                Map<String, Object> j = new LinkedHashMap<>();
                j.put("row", i + 1);
                j.put("class", k);
                j.put("label", c.names().get(k));
                j.put("probabilities", example(p, i));
                preds.add(j);
            }
        } else {
            out.println("row,prediction");
            for (int i = 0; i < rows.size(); i++) {
                double[] v = example(p, i);
                out.printf("%d,%s%n", i + 1, java.util.Arrays.toString(v));
                preds.add(Map.of("row", i + 1, "prediction", v));
            }
        }
        if (common.json) {
            out.println(Common.json(Map.of("command", "predict", "status", "ok", "predictions", preds)));
        }
        return 0;
    }

    /** Each CSV row is one whole input tensor (batch axis none), run on its own. */
    private int predictWhole(dev.graft.onnx.InferenceEngine e, dev.graft.onnx.InferenceEngine.IoSpec in) throws IOException {
        long[] dims = in.dims();
        if (dims == null || !in.isStatic()) {
            throw new GraftException(GraftException.Code.USAGE, "input '" + in.name() + "' must have a static shape to be read as whole tensors");
        }
        long width = 1;
        for (long d : dims) {
            width *= d;
        }
        List<float[]> rows = readRows(input, width);
        PrintStream o = Main.stdout(spec);
        List<Map<String, Object>> preds = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            INDArray x = Nd4j.createFromArray(rows.get(i)).reshape('c', dims);
            Map<String, INDArray> out = e.run(Map.of(in.name(), x.castTo(in.type().nd4j().orElse(org.nd4j.linalg.api.buffer.DataType.FLOAT))));
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("row", i + 1);
            StringBuilder line = new StringBuilder(Integer.toString(i + 1));
            for (Map.Entry<String, INDArray> oe : out.entrySet()) {
                double[] v = oe.getValue().dup().reshape(-1).castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).toDoubleVector();
                row.put(oe.getKey(), v);
                line.append(',').append(oe.getKey()).append('=').append(java.util.Arrays.toString(v));
            }
            o.println(line);
            preds.add(row);
        }
        if (common.json) {
            o.println(Common.json(Map.of("command", "predict", "status", "ok", "engine", engine, "batch_axis", "none", "predictions", preds)));
        }
        return 0;
    }

    private int predictOnnx() throws IOException {
        if (!engine.equals("ort") && !engine.equals("native")) {
            throw new GraftException(GraftException.Code.USAGE, "--engine must be ort or native, got '" + engine + "'");
        }
        dev.graft.onnx.imports.BatchAxis axis = dev.graft.onnx.imports.BatchAxis.parse(batchAxis, "--batch-axis");
        if (engine.equals("ort") && axis != dev.graft.onnx.imports.BatchAxis.AUTO) {
            throw new GraftException(GraftException.Code.USAGE, "--batch-axis applies to --engine native only");
        }
        common.graft();
        dev.graft.onnx.InferenceEngineFactory f = dev.graft.onnx.InferenceEngineFactory.find(engine, PredictCommand.class.getClassLoader())
                .orElseThrow(() -> new GraftException(GraftException.Code.PLUGIN, "the " + engine + " engine is not available"));
        try (dev.graft.onnx.InferenceEngine e = f.open(model, new dev.graft.onnx.InferenceEngineFactory.OpenOptions(axis, Map.of()))) {
            if (e.inputs().size() != 1) {
                throw new GraftException(GraftException.Code.USAGE, model + " takes " + e.inputs().size() + " inputs; predict feeds one input from a CSV");
            }
            dev.graft.onnx.InferenceEngine.IoSpec in = e.inputs().get(0);
            long[] dims = in.dims();
            if (axis == dev.graft.onnx.imports.BatchAxis.NONE) {
                return predictWhole(e, in);
            }
            if (dims == null || dims.length < 2) {
                throw new GraftException(GraftException.Code.USAGE, "input '" + in.name() + "' must be [batch, ...] with static dimensions after the batch");
            }
            long width = 1;
            for (int i = 1; i < dims.length; i++) {
                if (dims[i] < 0) {
                    throw new GraftException(GraftException.Code.USAGE, "input '" + in.name() + "' dimension " + i + " is not static");
                }
                width *= dims[i];
            }
            List<float[]> rows = readRows(input, width);
            float[] flat = new float[(int) (rows.size() * width)];
            for (int i = 0; i < rows.size(); i++) {
                System.arraycopy(rows.get(i), 0, flat, (int) (i * width), (int) width);
            }
            long[] shape = dims.clone();
            shape[0] = rows.size();
            Map<String, INDArray> out = e.run(Map.of(in.name(), Nd4j.createFromArray(flat).reshape('c', shape)));
            PrintStream o = Main.stdout(spec);
            List<Map<String, Object>> preds = new ArrayList<>();
            for (int i = 0; i < rows.size(); i++) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("row", i + 1);
                StringBuilder line = new StringBuilder(Integer.toString(i + 1));
                for (Map.Entry<String, INDArray> oe : out.entrySet()) {
                    double[] v = example(oe.getValue(), i);
                    row.put(oe.getKey(), v);
                    line.append(',').append(oe.getKey()).append('=').append(java.util.Arrays.toString(v));
                }
                o.println(line);
                preds.add(row);
            }
            if (common.json) {
                o.println(Common.json(Map.of("command", "predict", "status", "ok", "engine", engine, "predictions", preds)));
            }
        }
        return 0;
    }

    /** Example {@code i} of a batch-first output of any rank, flattened in row-major order. */
    static double[] example(INDArray batch, int i) {
        if (batch.rank() == 1) {
            return new double[] {batch.getDouble(i)};
        }
        return batch.get(org.nd4j.linalg.indexing.NDArrayIndex.point(i)).castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE)
                .dup('c').reshape(-1).toDoubleVector();
    }

    static List<float[]> readRows(Path file, long width) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new GraftException(GraftException.Code.DATA, "input file " + file.toAbsolutePath() + " does not exist");
        }
        List<float[]> rows = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(file)) {
            String line;
            int lineNo = 0;
            while ((line = r.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                String[] cells = line.split(",", -1);
                if (lineNo == 1 && !isNumber(cells[0].trim())) {
                    continue;
                }
                if (cells.length != width) {
                    throw new GraftException(GraftException.Code.DATA, file + ": line " + lineNo + " has " + cells.length
                            + " values; the model takes " + width + " per example");
                }
                float[] v = new float[(int) width];
                for (int i = 0; i < cells.length; i++) {
                    String cell = cells[i].trim();
                    try {
                        v[i] = Float.parseFloat(cell);
                    } catch (NumberFormatException e) {
                        throw new GraftException(GraftException.Code.DATA, file + ": line " + lineNo + ", column " + (i + 1) + ": '" + cell + "' is not a number");
                    }
                    if (!Float.isFinite(v[i])) {
                        throw new GraftException(GraftException.Code.DATA, file + ": line " + lineNo + ", column " + (i + 1) + ": '" + cell + "' is not finite");
                    }
                }
                rows.add(v);
            }
        }
        if (rows.isEmpty()) {
            throw new GraftException(GraftException.Code.DATA, file + " holds no example rows");
        }
        return rows;
    }

    private static boolean isNumber(String s) {
        try {
            Double.parseDouble(s);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
