package dev.graft.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.graft.onnx.imports.OnnxImporter;
import dev.graft.runtime.Graft;
import dev.graft.runtime.TrainedModel;
import dev.graft.runtime.train.Metrics;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.DataInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * graft finetune end to end: a small CNN exported by PyTorch (conv, batch norm, pooling, dense; the
 * onnx-bridge test model cnn_op13) fine-tuned on the embedded digits with a new 10-class head, then
 * summary and eval on it; the errors of train and finetune for the wrong kind of config; the sample of
 * samples/finetune against PyTorch; and the demo's serving step with ONNX Runtime.
 */
class FinetuneCommandTest {
    private static final Path CNN = Path.of("..", "onnx-bridge", "src", "test", "resources", "models", "cnn_op13.onnx").toAbsolutePath().normalize();
    private static final Path SAMPLE = Path.of("..", "samples", "finetune").toAbsolutePath().normalize();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private Path config(String base) throws IOException {
        Files.copy(CNN, tmp.resolve("cnn.onnx"));
        Path cfg = tmp.resolve("ft.yaml");
        Files.writeString(cfg, """
                data: {dataset: {type: digits, layout: image}, transforms: [min-max], test-split: 0.2}
                base: %s
                head: {layers: [{type: batch-norm, name: hbn}, {type: dense, units: 10, name: out}]}
                loss: softmax-cross-entropy
                optimizer: {type: adam, lr: 0.05}
                training: {epochs: 3, batch-size: 64, seed: 2, progress: none, metrics: [accuracy]}
                output: {dir: %s}
                """.formatted(base, tmp.resolve("model")));
        return cfg;
    }

    @Test
    void finetunesPrintsBeforeAndAfterAndTheModelEvaluatesAndSummarises() throws IOException {
        Path cfg = config("{onnx: cnn.onnx, cut-at: Reshape, freeze-all-but-last: 0, batch-norm: frozen}");
        CliRunner r = CliRunner.run("finetune", cfg.toString(), "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("base: cnn.onnx, 11 nodes; cut at 'Reshape': 9 kept, 2 dropped (fc_Gemm, LogSoftmax)")
                .contains("frozen: 7 parameter tensors").contains("batch norm: frozen")
                .contains("before: the base with its new, untrained head on the test split")
                .contains("before: the base model as it is is not scored: its output does not fit")
                .contains("before -> after fine-tuning (test split): loss ");
        JsonNode j = JSON.readTree(r.lastLine());
        assertThat(j.get("command").asText()).isEqualTo("finetune");
        double before = j.get("before").get("accuracy").asDouble();
        double after = j.get("metrics").get("accuracy").asDouble();
        assertThat(after).as("fine-tuned accuracy").isGreaterThan(before + 0.3).isGreaterThan(0.6);
        assertThat(j.get("fine_tuning").get("cut_at").asText()).isEqualTo("Reshape");
        assertThat(j.get("fine_tuning").get("frozen_params")).hasSize(7);
        assertThat(j.get("fine_tuning").get("batch_norm_nodes").toString()).contains("bn1_BatchNormalization", "bn2_BatchNormalization");
        assertThat(j.get("base_as_is").get("skipped").asText()).contains("[5]").contains("10 classes");

        CliRunner eval = CliRunner.run("eval", tmp.resolve("model").toString(), "--json");
        assertThat(eval.exit()).as(eval.err()).isZero();
        assertThat(JSON.readTree(eval.lastLine()).get("metrics").get("accuracy").asDouble()).isEqualTo(after);

        CliRunner summary = CliRunner.run("summary", cfg.toString(), "--json");
        assertThat(summary.exit()).as(summary.err()).isZero();
        assertThat(summary.out()).contains("fine-tuning cnn.onnx: cut at 'Reshape', 9 of its 11 nodes kept (dropped: fc_Gemm, LogSoftmax)")
                .contains("[base] frozen; statistics frozen").contains("[head] yes").contains("[head] partly (fixed: running_mean, running_var)");
        JsonNode s = JSON.readTree(summary.lastLine());
        java.util.Map<String, Long> headParams = java.util.Map.of("hbn", 64L, "out", 330L);
        for (JsonNode row : s.get("nodes")) {
            String node = row.get("node").asText();
            assertThat(row.get("part").asText()).isEqualTo(headParams.containsKey(node) ? "head" : "base");
            assertThat(row.get("trainable_params").asLong()).as(node).isEqualTo(headParams.getOrDefault(node, 0L));
        }
        assertThat(s.get("trainable_params").asLong()).isEqualTo(394);
    }

    @Test
    void trainRefusesABaseConfigAndFinetuneNeedsOne() throws IOException {
        Path cfg = config("{onnx: cnn.onnx, cut-at: Reshape}");
        CliRunner train = CliRunner.run("train", cfg.toString());
        assertThat(train.isCleanError()).as(train.err()).isTrue();
        assertThat(train.exit()).isEqualTo(2);
        assertThat(train.err()).contains("has a base section").contains("graft finetune");

        Path plain = tmp.resolve("plain.yaml");
        Files.writeString(plain, """
                data: {dataset: digits}
                model: {layers: [{type: dense, units: 10}]}
                loss: softmax-cross-entropy
                optimizer: sgd
                """);
        CliRunner ft = CliRunner.run("finetune", plain.toString());
        assertThat(ft.isCleanError()).as(ft.err()).isTrue();
        assertThat(ft.err()).contains("has no base section").contains("graft train");
    }

    @Test
    void badNodeNamesAreOneClearConfigError() throws IOException {
        Path cfg = config("{onnx: cnn.onnx, cut-at: Reshap, freeze: [conv3*]}");
        CliRunner r = CliRunner.run("finetune", cfg.toString());
        assertThat(r.isCleanError()).as(r.err()).isTrue();
        assertThat(r.exit()).isEqualTo(3);
        assertThat(r.err()).contains("base.cut-at: 'Reshap' is not a node of cnn.onnx; did you mean 'Reshape'?")
                .contains("conv1_Conv, bn1_BatchNormalization, Relu, MaxPool, conv2_Conv");
        CliRunner pattern = CliRunner.run("finetune", cfg.toString(), "--set", "base.cut-at=Reshape");
        assertThat(pattern.isCleanError()).as(pattern.err()).isTrue();
        assertThat(pattern.err()).contains("base.freeze[0]: 'conv3*' matches no node or parameter of the base kept by the cut at 'Reshape'")
                .contains("conv1_Conv");
    }

    @Test
    void theDemoSaysWhatToInstallWhenFashionMnistIsMissing() {
        System.setProperty(FinetuneDemo.DATA_PROPERTY, tmp.resolve("none").toString());
        try {
            CliRunner r = CliRunner.run("demo", "finetune");
            assertThat(r.isCleanError()).as(r.err()).isTrue();
            assertThat(r.exit()).isEqualTo(5);
            assertThat(r.err()).contains("needs Fashion-MNIST in " + tmp.resolve("none")).contains("apt-get install dataset-fashion-mnist");
        } finally {
            System.clearProperty(FinetuneDemo.DATA_PROPERTY);
        }
        CliRunner show = CliRunner.run("demo", "finetune", "--show-config");
        assertThat(show.exit()).isZero();
        assertThat(show.out()).contains("base:").contains("onnx: fashion-cnn-0to4.onnx").contains("data.dataset.limit=3000");
        CliRunner bad = CliRunner.run("demo", "mnist");
        assertThat(bad.isCleanError()).as(bad.err()).isTrue();
        assertThat(bad.err()).contains("unknown demo 'mnist'").contains("finetune");
    }

    @Test
    void theDemoServesAnOnnxFileWithOnnxRuntimeAndComparesItsClassesWithGraft() {
        // the serving step, on the sample's base model: ONNX Runtime and Graft's import of the same file
        Path onnx = SAMPLE.resolve("fashion-cnn-0to4.onnx");
        Graft graft = Graft.builder().useEnvironment(false).build();
        OnnxImporter.Imported imp = OnnxImporter.importModel(onnx, graft.plugins());
        TrainedModel m = TrainedModel.of(graft, imp.ir(), imp.params(), onnx.toString());
        INDArray x = Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 64, 1, 28, 28);
        int[] graftClasses = Metrics.classesOf(m.predict(x));
        int[] labels = new int[64];
        FinetuneDemo.Served s = FinetuneDemo.serve(onnx, x, labels, graftClasses);
        assertThat(s.examples()).isEqualTo(64);
        assertThat(s.agree()).isEqualTo(64);
        long zeros = java.util.Arrays.stream(graftClasses).filter(c -> c == 0).count();
        assertThat(s.accuracy()).isEqualTo(zeros / 64.0);
    }

    @Test
    void theSampleBaseReproducesPyTorchsLogits() throws IOException {
        Path data = FinetuneDemo.DEFAULT_DATA;
        Assumptions.assumeTrue(Files.isDirectory(data), "Fashion-MNIST (dataset-fashion-mnist) is not installed");
        JsonNode rec = JSON.readTree(SAMPLE.resolve("fashion-cnn-0to4.json").toFile());
        JsonNode logits = rec.get("first_test_logits");
        INDArray x = firstTestImagesOfClasses04(data, logits.size());
        Graft graft = Graft.builder().useEnvironment(false).build();
        OnnxImporter.Imported imp = OnnxImporter.importModel(SAMPLE.resolve("fashion-cnn-0to4.onnx"), graft.plugins());
        INDArray y = TrainedModel.of(graft, imp.ir(), imp.params(), "sample").predict(x);
        for (int i = 0; i < logits.size(); i++) {
            for (int k = 0; k < 5; k++) {
                assertThat(y.getDouble(i, k)).as("example " + i + ", logit " + k)
                        .isCloseTo(logits.get(i).get(k).asDouble(), org.assertj.core.data.Offset.offset(2e-4));
            }
        }
        assertThat(Files.size(SAMPLE.resolve("fashion-cnn-0to4.onnx"))).isLessThan(300_000);
    }

    @Test
    void theFinetuneDemoRunsEndToEndOnATinySubset() throws IOException {
        Assumptions.assumeTrue(Files.isDirectory(FinetuneDemo.DEFAULT_DATA), "Fashion-MNIST (dataset-fashion-mnist) is not installed");
        CliRunner r = CliRunner.run("demo", "finetune", "--json", "--set", "data.dataset.limit=400", "--set", "data.dataset.test-limit=200",
                "--set", "training.epochs=1", "--set", "output.dir=" + tmp.resolve("demo"), "--set", "training.progress=none");
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode j = JSON.readTree(r.lastLine());
        assertThat(j.get("command").asText()).isEqualTo("demo finetune");
        assertThat(j.get("metrics").get("examples").asInt()).isEqualTo(200);
        assertThat(j.get("before").get("accuracy").asDouble()).isBetween(0.0, 1.0);
        assertThat(j.get("base_as_is").get("accuracy").asDouble()).isBetween(0.0, 1.0);
        assertThat(j.get("fine_tuning").get("dropped_nodes").toString()).contains("classifier_Gemm");
        assertThat(j.get("export").get("status").asText()).isEqualTo("ok");
        assertThat(j.get("serve").get("agree_with_graft").asInt()).isEqualTo(200);
        assertThat(Files.exists(tmp.resolve("demo.onnx"))).isTrue();
        assertThat(Files.exists(tmp.resolve("demo").resolve("model.json"))).isTrue();
    }

    /** The first {@code n} test images labelled 0-4, scaled to [0, 1], as pretrain.py reads them. */
    static INDArray firstTestImagesOfClasses04(Path data, int n) throws IOException {
        byte[] labels;
        try (DataInputStream in = new DataInputStream(new GZIPInputStream(Files.newInputStream(data.resolve("t10k-labels-idx1-ubyte.gz"))))) {
            in.readInt();
            labels = new byte[in.readInt()];
            in.readFully(labels);
        }
        List<float[]> images = new ArrayList<>();
        try (DataInputStream in = new DataInputStream(new GZIPInputStream(Files.newInputStream(data.resolve("t10k-images-idx3-ubyte.gz"))))) {
            in.readInt();
            in.readInt();
            int rows = in.readInt();
            int cols = in.readInt();
            byte[] img = new byte[rows * cols];
            for (int i = 0; i < labels.length && images.size() < n; i++) {
                in.readFully(img);
                if ((labels[i] & 0xFF) <= 4) {
                    float[] f = new float[img.length];
                    for (int k = 0; k < f.length; k++) {
                        f[k] = (img[k] & 0xFF) / 255f;
                    }
                    images.add(f);
                }
            }
        }
        float[] flat = new float[n * 784];
        for (int i = 0; i < n; i++) {
            System.arraycopy(images.get(i), 0, flat, i * 784, 784);
        }
        return Nd4j.createFromArray(flat).reshape('c', n, 1, 28, 28);
    }
}
