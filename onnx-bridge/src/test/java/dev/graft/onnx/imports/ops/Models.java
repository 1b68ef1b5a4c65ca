package dev.graft.onnx.imports.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.graft.onnx.imports.OnnxImporter;
import dev.graft.runtime.Graft;
import dev.graft.runtime.TrainedModel;
import onnx.Onnx;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** The test models of {@code src/test/resources/models} (made by make_models.py) and their PyTorch outputs. */
final class Models {
    private static Graft graft;

    private Models() {
    }

    static synchronized Graft graft() {
        if (graft == null) {
            graft = Graft.builder().useEnvironment(false).build();
        }
        return graft;
    }

    static Onnx.ModelProto model(String name) {
        try (InputStream in = Models.class.getResourceAsStream("/models/" + name + ".onnx")) {
            if (in == null) {
                throw new IllegalArgumentException("no test model " + name);
            }
            return Onnx.ModelProto.parseFrom(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static OnnxImporter.Imported importModel(String name) {
        return OnnxImporter.importModel(model(name), graft().plugins(), name + ".onnx", null);
    }

    static TrainedModel trained(String name) {
        OnnxImporter.Imported imported = importModel(name);
        return TrainedModel.of(graft(), imported.ir(), imported.params(), name + ".onnx");
    }

    /** The input and PyTorch's output saved beside the model. */
    record Expected(INDArray input, INDArray output) {
    }

    static Expected expected(String name) {
        try (InputStream in = Models.class.getResourceAsStream("/models/" + name + ".json")) {
            JsonNode json = new ObjectMapper().readTree(in);
            return new Expected(array(json.get("input")), array(json.get("output")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A nested JSON list as a float array of its shape. */
    static INDArray array(JsonNode node) {
        List<Long> shape = new ArrayList<>();
        JsonNode n = node;
        while (n.isArray()) {
            shape.add((long) n.size());
            n = n.get(0);
        }
        List<Double> values = new ArrayList<>();
        flatten(node, values);
        float[] f = new float[values.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = values.get(i).floatValue();
        }
        return Nd4j.createFromArray(f).reshape('c', shape.stream().mapToLong(Long::longValue).toArray()).castTo(DataType.FLOAT);
    }

    private static void flatten(JsonNode node, List<Double> out) {
        if (node.isArray()) {
            node.forEach(c -> flatten(c, out));
        } else {
            out.add(node.asDouble());
        }
    }
}
