package dev.graft.onnx.imports.ops;

import dev.graft.onnx.ort.OrtEngine;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The expected outputs of the test models (PyTorch's, or torch.nn.functional reconstructions for
 * the hand-built graphs) agree with ONNX Runtime on the same files, so the native-import tests
 * compare against the ONNX semantics of each graph, not only against what the script meant.
 *
 * <p>Left out: {@code cnn_flatten_op13} / {@code _op11}. PyTorch exports {@code avg_pool2d} with
 * padding as {@code Pad} + {@code AveragePool}, and ONNX Runtime 1.19.2's PadFusion folds the Pad
 * into the pool without setting {@code count_include_pad = 1}, so it averages over the real elements
 * only (microsoft/onnxruntime#22177, fixed by #23190 in 1.21). PyTorch, the ONNX semantics and Graft
 * agree on those models ({@link PyTorchModelsTest}); ORT alone differs (by up to 0.14 after the pool).
 */
class OrtCrossCheckTest {

    @ParameterizedTest
    @ValueSource(strings = {"mlp_op13", "mlp_op9", "cnn_op13", "cnn_op9", "conv1d_op13",
            "matmul_add_op13", "branches_op13", "branches_op9", "elementwise_op13", "elementwise_op17", "indexing_op13", "indexing_op9",
            "auto_pad_op11", "gemm_op11", "softmax_axis1_op11", "clip_op9", "clip_op13", "layernorm_op17", "avgpool_exclude_pad_op11",
            "pool_same_ceil_op11", "conv_same_lower_op11", "structure_op13"})
    void expectedOutputsAreOnnxRuntimes(String name) throws URISyntaxException {
        Models.Expected e = Models.expected(name);
        Path file = Path.of(OrtCrossCheckTest.class.getResource("/models/" + name + ".onnx").toURI());
        try (OrtEngine ort = OrtEngine.open(file)) {
            INDArray y = ort.run(Map.of("x", e.input())).values().iterator().next();
            assertThat(y.shape()).containsExactly(e.output().shape());
            assertThat(y.sub(e.output()).amaxNumber().doubleValue()).as(name).isLessThan(1e-4);
        }
    }
}
