package dev.graft.cli;

import dev.graft.onnx.InferenceEngine;
import dev.graft.onnx.InferenceEngineFactory;
import dev.graft.onnx.export.OnnxExport;
import dev.graft.runtime.Graft;
import dev.graft.runtime.GraftException;
import dev.graft.runtime.Run;
import dev.graft.runtime.TrainedModel;
import dev.graft.runtime.config.ConfigFiles;
import dev.graft.runtime.config.Experiment;
import dev.graft.runtime.config.ExperimentParser;
import dev.graft.runtime.train.Metrics;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code graft demo finetune}: the fine-tuning sample of {@code samples/finetune}, end to end on a
 * subset of the data. A CNN pretrained in PyTorch on Fashion-MNIST classes 0-4 (shipped as ONNX inside
 * the CLI jar) is imported, cut before its classifier, given a new head and fine-tuned on classes 5-9
 * with a frozen trunk; then the model is exported to ONNX and served with ONNX Runtime, whose classes
 * are compared with Graft's.
 */
final class FinetuneDemo {
    /** The sample's files, packaged from {@code samples/finetune}. */
    static final String RESOURCES = "finetune/";
    static final String CONFIG = "fashion-finetune.yaml";
    static final String BASE = "fashion-cnn-0to4.onnx";
    /** Where Debian's dataset-fashion-mnist puts the files; the system property overrides it. */
    static final String DATA_PROPERTY = "graft.demo.fashion-mnist";
    static final Path DEFAULT_DATA = Path.of("/usr/share/datasets/fashion-mnist");
    static final List<String> FILES = List.of("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
            "t10k-labels-idx1-ubyte.gz");

    /** The demo's changes to the sample config: a subset of the data, so it runs in well under a minute. */
    static final List<String> QUICK = List.of("data.dataset.limit=3000", "data.dataset.test-limit=2000", "training.epochs=4",
            "training.checkpoint.every=0", "output.dir=runs/demo-finetune");

    private FinetuneDemo() {
    }

    static Path dataDir() {
        String p = System.getProperty(DATA_PROPERTY);
        return p == null || p.isBlank() ? DEFAULT_DATA : Path.of(p);
    }

    /** The sample config as the demo runs it. */
    static String configText() throws IOException {
        return new String(resource(CONFIG), StandardCharsets.UTF_8);
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = FinetuneDemo.class.getResourceAsStream(RESOURCES + name)) {
            if (in == null) {
                throw new IllegalStateException("the fine-tuning sample (" + name + ") is missing from the CLI jar");
            }
            return in.readAllBytes();
        }
    }

    static int run(Graft graft, List<String> sets, PrintStream out, boolean json) throws IOException {
        Path data = dataDir();
        List<String> missing = FILES.stream().filter(f -> !Files.isRegularFile(data.resolve(f))).toList();
        if (!missing.isEmpty()) {
            throw new GraftException(GraftException.Code.DATA, "the finetune demo needs Fashion-MNIST in " + data + " (missing: " + String.join(", ", missing)
                    + "); install the Debian package dataset-fashion-mnist (apt-get install dataset-fashion-mnist; ./graft does it when run as root)");
        }
        Path tmp = Files.createTempDirectory("graft-demo-finetune");
        try {
            Files.write(tmp.resolve(BASE), resource(BASE));
            Path config = tmp.resolve(CONFIG);
            Files.write(config, resource(CONFIG));
            List<String> all = new ArrayList<>();
            for (int i = 0; i < FILES.size(); i++) {
                String key = List.of("images", "labels", "test-images", "test-labels").get(i);
                all.add("data.dataset." + key + "=" + data.resolve(FILES.get(i)));
            }
            all.addAll(QUICK);
            all.addAll(sets);
            Map<String, Object> tree = ConfigFiles.load(config, all);
            Experiment exp = ExperimentParser.parse(tree, tmp, "demo-finetune");
            out.printf("fine-tuning demo: %s (pretrained in PyTorch on Fashion-MNIST classes 0-4 by samples/finetune/pretrain.py)%n"
                    + "  fine-tuned on classes 5-9 with a frozen trunk; a subset of the data: %s%n", BASE, String.join(" ", QUICK.subList(0, 3)));
            return TrainFlow.run(graft, exp, null, null, out, json, "demo finetune", (r, model, j) -> exportAndServe(graft, r, model, j, out));
        } finally {
            deleteTree(tmp);
        }
    }

    /**
     * The last step: export to ONNX (checked against the native model) and serve the file with ONNX
     * Runtime on the test split, comparing its classes with Graft's.
     */
    private static void exportAndServe(Graft graft, Run run, TrainedModel model, Map<String, Object> json, PrintStream out) {
        Path dir = run.experiment().outputDir().toAbsolutePath();
        Path file = dir.resolveSibling(dir.getFileName() + ".onnx");
        OnnxExport.Result exported = OnnxExport.exportChecked(model, graft.plugins(), file, OnnxExport.Options.DEFAULT, 8, 1e-4, 1e-3);
        out.printf("%nexported to %s (%,d bytes, opset %d, %d nodes); ONNX Runtime agrees with Graft within %.2g on random inputs%n",
                file, exported.bytes(), exported.opset(), exported.nodes(), exported.check().maxAbsDiff());
        INDArray x = run.splits().test().features();
        int[] labels = run.splits().test().labels().toIntVector();
        Served s = serve(file, x, labels, model.predictClasses(x));
        out.printf("served with ONNX Runtime: %d test images, accuracy %.4f; the same class as Graft for %d of them (%.2f%%), %.1f ms per image%n",
                s.examples(), s.accuracy(), s.agree(), 100.0 * s.agree() / s.examples(), s.millisPerExample());
        json.put("export", Map.of("status", "ok", "file", file.toString()));
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("engine", "ort");
        j.put("examples", s.examples());
        j.put("accuracy", s.accuracy());
        j.put("agree_with_graft", s.agree());
        json.put("serve", j);
    }

    /** ONNX Runtime's classes for a test set, against the labels and Graft's classes. */
    record Served(int examples, double accuracy, int agree, double millisPerExample) {
    }

    /**
     * Serves an ONNX classifier with ONNX Runtime: one input {@code [batch, ...]} fed with {@code x}, the
     * class of each example the arg-max of the first output.
     */
    static Served serve(Path onnx, INDArray x, int[] labels, int[] graftClasses) {
        InferenceEngineFactory ort = InferenceEngineFactory.find("ort", FinetuneDemo.class.getClassLoader())
                .orElseThrow(() -> new GraftException(GraftException.Code.PLUGIN, "the ONNX Runtime engine is not available"));
        try (InferenceEngine e = ort.open(onnx)) {
            if (e.inputs().size() != 1) {
                throw new GraftException(GraftException.Code.MODEL, onnx + " takes " + e.inputs().size() + " inputs; the demo feeds one");
            }
            long t0 = System.nanoTime();
            INDArray y = e.run(Map.of(e.inputs().get(0).name(), x)).values().iterator().next();
            double ms = (System.nanoTime() - t0) / 1e6 / x.size(0);
            int[] classes = Metrics.classesOf(y);
            int right = 0;
            int agree = 0;
            for (int i = 0; i < classes.length; i++) {
                right += classes[i] == labels[i] ? 1 : 0;
                agree += classes[i] == graftClasses[i] ? 1 : 0;
            }
            return new Served(classes.length, (double) right / classes.length, agree, ms);
        }
    }

    private static void deleteTree(Path p) {
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(q);
            }
        } catch (IOException e) {
            System.err.println("warning: cannot remove " + p + ": " + e.getMessage());
        }
    }
}
