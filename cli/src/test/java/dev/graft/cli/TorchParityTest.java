package dev.graft.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.graft.api.PluginKind;
import dev.graft.api.optim.Optimizer;
import dev.graft.api.optim.OptimizerProvider;
import dev.graft.api.optim.Param;
import dev.graft.api.optim.ParamGroup;
import dev.graft.runtime.Graft;
import dev.graft.runtime.config.RecordBinder;
import dev.graft.runtime.engine.Network;
import dev.graft.runtime.model.ModelIR;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Numerical parity of Graft's training with PyTorch: the MLP and the LeNet-style CNN of the reference
 * benchmarks (shared/bench/README.md), started from the same weights and fed the same batches, give
 * losses within {@value #TOLERANCE} of PyTorch's at each of 20 steps of SGD (lr 0.01) and of Adam
 * (lr 0.001). The PyTorch losses are in {@code parity/torch_losses.json}, made by
 * {@code /usr/bin/python3 tools/parity/torch_parity.py}; the weights and batches are not stored but
 * computed here from the same formula as in that script (see its header), which must stay in step
 * with this class.
 */
class TorchParityTest {
    private static final double TOLERANCE = 1e-4;
    private static final int BATCH = 16;
    private static final int STEPS = 20;
    private static final double FREQ = 0.37;
    private static final double INPUT_OFFSET = 100.25;
    private static final int PIXELS = 28 * 28;

    private static final Graft GRAFT = Graft.create();
    private static JsonNode reference;
    private static List<INDArray> inputs;
    private static List<INDArray> labels;

    /** A layer with parameters, in PyTorch's order: the Graft node and PyTorch's weight shape. */
    private record Weighted(String node, boolean dense, long... torchShape) {
    }

    private static final List<Weighted> MLP = List.of(
            new Weighted("fc1", true, 256, 784), new Weighted("fc2", true, 128, 256), new Weighted("fc3", true, 10, 128));
    private static final List<Weighted> CNN = List.of(
            new Weighted("conv1", false, 6, 1, 5, 5), new Weighted("conv2", false, 16, 6, 5, 5),
            new Weighted("fc1", true, 120, 400), new Weighted("fc2", true, 84, 120), new Weighted("fc3", true, 10, 84));

    @BeforeAll
    static void load() throws IOException {
        try (InputStream in = TorchParityTest.class.getResourceAsStream("/parity/torch_losses.json")) {
            assertThat(in).as("parity/torch_losses.json on the test classpath").isNotNull();
            reference = new ObjectMapper().readTree(in);
        }
        inputs = new ArrayList<>();
        labels = new ArrayList<>();
        for (int s = 0; s < STEPS; s++) {
            float[] x = new float[BATCH * PIXELS];
            float[] y = new float[BATCH];
            for (int r = 0; r < BATCH; r++) {
                int label = label(s, r);
                y[r] = label;
                double freq = 0.05 + 0.03 * label;
                double phase = FREQ * (s * BATCH + r) + INPUT_OFFSET;
                for (int j = 0; j < PIXELS; j++) {
                    x[r * PIXELS + j] = (float) (0.5 + 0.49 * Math.sin(freq * j + phase));
                }
            }
            inputs.add(Nd4j.createFromArray(x).reshape('c', BATCH, 1, 28, 28));
            labels.add(Nd4j.createFromArray(y));
        }
    }

    private static int label(int step, int row) {
        return (7 * step + 3 * row + 1) % 10;
    }

    /** {@code scale * sin(FREQ * i + offset)} for i in [0, n), computed in double, rounded to float. */
    private static float[] wave(long n, double scale, double offset) {
        float[] v = new float[Math.toIntExact(n)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (scale * Math.sin(FREQ * i + offset));
        }
        return v;
    }

    /** The initial parameters in Graft's layout: parameter p (PyTorch order) uses offset p + 0.5. */
    private static Map<String, INDArray> initialParams(List<Weighted> layers) {
        Map<String, INDArray> params = new LinkedHashMap<>();
        int p = 0;
        for (Weighted l : layers) {
            long out = l.torchShape()[0];
            long fanIn = 1;
            for (int d = 1; d < l.torchShape().length; d++) {
                fanIn *= l.torchShape()[d];
            }
            double scale = 1.0 / Math.sqrt(fanIn);
            INDArray w = Nd4j.createFromArray(wave(out * fanIn, scale, p++ + 0.5)).reshape('c', l.torchShape());
            // PyTorch's Linear weight is [out, in]; Graft's dense W is [in, out]
            params.put(l.node() + ".W", l.dense() ? w.transpose().dup('c') : w);
            params.put(l.node() + ".b", Nd4j.createFromArray(wave(out, scale, p++ + 0.5)));
        }
        return params;
    }

    private static double sum(Map<String, INDArray> params) {
        double s = 0;
        for (INDArray a : params.values()) {
            for (float f : a.dup('c').data().asFloat()) {
                s += f;
            }
        }
        return s;
    }

    private static ModelIR.NodeIR node(String name, String plugin, Map<String, Object> cfg, String input) {
        return new ModelIR.NodeIR(name, plugin, "1.0.0", cfg, List.of(input));
    }

    private static ModelIR model(List<ModelIR.NodeIR> nodes) {
        List<String> classes = IntStream.range(0, 10).mapToObj(Integer::toString).toList();
        return new ModelIR(ModelIR.FORMAT, new ModelIR.InputIR("input", List.of(1L, 28L, 28L)), nodes,
                nodes.get(nodes.size() - 1).name(), new ModelIR.PluginIR("softmax-cross-entropy", "1.0.0", Map.of()),
                new ModelIR.TargetIR("classes", classes, null), List.of());
    }

    /** Flatten, Linear 784-256, ReLU, Linear 256-128, ReLU, Linear 128-10. */
    private static ModelIR mlp() {
        return model(List.of(
                node("flatten", "flatten", Map.of(), "input"),
                node("fc1", "dense", Map.of("units", 256), "flatten"),
                node("relu1", "relu", Map.of(), "fc1"),
                node("fc2", "dense", Map.of("units", 128), "relu1"),
                node("relu2", "relu", Map.of(), "fc2"),
                node("fc3", "dense", Map.of("units", 10), "relu2")));
    }

    /** Conv 1->6 k5 pad2, ReLU, MaxPool 2; Conv 6->16 k5, ReLU, MaxPool 2; Flatten; 400-120-84-10 with ReLUs. */
    private static ModelIR cnn() {
        return model(List.of(
                node("conv1", "conv2d", Map.of("filters", 6, "kernel", 5, "padding", 2, "stride", 1), "input"),
                node("relu1", "relu", Map.of(), "conv1"),
                node("pool1", "max-pool2d", Map.of("kernel", 2, "stride", 2), "relu1"),
                node("conv2", "conv2d", Map.of("filters", 16, "kernel", 5, "padding", 0, "stride", 1), "pool1"),
                node("relu2", "relu", Map.of(), "conv2"),
                node("pool2", "max-pool2d", Map.of("kernel", 2, "stride", 2), "relu2"),
                node("flatten", "flatten", Map.of(), "pool2"),
                node("fc1", "dense", Map.of("units", 120), "flatten"),
                node("relu3", "relu", Map.of(), "fc1"),
                node("fc2", "dense", Map.of("units", 84), "relu3"),
                node("relu4", "relu", Map.of(), "fc2"),
                node("fc3", "dense", Map.of("units", 10), "relu4")));
    }

    static Stream<Arguments> cases() throws IOException {
        if (reference == null) {
            load();
        }
        return StreamSupport.stream(reference.get("cases").spliterator(), false).map(c -> Arguments.of(
                c.get("model").asText() + "/" + c.get("optimizer").asText(), c));
    }

    @Test
    void theReferenceWasMadeFromTheSameWeightsAndBatches() {
        assertThat(reference.get("batch").asInt()).isEqualTo(BATCH);
        assertThat(reference.get("steps").asInt()).isEqualTo(STEPS);
        double inputSum = 0;
        for (INDArray x : inputs) {
            for (float f : x.data().asFloat()) {
                inputSum += f;
            }
        }
        assertThat(inputSum).as("sum of all inputs").isCloseTo(reference.get("input_checksum").asDouble(), within(1e-6));
        assertThat(sum(initialParams(MLP))).as("sum of the MLP's initial parameters")
                .isCloseTo(reference.at("/param_checksums/mlp").asDouble(), within(1e-9));
        assertThat(sum(initialParams(CNN))).as("sum of the CNN's initial parameters")
                .isCloseTo(reference.at("/param_checksums/cnn").asDouble(), within(1e-9));
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void lossesMatchPyTorchAtEveryStep(String name, JsonNode c) {
        boolean isMlp = c.get("model").asText().equals("mlp");
        String optimizer = c.get("optimizer").asText();
        double lr = c.get("lr").asDouble();
        double[] expected = StreamSupport.stream(c.get("losses").spliterator(), false).mapToDouble(JsonNode::asDouble).toArray();
        assertThat(expected).hasSize(STEPS);

        Network net = new Network(isMlp ? mlp() : cnn(), GRAFT.plugins(), Map.of());
        net.setParams(initialParams(isMlp ? MLP : CNN), "the parity weights");
        OptimizerProvider provider = GRAFT.plugins().get(PluginKind.OPTIMIZER, optimizer, "optimizer");
        Optimizer opt = provider.create(RecordBinder.bind(provider.configType(), Map.of("lr", lr), "optimizer", optimizer));
        List<String> names = new ArrayList<>(net.params().keySet());

        double[] actual = new double[STEPS];
        for (int s = 0; s < STEPS; s++) {
            Network.StepResult r = net.gradients(inputs.get(s), net.lossLabels(labels.get(s)), names);
            actual[s] = r.loss();
            List<Param> ps = names.stream().map(n -> new Param(n, net.params().get(n), r.gradients().get(n))).toList();
            opt.step(List.of(new ParamGroup("default", ps, lr, 0, false)), s + 1L);
        }

        StringBuilder table = new StringBuilder(name + " (lr " + lr + "), tolerance " + TOLERANCE + ":\n"
                + String.format("%4s  %12s  %12s  %10s%n", "step", "graft", "torch", "|diff|"));
        double max = 0;
        int failures = 0;
        for (int s = 0; s < STEPS; s++) {
            double d = Math.abs(actual[s] - expected[s]);
            max = Math.max(max, Double.isNaN(d) ? Double.POSITIVE_INFINITY : d);
            boolean bad = !(d <= TOLERANCE);
            failures += bad ? 1 : 0;
            table.append(String.format("%4d  %12.8f  %12.8f  %10.3e%s%n", s + 1, actual[s], expected[s], d, bad ? "  <-- over" : ""));
        }
        System.out.printf("parity %s: max |graft - torch| = %.3e over %d steps%n", name, max, STEPS);
        assertThat(failures).as("%s%d of %d steps differ by more than %s", table, failures, STEPS, TOLERANCE).isZero();
    }
}
