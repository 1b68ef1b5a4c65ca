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

    @Override
    public Integer call() throws IOException {
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
                j.put("probabilities", p.getRow(i).toDoubleVector());
                preds.add(j);
            }
        } else {
            out.println("row,prediction");
            for (int i = 0; i < rows.size(); i++) {
                double[] v = p.getRow(i).dup().reshape(-1).toDoubleVector();
                out.printf("%d,%s%n", i + 1, java.util.Arrays.toString(v));
                preds.add(Map.of("row", i + 1, "prediction", v));
            }
        }
        if (common.json) {
            out.println(Common.json(Map.of("command", "predict", "status", "ok", "predictions", preds)));
        }
        return 0;
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
