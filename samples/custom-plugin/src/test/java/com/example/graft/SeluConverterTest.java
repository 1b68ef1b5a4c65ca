package com.example.graft;

import dev.graft.api.Shape;
import dev.graft.onnx.imports.OnnxImporter;
import dev.graft.onnx.imports.OnnxOpConverter;
import dev.graft.onnx.ort.OrtEngine;
import dev.graft.runtime.Graft;
import dev.graft.runtime.TrainedModel;
import dev.graft.testkit.LayerContract;
import dev.graft.testkit.ProviderContract;
import dev.graft.testkit.ValueGenerator;
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
class SeluConverterTest {
    @TempDir
    Path tmp;

    @Test
    void followTheirContracts() {
        ProviderContract.check(new SeluConverter());
        assertThat(ProviderContract.checkServices(OnnxOpConverter.class)).anyMatch(p -> p.id().equals("onnx-selu"));
        LayerContract.of(new SeluProvider(), new SeluProvider.Config(1.6732632423543772, 1.0507009873554805)).inputs(Shape.of(2, 3))
                .inputValues(ValueGenerator.awayFromZero(0.05, 2)).check();
    }

    /** x -> Selu(alpha 1.5, gamma 1.25) -> Selu(defaults), with a symbolic batch. */
    static Onnx.ModelProto model() {
        Onnx.TensorShapeProto.Builder shape = Onnx.TensorShapeProto.newBuilder()
                .addDim(Onnx.TensorShapeProto.Dimension.newBuilder().setDimParam("N"))
                .addDim(Onnx.TensorShapeProto.Dimension.newBuilder().setDimValue(5));
        Onnx.GraphProto g = Onnx.GraphProto.newBuilder().setName("selu")
                .addInput(Onnx.ValueInfoProto.newBuilder().setName("x").setType(Onnx.TypeProto.newBuilder()
                        .setTensorType(Onnx.TypeProto.Tensor.newBuilder().setElemType(1).setShape(shape))))
                .addOutput(Onnx.ValueInfoProto.newBuilder().setName("y"))
                .addNode(Onnx.NodeProto.newBuilder().setOpType("Selu").setName("selu1").addInput("x").addOutput("h")
                        .addAttribute(Onnx.AttributeProto.newBuilder().setName("alpha").setType(Onnx.AttributeProto.AttributeType.FLOAT).setF(1.5f))
                        .addAttribute(Onnx.AttributeProto.newBuilder().setName("gamma").setType(Onnx.AttributeProto.AttributeType.FLOAT).setF(1.25f)))
                .addNode(Onnx.NodeProto.newBuilder().setOpType("Selu").setName("selu2").addInput("h").addOutput("y"))
                .build();
        return Onnx.ModelProto.newBuilder().setIrVersion(7).setGraph(g)
                .addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setDomain("").setVersion(13)).build();
    }

    @Test
    void importedSeluMatchesOnnxRuntime() throws Exception {
        Graft graft = Graft.builder().useEnvironment(false).build();
        OnnxImporter.Imported imported = OnnxImporter.importModel(model(), graft.plugins(), "selu.onnx", null);
        assertThat(imported.ir().nodes()).extracting(n -> n.plugin()).containsExactly("selu", "selu");
        assertThat(imported.ir().nodes().get(0).config()).containsEntry("alpha", 1.5).containsEntry("gamma", 1.25);
        INDArray x = Nd4j.createFromArray(new float[][] {{-2, -0.5f, 0, 0.5f, 2}, {-1, 1, -3, 3, 0.1f}});
        INDArray y = TrainedModel.of(graft, imported.ir(), imported.params(), "selu.onnx").predict(x);
        Path file = tmp.resolve("selu.onnx");
        Files.write(file, model().toByteArray());
        try (OrtEngine ort = OrtEngine.open(file)) {
            INDArray expected = ort.run(Map.of("x", x)).get("y");
            assertThat(y.sub(expected).amaxNumber().doubleValue()).isLessThan(1e-5);
        }
    }
}
