package com.example.graft;

import dev.graft.api.Shape;
import dev.graft.onnx.imports.OnnxImporter;
import dev.graft.onnx.imports.OnnxOpConverter;
import dev.graft.onnx.ort.OrtEngine;
import dev.graft.runtime.Graft;
import dev.graft.runtime.TrainedModel;
import dev.graft.testkit.LayerContract;
import dev.graft.testkit.ProviderContract;
import onnx.Onnx;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The plugin's ONNX converter: its contract, its layer's gradients, and the imported model against ONNX Runtime. */
class QuickGeluConverterTest {
    @TempDir
    Path tmp;

    @Test
    void followTheirContracts() {
        ProviderContract.check(new QuickGeluConverter());
        assertThat(ProviderContract.checkServices(OnnxOpConverter.class)).anyMatch(p -> p.id().equals("onnx-ms-quick-gelu"));
        LayerContract.of(new QuickGeluProvider(), new QuickGeluProvider.Config(1.702)).inputs(Shape.of(2, 3)).check();
    }

    /** x -> QuickGelu(alpha 1.5) -> QuickGelu(default alpha), both of the com.microsoft domain, with a symbolic batch. */
    static Onnx.ModelProto model() {
        Onnx.TensorShapeProto.Builder shape = Onnx.TensorShapeProto.newBuilder()
                .addDim(Onnx.TensorShapeProto.Dimension.newBuilder().setDimParam("N"))
                .addDim(Onnx.TensorShapeProto.Dimension.newBuilder().setDimValue(5));
        Onnx.GraphProto g = Onnx.GraphProto.newBuilder().setName("quick_gelu")
                .addInput(Onnx.ValueInfoProto.newBuilder().setName("x").setType(Onnx.TypeProto.newBuilder()
                        .setTensorType(Onnx.TypeProto.Tensor.newBuilder().setElemType(1).setShape(shape))))
                .addOutput(Onnx.ValueInfoProto.newBuilder().setName("y"))
                .addNode(Onnx.NodeProto.newBuilder().setOpType("QuickGelu").setDomain("com.microsoft").setName("act1").addInput("x").addOutput("h")
                        .addAttribute(Onnx.AttributeProto.newBuilder().setName("alpha").setType(Onnx.AttributeProto.AttributeType.FLOAT).setF(1.5f)))
                .addNode(Onnx.NodeProto.newBuilder().setOpType("QuickGelu").setDomain("com.microsoft").setName("act2").addInput("h").addOutput("y"))
                .build();
        return Onnx.ModelProto.newBuilder().setIrVersion(7).setGraph(g)
                .addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setDomain("").setVersion(13))
                .addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setDomain("com.microsoft").setVersion(1)).build();
    }

    @Test
    void importedQuickGeluMatchesOnnxRuntime() throws Exception {
        Graft graft = Graft.builder().useEnvironment(false).build();
        OnnxImporter.Imported imported = OnnxImporter.importModel(model(), graft.plugins(), "quick_gelu.onnx", null);
        assertThat(imported.ir().nodes()).extracting(n -> n.plugin()).containsExactly("quick-gelu", "quick-gelu");
        assertThat(imported.ir().nodes().get(0).config()).containsEntry("alpha", 1.5);
        assertThat(imported.ir().nodes().get(1).config()).containsEntry("alpha", 1.702);
        INDArray x = Nd4j.createFromArray(new float[][] {{-4, -0.5f, 0, 0.5f, 2}, {-1, 1, -3, 3, 0.1f}});
        INDArray y = TrainedModel.of(graft, imported.ir(), imported.params(), "quick_gelu.onnx").predict(x);
        Path file = tmp.resolve("quick_gelu.onnx");
        Files.write(file, model().toByteArray());
        try (OrtEngine ort = OrtEngine.open(file)) {
            INDArray expected = ort.run(Map.of("x", x)).get("y");
            assertThat(y.sub(expected).amaxNumber().doubleValue()).isLessThan(1e-5);
        }
    }
}
