package dev.graft.bench;

import dev.graft.api.PluginKind;
import dev.graft.api.optim.Optimizer;
import dev.graft.api.optim.OptimizerProvider;
import dev.graft.api.optim.Param;
import dev.graft.api.optim.ParamGroup;
import dev.graft.runtime.Graft;
import dev.graft.runtime.config.RecordBinder;
import dev.graft.runtime.engine.Network;
import dev.graft.runtime.model.ModelIR;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Times one training step (forward, loss, gradients, SGD update) of the reference MLP
 * (784-256-128-10, batch 128, softmax cross-entropy, SGD lr 0.01) and one inference batch, and
 * prints one JSON line with the keys of the PyTorch reference benchmark. It measures; it asserts
 * nothing. Run: {@code java -cp ... dev.graft.bench.MlpTrainStep [batch] [steps] [warmup]}.
 */
public final class MlpTrainStep {
    private MlpTrainStep() {
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    public static void main(String[] args) {
        int batch = args.length > 0 ? Integer.parseInt(args[0]) : 128;
        int steps = args.length > 1 ? Integer.parseInt(args[1]) : 60;
        int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 15;
        Graft graft = Graft.create();
        List<String> classes = IntStream.range(0, 10).mapToObj(Integer::toString).toList();
        ModelIR ir = new ModelIR(ModelIR.FORMAT, new ModelIR.InputIR("input", List.of(1L, 28L, 28L)), List.of(
                node("flatten1", "flatten", Map.of(), "input"),
                node("fc1", "dense", Map.of("units", 256), "flatten1"),
                node("relu1", "relu", Map.of(), "fc1"),
                node("fc2", "dense", Map.of("units", 128), "relu1"),
                node("relu2", "relu", Map.of(), "fc2"),
                node("fc3", "dense", Map.of("units", 10), "relu2")),
                "fc3", new ModelIR.PluginIR("softmax-cross-entropy", "1.0.0", Map.of()),
                new ModelIR.TargetIR("classes", classes, null), List.of());
        Network net = new Network(ir, graft.plugins(), Map.of());
        net.initialize(0);
        OptimizerProvider sgd = graft.plugins().get(PluginKind.OPTIMIZER, "sgd", "bench");
        Optimizer opt = sgd.create(RecordBinder.bind(sgd.configType(), Map.of("lr", 0.01), "optimizer", "sgd"));
        INDArray x = Nd4j.rand(DataType.FLOAT, batch, 1, 28, 28);
        INDArray y = Nd4j.zeros(DataType.FLOAT, batch, 10);
        for (int i = 0; i < batch; i++) {
            y.putScalar(i, i % 10, 1f);
        }
        List<String> names = new ArrayList<>(net.params().keySet());
        double[] train = new double[steps];
        for (int i = -warmup; i < steps; i++) {
            long t = System.nanoTime();
            Network.StepResult r = net.gradients(x, y, names);
            List<Param> ps = names.stream().map(n -> new Param(n, net.params().get(n), r.gradients().get(n))).toList();
            opt.step(List.of(new ParamGroup("default", ps, 0.01, 0, false)), i + warmup + 1L);
            if (i >= 0) {
                train[i] = (System.nanoTime() - t) / 1e6;
            }
        }
        double[] infer = new double[steps];
        for (int i = -warmup; i < steps; i++) {
            long t = System.nanoTime();
            net.predict(x, batch);
            if (i >= 0) {
                infer[i] = (System.nanoTime() - t) / 1e6;
            }
        }
        java.util.Properties env = Nd4j.getExecutioner().getEnvironmentInformation();
        System.out.printf("{\"engine\": \"graft-samediff\", \"workload\": \"mlp\", \"batch\": %d, \"threads\": %s, \"blas\": \"%s\", "
                        + "\"train_ms_per_step_median\": %.3f, \"train_ms_min\": %.3f, \"train_ms_max\": %.3f, \"infer_ms_per_batch_median\": %.3f}%n",
                batch, env.get("omp.threads"), env.get("blas.vendor"), median(train), Arrays.stream(train).min().orElse(0),
                Arrays.stream(train).max().orElse(0), median(infer));
    }

    private static ModelIR.NodeIR node(String name, String plugin, Map<String, Object> cfg, String input) {
        return new ModelIR.NodeIR(name, plugin, "1.0.0", cfg, List.of(input));
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
