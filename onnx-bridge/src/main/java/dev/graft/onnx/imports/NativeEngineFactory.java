package dev.graft.onnx.imports;

import dev.graft.onnx.InferenceEngine;
import dev.graft.onnx.InferenceEngineFactory;
import dev.graft.onnx.proto.ElementType;
import dev.graft.onnx.proto.OnnxFiles;
import dev.graft.runtime.Graft;
import dev.graft.runtime.GraftException;
import dev.graft.runtime.TrainedModel;
import dev.graft.runtime.plugin.PluginRegistry;
import onnx.Onnx;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The native engine: the model imported into Graft's IR and run on ND4J, the same path that
 * fine-tunes. Named {@code native} for {@code graft onnx-test --engine native} and {@code graft
 * predict --engine native}.
 */
public final class NativeEngineFactory implements InferenceEngineFactory {
    private static volatile PluginRegistry registry;

    private static PluginRegistry registry() {
        if (registry == null) {
            synchronized (NativeEngineFactory.class) {
                if (registry == null) {
                    registry = Graft.builder().allowBrokenPlugins(true).build().plugins();
                }
            }
        }
        return registry;
    }

    @Override
    public String name() {
        return "native";
    }

    @Override
    public InferenceEngine open(Path model) {
        Onnx.ModelProto proto = OnnxFiles.readModel(model);
        OnnxImporter.Imported imported = OnnxImporter.importModel(proto, registry(), model.toString(), model.toAbsolutePath().getParent());
        Graft graft = Graft.builder().allowBrokenPlugins(true).build();
        TrainedModel m = TrainedModel.of(graft, imported.ir(), imported.params(), model.toString());
        Map<String, String> names = imported.inputNames();
        String out = proto.getGraph().getOutput(0).getName();
        long[] outShape = m.network().shapes().get(imported.ir().output()).withBatch(-1);
        List<InferenceEngine.IoSpec> inSpecs = new ArrayList<>();
        names.forEach((onnxName, graftName) -> inSpecs.add(InferenceEngine.IoSpec.tensor(onnxName, ElementType.FLOAT,
                m.network().shapes().get(graftName).withBatch(-1))));
        return new InferenceEngine() {
            @Override
            public List<IoSpec> inputs() {
                return List.copyOf(inSpecs);
            }

            @Override
            public List<IoSpec> outputs() {
                return List.of(IoSpec.tensor(out, ElementType.FLOAT, outShape));
            }

            @Override
            public Map<String, INDArray> run(Map<String, INDArray> inputs) {
                if (!inputs.keySet().equals(names.keySet())) {
                    throw new GraftException(GraftException.Code.DATA, "the model takes inputs " + names.keySet() + ", given "
                            + new ArrayList<>(inputs.keySet()));
                }
                if (names.size() == 1) {
                    INDArray x = inputs.values().iterator().next();
                    return Map.of(out, m.predict(x.dataType() == DataType.FLOAT ? x : x.castTo(DataType.FLOAT)));
                }
                Map<String, INDArray> byGraft = new java.util.LinkedHashMap<>();
                inputs.forEach((k, v) -> byGraft.put(names.get(k), v.dataType() == DataType.FLOAT ? v : v.castTo(DataType.FLOAT)));
                return Map.of(out, m.network().predict(byGraft, 512));
            }

            @Override
            public void close() {
                // arrays are freed with the model
            }
        };
    }
}
