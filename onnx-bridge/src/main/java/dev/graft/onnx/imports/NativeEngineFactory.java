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
        String in = proto.getGraph().getInputList().stream().map(Onnx.ValueInfoProto::getName)
                .filter(n -> proto.getGraph().getInitializerList().stream().noneMatch(t -> t.getName().equals(n))).findFirst().orElseThrow();
        String out = proto.getGraph().getOutput(0).getName();
        long[] inShape = m.network().inputShape().withBatch(-1);
        long[] outShape = m.network().shapes().get(imported.ir().output()).withBatch(-1);
        return new InferenceEngine() {
            @Override
            public List<IoSpec> inputs() {
                return List.of(IoSpec.tensor(in, ElementType.FLOAT, inShape));
            }

            @Override
            public List<IoSpec> outputs() {
                return List.of(IoSpec.tensor(out, ElementType.FLOAT, outShape));
            }

            @Override
            public Map<String, INDArray> run(Map<String, INDArray> inputs) {
                INDArray x = inputs.get(in);
                if (x == null || inputs.size() != 1) {
                    throw new GraftException(GraftException.Code.DATA, "the model takes one input '" + in + "', given " + new ArrayList<>(inputs.keySet()));
                }
                return Map.of(out, m.predict(x.dataType() == DataType.FLOAT ? x : x.castTo(DataType.FLOAT)));
            }

            @Override
            public void close() {
                // arrays are freed with the model
            }
        };
    }
}
