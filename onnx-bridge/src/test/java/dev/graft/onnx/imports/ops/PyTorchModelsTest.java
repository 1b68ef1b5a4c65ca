package dev.graft.onnx.imports.ops;

import dev.graft.onnx.imports.OnnxImporter;
import dev.graft.runtime.TrainedModel;
import dev.graft.runtime.model.ModelIR;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * PyTorch models exported to ONNX (opsets 9 to 17) and imported natively: Graft's predictions equal
 * PyTorch's outputs for the same input within 1e-4.
 */
class PyTorchModelsTest {

    static void assertMatchesPyTorch(String name) {
        Models.Expected e = Models.expected(name);
        TrainedModel model = Models.trained(name);
        INDArray y = model.predict(e.input());
        assertThat(y.shape()).as(name + " output shape").containsExactly(e.output().shape());
        double diff = y.sub(e.output()).amaxNumber().doubleValue();
        assertThat(diff).as(name + ": largest difference from PyTorch").isLessThan(1e-4);
        // one example alone (a batch of one) gives the same row
        INDArray first = model.predict(e.input().get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 1)));
        assertThat(first.sub(e.output().get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 1))).amaxNumber().doubleValue())
                .as(name + ": batch of one").isLessThan(1e-4);
    }

    static List<String> plugins(String name) {
        return Models.importModel(name).ir().nodes().stream().map(ModelIR.NodeIR::plugin).toList();
    }

    @ParameterizedTest
    @ValueSource(strings = {"mlp_op13", "mlp_op9"})
    void mlp(String name) {
        assertMatchesPyTorch(name);
        assertThat(plugins(name)).containsExactly("dense", "relu", "dense");
        OnnxImporter.Imported imported = Models.importModel(name);
        // Gemm with transB = 1: PyTorch's [out, in] weight becomes dense's [in, out]
        assertThat(imported.params().values().stream().map(a -> List.of(a.shape()[0], a.shape().length > 1 ? a.shape()[1] : -1)))
                .contains(List.of(8L, 16L), List.of(16L, 4L));
    }

    @ParameterizedTest
    @ValueSource(strings = {"cnn_op13", "cnn_op9"})
    void cnnWithBatchNorm(String name) {
        assertMatchesPyTorch(name);
        assertThat(plugins(name)).containsExactly("conv2d", "batch-norm", "relu", "max-pool2d", "conv2d", "batch-norm", "relu",
                "avg-pool2d", "reshape", "dense", "log-softmax");
    }

    @Test
    void batchNormKeepsItsStatisticsAndMomentum() {
        OnnxImporter.Imported imported = Models.importModel("cnn_op13");
        ModelIR.NodeIR bn2 = imported.ir().nodes().stream().filter(n -> n.plugin().equals("batch-norm")).skip(1).findFirst().orElseThrow();
        assertThat(((Number) bn2.config().get("eps")).doubleValue()).isCloseTo(1e-3, org.assertj.core.data.Offset.offset(1e-9));
        // PyTorch momentum 0.2 is ONNX momentum 0.8, and back to 0.2 in Graft
        assertThat(((Number) bn2.config().get("momentum")).doubleValue()).isCloseTo(0.2, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(imported.params()).containsKeys(bn2.name() + ".gamma", bn2.name() + ".beta", bn2.name() + ".running_mean",
                bn2.name() + ".running_var");
    }

    @ParameterizedTest
    @ValueSource(strings = {"cnn_flatten_op13", "cnn_flatten_op11"})
    void stridedDilatedGroupedConvolutionsAndPools(String name) {
        assertMatchesPyTorch(name);
    }

    @Test
    void conv1d() {
        assertMatchesPyTorch("conv1d_op13");
        assertThat(plugins("conv1d_op13")).containsExactly("conv1d", "relu", "max-pool1d", "conv1d", "batch-norm");
    }

    @Test
    void matMulThenAddBecomesOneDenseWhenTheProductHasNoOtherUse() {
        assertMatchesPyTorch("matmul_add_op13");
        // the first MatMul + Add fold into one dense; the second product is used twice, so its Add stays
        assertThat(plugins("matmul_add_op13")).containsExactly("dense", "tanh", "dense", "onnx-binary", "onnx-binary");
        OnnxImporter.Imported imported = Models.importModel("matmul_add_op13");
        ModelIR.NodeIR first = imported.ir().nodes().get(0);
        assertThat(first.config()).containsEntry("use-bias", true);
        assertThat(imported.ir().nodes().get(2).config()).containsEntry("use-bias", false);
    }

    @ParameterizedTest
    @ValueSource(strings = {"branches_op13", "branches_op9"})
    void branchesResidualsArithmeticTransposeAndLinearOnSequences(String name) {
        assertMatchesPyTorch(name);
        assertThat(plugins(name)).contains("concat", "add", "onnx-transpose", "onnx-matmul").doesNotContain("onnx-unary");
    }

    @ParameterizedTest
    @ValueSource(strings = {"elementwise_op13", "elementwise_op17"})
    void elementwiseFunctionsReductionsPReluAndLayerNorm(String name) {
        assertMatchesPyTorch(name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"indexing_op13", "indexing_op9"})
    void indexingOfComputedValuesIsSlicing(String name) {
        assertMatchesPyTorch(name);
        List<String> plugins = plugins(name);
        // Linear on [N, 4, 6]: Transpose of the weight folded, MatMul + Add (bias first) fused
        assertThat(plugins.get(0)).isEqualTo("onnx-matmul");
        assertThat(Models.importModel(name).ir().nodes().get(0).config()).containsEntry("use-bias", true);
        assertThat(plugins).contains("onnx-slice", "concat").doesNotContain("onnx-binary");
    }

    @Test
    void layerNormalizationOfOpset17IsLayerNorm() {
        assertThat(plugins("elementwise_op17")).endsWith("layer-norm");
        assertMatchesPyTorch("layernorm_op17");
    }

    @ParameterizedTest
    @ValueSource(strings = {"elementwise_op13", "branches_op9", "pool_same_ceil_op11", "indexing_op13", "structure_op13"})
    void importedModelsSaveAndLoadAsModelDirectories(String name, @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        Models.Expected e = Models.expected(name);
        TrainedModel model = Models.trained(name);
        java.nio.file.Path out = dir.resolve(name);
        model.save(out);
        TrainedModel loaded = Models.graft().load(out);
        assertThat(loaded.predict(e.input()).sub(e.output()).amaxNumber().doubleValue()).as(name).isLessThan(1e-4);
    }

    @ParameterizedTest
    @ValueSource(strings = {"auto_pad_op11", "gemm_op11", "softmax_axis1_op11", "clip_op9", "clip_op13", "avgpool_exclude_pad_op11",
        "pool_same_ceil_op11", "conv_same_lower_op11", "structure_op13"})
    void handBuiltGraphs(String name) {
        assertMatchesPyTorch(name);
    }
}
