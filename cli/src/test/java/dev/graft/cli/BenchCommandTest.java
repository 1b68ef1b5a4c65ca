package dev.graft.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.graft.cli.bench.OnnxBench;
import dev.graft.cli.bench.Workloads;
import dev.graft.onnx.InferenceEngine;
import dev.graft.onnx.InferenceEngineFactory;
import dev.graft.runtime.Graft;
import dev.graft.runtime.engine.Network;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** {@code graft bench}: the workloads are the reference's models, run through the trainer, reported with the reference's keys. */
class BenchCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void mlpReportsTheReferenceKeysAsTheLastLine() throws Exception {
        CliRunner r = CliRunner.run("bench", "mlp", "--batch", "8", "--steps", "3", "--warmup", "1", "--threads", "1", "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode j = JSON.readTree(r.lastLine());
        assertThat(j.get("workload").asText()).isEqualTo("mlp");
        assertThat(j.get("batch").asInt()).isEqualTo(8);
        assertThat(j.get("threads").asInt()).isEqualTo(1);
        assertThat(j.get("train_ms_per_step_median").asDouble()).isPositive();
        assertThat(j.get("train_ms_min").asDouble()).isLessThanOrEqualTo(j.get("train_ms_per_step_median").asDouble());
        assertThat(j.get("infer_ms_per_batch_median").asDouble()).isPositive();
        assertThat(j.get("peak_rss_mb").asLong()).isPositive();
        assertThat(r.out()).contains("graft-plan mlp batch 8");
    }

    @Test
    void onnxWorkloadsTimeInferenceOnlyThroughEitherEngine() throws Exception {
        for (String w : List.of("onnx-ort", "onnx-native")) {
            CliRunner r = CliRunner.run("bench", w, "--model", "cnn", "--batch", "4", "--steps", "2", "--warmup", "1", "--json");
            assertThat(r.exit()).as(w + ": " + r.err()).isZero();
            JsonNode j = JSON.readTree(r.lastLine());
            assertThat(j.get("workload").asText()).isEqualTo(w);
            assertThat(j.get("model").asText()).isEqualTo("cnn");
            assertThat(j.get("train_ms_per_step_median").isNull()).isTrue();
            assertThat(j.get("infer_ms_per_batch_median").asDouble()).isPositive();
        }
    }

    @Test
    void trainTimingReportsWhenTheFirstStepFinished(@org.junit.jupiter.api.io.TempDir Path tmp) {
        Path config = Path.of("..", "samples", "configs", "digits-mlp.yaml").toAbsolutePath().normalize();
        CliRunner r = CliRunner.run("train", config.toString(), "--timing", "--out", tmp.resolve("m").toString(),
                "--set", "training.epochs=1", "--set", "training.progress=none");
        assertThat(r.exit()).as(r.err()).isZero();
        java.util.regex.Matcher m = java.util.regex.Pattern
                .compile("timing: first training step done (\\d+) ms after the process started \\((\\d+) ms after the JVM started;"
                        + " (\\d+) ms of CPU time, all threads\\)")
                .matcher(r.err());
        assertThat(m.find()).as(r.err()).isTrue();
        // the process started before the JVM did, and this test JVM has been up for a while
        assertThat(Long.parseLong(m.group(1))).isGreaterThanOrEqualTo(Long.parseLong(m.group(2)) - 20).isPositive();
        // this JVM has worked (it trained a step) but cannot have used more than all its cores all the time since it started
        assertThat(Long.parseLong(m.group(3))).isPositive()
                .isLessThanOrEqualTo((Long.parseLong(m.group(1)) + 1000) * Runtime.getRuntime().availableProcessors());
        assertThat(r.err().split("timing:", -1)).hasSize(2);
    }

    @Test
    void badArgumentsAreOneClearMessage() {
        CliRunner r = CliRunner.run("bench", "resnet");
        assertThat(r.isCleanError()).as(r.err()).isTrue();
        assertThat(r.err()).contains("unknown workload 'resnet'").contains("mlp, cnn, onnx-native, onnx-ort");
        r = CliRunner.run("bench", "mlp", "--threads", "0");
        assertThat(r.isCleanError()).as(r.err()).isTrue();
        assertThat(r.err()).contains("--threads must be at least 1, got 0");
        r = CliRunner.run("bench", "onnx-ort", "--model", "missing.onnx");
        assertThat(r.isCleanError()).as(r.err()).isTrue();
        assertThat(r.err()).contains("--model must be one of [mlp, cnn] or an existing .onnx file, got 'missing.onnx'");
    }

    @Test
    void trainingWorkloadsHaveTheReferenceArchitecture() {
        Graft graft = Graft.create();
        // the parameters of torch_reference.py's mlp() and cnn(), in order; Graft keeps a dense weight as
        // [in, out] (PyTorch: [out, in]) and a convolution's as PyTorch does, [out, in, kh, kw]
        Network mlp = Workloads.training(graft, "mlp", 4, 1, List.of()).network();
        assertThat(shapes(mlp)).isEqualTo(List.of("784x256", "256", "256x128", "128", "128x10", "10"));
        assertThat(mlp.parameterCount()).isEqualTo(235_146);
        Network cnn = Workloads.training(graft, "cnn", 4, 1, List.of()).network();
        assertThat(shapes(cnn)).isEqualTo(List.of("6x1x5x5", "6", "16x6x5x5", "16", "400x120", "120", "120x84", "84", "84x10", "10"));
        assertThat(cnn.parameterCount()).isEqualTo(61_706);
    }

    private static List<String> shapes(Network n) {
        return n.paramSpecs().values().stream()
                .map(p -> java.util.Arrays.stream(p.shape()).mapToObj(Long::toString).collect(Collectors.joining("x"))).toList();
    }

    @Test
    void bundledOnnxModelsGiveTheSameOutputsNativelyAsWithOnnxRuntime() {
        for (String model : OnnxBench.BUNDLED) {
            Path file = OnnxBench.modelFile(model);
            try (InferenceEngine ort = InferenceEngineFactory.find("ort", getClass().getClassLoader()).orElseThrow().open(file);
                 InferenceEngine nat = InferenceEngineFactory.find("native", getClass().getClassLoader()).orElseThrow().open(file)) {
                INDArray x = OnnxBench.input(ort.inputs().get(0), 5, 1);
                INDArray a = ort.run(Map.of("input", x)).get("logits");
                INDArray b = nat.run(Map.of("input", x)).get("logits");
                assertThat(a.shape()).containsExactly(5, 10);
                assertThat(b.shape()).containsExactly(5, 10);
                double scale = a.amaxNumber().doubleValue();
                assertThat(a.sub(b).amaxNumber().doubleValue()).as(model).isCloseTo(0, within(1e-5 * Math.max(1, scale)));
            }
        }
    }
}
