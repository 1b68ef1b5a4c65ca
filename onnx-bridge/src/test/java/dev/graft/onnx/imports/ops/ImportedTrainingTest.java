package dev.graft.onnx.imports.ops;

import dev.graft.api.layer.ParamSpec;
import dev.graft.onnx.imports.OnnxImporter;
import dev.graft.runtime.engine.Network;
import dev.graft.runtime.model.ModelIR;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Imported models train: with an MSE loss attached, SameDiff's gradients through the imported graph
 * agree with finite differences of the loss (in the runtime's float32, so loosely, and on models whose
 * kinks a step of 0.01 is unlikely to cross), and one SGD step lowers the loss. The layers themselves
 * pass the float64 gradient check of their contracts.
 */
class ImportedTrainingTest {

    static Network network(String name) {
        OnnxImporter.Imported imported = Models.importModel(name);
        ModelIR ir = imported.ir();
        Network probe = new Network(ir, Models.graft().plugins(), Map.of());
        long[] out = probe.shapes().get(ir.output()).dims();
        ModelIR withLoss = new ModelIR(ir.format(), ir.input(), ir.nodes(), ir.output(), new ModelIR.PluginIR("mse", "1.0.0", Map.of()),
                new ModelIR.TargetIR("regression", null, Arrays.stream(out).boxed().toList()), List.of());
        Network net = new Network(withLoss, Models.graft().plugins(), Map.of());
        net.setParams(imported.params(), name);
        return net;
    }

    static List<String> trainable(Network net) {
        return net.paramSpecs().entrySet().stream().filter(e -> e.getValue().trainable()).map(Map.Entry::getKey).toList();
    }

    static INDArray labels(Network net, long batch) {
        long[] shape = net.shapes().get(net.ir().output()).withBatch(batch);
        return Nd4j.rand(DataType.FLOAT, shape);
    }

    @ParameterizedTest
    @ValueSource(strings = {"mlp_op13", "cnn_op9", "cnn_flatten_op13", "conv1d_op13", "matmul_add_op13", "branches_op13",
            "elementwise_op17", "auto_pad_op11", "gemm_op11", "layernorm_op17", "transformer_op14", "transformer_op17", "tf_nhwc_op13",
            "paddle_op9"})
    void oneSgdStepLowersTheLoss(String name) {
        Network net = network(name);
        Models.Expected e = Models.expected(name);
        INDArray y = labels(net, e.input().size(0));
        List<String> wrt = trainable(net);
        Network.StepResult before = net.gradients(e.input(), y, wrt);
        assertThat(before.gradients().keySet()).containsAll(wrt);
        double norm = 0;
        for (String p : wrt) {
            INDArray g = before.gradients().get(p);
            assertThat(g.shape()).as(p).containsExactly(net.params().get(p).shape());
            assertThat(Double.isFinite(g.sumNumber().doubleValue())).as(p + " gradient is finite").isTrue();
            norm += g.mul(g).sumNumber().doubleValue();
        }
        assertThat(norm).isGreaterThan(0);
        double lr = 0.1 / Math.sqrt(norm);   // a small step along the negative gradient
        for (String p : wrt) {
            net.params().get(p).subi(before.gradients().get(p).mul(lr));
        }
        double after = net.gradients(e.input(), y, wrt).loss();
        assertThat(after).as(name + ": loss after one step").isLessThan(before.loss());
    }

    @ParameterizedTest
    @ValueSource(strings = {"mlp_op9", "matmul_add_op13", "elementwise_op13", "gemm_op11", "layernorm_op17"})
    void gradientsAgreeWithFiniteDifferences(String name) {
        Network net = network(name);
        Models.Expected e = Models.expected(name);
        INDArray y = labels(net, e.input().size(0));
        List<String> wrt = trainable(net);
        // the network reuses its gradient arrays from call to call: keep copies
        Map<String, INDArray> grads = new java.util.HashMap<>();
        net.gradients(e.input(), y, wrt).gradients().forEach((k, v) -> grads.put(k, v.dup()));
        SplittableRandom rng = new SplittableRandom(7);
        double eps = 1e-2;
        int checked = 0;
        for (String p : wrt) {
            ParamSpec spec = net.paramSpecs().get(p);
            INDArray arr = net.params().get(p);
            INDArray g = grads.get(p).reshape(arr.length());
            for (int k = 0; k < 3; k++) {
                long i = rng.nextLong(arr.length());
                INDArray flat = arr.reshape(arr.length());
                float old = flat.getFloat(i);
                flat.putScalar(i, old + eps);
                double up = net.gradients(e.input(), y, wrt).loss();
                flat.putScalar(i, old - eps);
                double down = net.gradients(e.input(), y, wrt).loss();
                flat.putScalar(i, old);
                double numeric = (up - down) / (2 * eps);
                double analytic = g.getDouble(i);
                assertThat(Math.abs(numeric - analytic)).as(name + " " + p + Arrays.toString(spec.shape()) + "[" + i + "]: numeric "
                        + numeric + " analytic " + analytic).isLessThan(2e-3 + 2e-2 * Math.abs(analytic));
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(5);
    }
}
