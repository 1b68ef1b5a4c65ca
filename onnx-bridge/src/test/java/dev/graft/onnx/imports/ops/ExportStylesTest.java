package dev.graft.onnx.imports.ops;

import dev.graft.onnx.ort.OrtEngine;
import dev.graft.runtime.TrainedModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Models in the styles real exporters write (made by tools/onnx-refs/make_refs.py): PyTorch's
 * TransformerEncoderLayer at opsets 14 and 17 (whose attention moves the batch axis), a tf2onnx-style
 * NHWC CNN, and a paddle2onnx-style opset-9 CNN with its weights in Constant nodes. For each, ONNX
 * Runtime agrees with the stored reference output (PyTorch's, or torch.nn.functional's for the
 * hand-written graphs), and the native import agrees with both within 1e-4, for the stored batch of
 * three, for a batch of one, and for a batch of five.
 */
class ExportStylesTest {

    static INDArray ort(String name, INDArray x) {
        try (OrtEngine ort = OrtEngine.open(Path.of(ExportStylesTest.class.getResource("/models/" + name + ".onnx").toURI()))) {
            return ort.run(Map.of(ort.inputs().get(0).name(), x)).values().iterator().next();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static double maxDiff(INDArray a, INDArray b) {
        assertThat(a.shape()).containsExactly(b.shape());
        return a.sub(b).amaxNumber().doubleValue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"transformer_op14", "transformer_op17", "conv_bn_gemm_op13", "tf_nhwc_op13", "paddle_op9"})
    void nativeImportMatchesOnnxRuntimeAndTheReference(String name) {
        Models.Expected e = Models.expected(name);
        INDArray byOrt = ort(name, e.input());
        assertThat(maxDiff(byOrt, e.output())).as(name + ": ONNX Runtime vs the reference").isLessThan(1e-4);
        TrainedModel model = Models.trained(name);
        INDArray y = model.predict(e.input());
        assertThat(maxDiff(y, e.output())).as(name + ": native vs the reference").isLessThan(1e-4);
        assertThat(maxDiff(y, byOrt)).as(name + ": native vs ONNX Runtime").isLessThan(1e-4);
        // the batch stays dynamic: one example, and five
        INDArray one = e.input().get(NDArrayIndex.interval(0, 1));
        assertThat(maxDiff(model.predict(one), ort(name, one))).as(name + ": batch of one").isLessThan(1e-4);
        INDArray five = org.nd4j.linalg.factory.Nd4j.concat(0, e.input(), e.input().get(NDArrayIndex.interval(0, 2)).mul(-0.5));
        assertThat(maxDiff(model.predict(five), ort(name, five))).as(name + ": batch of five").isLessThan(1e-4);
    }

    static List<String> plugins(String name) {
        return PyTorchModelsTest.plugins(name);
    }

    @Test
    void theTransformerImportsAsMatrixProductsSoftmaxAndLayerNorm() {
        List<String> p14 = plugins("transformer_op14");
        assertThat(p14).contains("onnx-matmul", "softmax", "onnx-unary", "onnx-reduce").doesNotContain("layer-norm");
        assertThat(p14.stream().filter(p -> p.equals("softmax")).count()).isEqualTo(1);
        List<String> p17 = plugins("transformer_op17");
        assertThat(p17.stream().filter(p -> p.equals("layer-norm")).count()).isEqualTo(2);
        assertThat(p17).doesNotContain("onnx-reduce");
    }

    @Test
    void theTfModelKeepsItsTransposesAndPaddleItsConstants() {
        assertThat(plugins("tf_nhwc_op13")).containsSubsequence("onnx-transpose", "conv2d", "relu", "onnx-transpose")
                .contains("dense", "softmax");
        List<String> paddle = plugins("paddle_op9");
        assertThat(paddle).containsSubsequence("conv2d", "batch-norm", "relu", "max-pool2d", "onnx-resize", "onnx-binary", "onnx-binary",
                "flatten", "dense", "softmax");
        // the weights that came from Constant nodes are trainable parameters
        assertThat(Models.importModel("paddle_op9").params().keySet()).anyMatch(k -> k.endsWith(".W")).anyMatch(k -> k.endsWith(".gamma"));
    }
}
