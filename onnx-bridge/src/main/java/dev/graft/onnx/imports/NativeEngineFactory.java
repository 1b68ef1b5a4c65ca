package dev.graft.onnx.imports;

import dev.graft.api.Shape;
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
import org.nd4j.linalg.ops.transforms.Transforms;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The native engine: the model imported into Graft's IR and run on ND4J, the same path that
 * fine-tunes. Named {@code native} for {@code graft onnx-test --engine native} and {@code graft
 * predict --engine native}.
 *
 * <p>The graph computes in float32: inputs of any numeric type are fed as floats, and every output
 * comes back in the element type the model declares (integer and bool outputs are rounded to the
 * nearest whole number, then converted). Under {@link BatchAxis#NONE} each input gets a leading batch
 * axis of 1 before it is fed and each output loses it. Outputs that the import folded into constants
 * are returned as they are; inputs folded from {@link InferenceEngineFactory.OpenOptions#knownInputs()}
 * must be fed the values they were folded with.
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
        return open(model, OpenOptions.DEFAULT);
    }

    @Override
    public InferenceEngine open(Path model, OpenOptions options) {
        Onnx.ModelProto proto = OnnxFiles.readModel(model);
        ImportOptions io = new ImportOptions(options.batchAxis(), integerOnly(options.knownInputs()));
        OnnxImporter.Imported imported = OnnxImporter.importModel(proto, registry(), model.toString(), model.toAbsolutePath().getParent(), io);
        TrainedModel m = imported.ir() == null ? null
                : TrainedModel.of(Graft.builder().allowBrokenPlugins(true).build(), imported.ir(), imported.params(), model.toString());
        return new Engine(imported, m);
    }

    private static Map<String, INDArray> integerOnly(Map<String, INDArray> known) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        known.forEach((k, v) -> {
            if (v.dataType().isIntType() || v.dataType() == DataType.BOOL) {
                out.put(k, v);
            }
        });
        return out;
    }

    /** An engine over an imported model. */
    private static final class Engine implements InferenceEngine {
        private final OnnxImporter.Imported imported;
        private final TrainedModel model;
        private final boolean whole;
        private final List<IoSpec> inSpecs = new ArrayList<>();
        private final List<IoSpec> outSpecs = new ArrayList<>();
        private boolean closed;

        Engine(OnnxImporter.Imported imported, TrainedModel model) {
            this.imported = imported;
            this.model = model;
            this.whole = imported.batchAxis() == BatchAxis.NONE;
            imported.inputTypes().forEach((name, type) -> {
                String graft = imported.inputNames().get(name);
                long[] dims = graft == null ? imported.folded().get(name).shape() : shape(model.network().shapes().get(graft));
                inSpecs.add(IoSpec.tensor(name, type, dims));
            });
            for (OnnxImporter.Output o : imported.outputs()) {
                long[] dims = o.isConstant() ? o.constant().shape() : shape(o.shape());
                outSpecs.add(IoSpec.tensor(o.onnxName(), o.type(), dims));
            }
        }

        private long[] shape(Shape perExample) {
            return whole ? perExample.dims() : perExample.withBatch(-1);
        }

        @Override
        public List<IoSpec> inputs() {
            return List.copyOf(inSpecs);
        }

        @Override
        public List<IoSpec> outputs() {
            return List.copyOf(outSpecs);
        }

        @Override
        public Map<String, INDArray> folded() {
            return imported.folded();
        }

        @Override
        public Map<String, INDArray> run(Map<String, INDArray> inputs) {
            if (closed) {
                throw new IllegalStateException("the engine is closed");
            }
            if (!inputs.keySet().equals(imported.inputTypes().keySet())) {
                throw new GraftException(GraftException.Code.DATA, "the model takes inputs " + imported.inputTypes().keySet() + ", given "
                        + new ArrayList<>(inputs.keySet()));
            }
            for (Map.Entry<String, INDArray> f : imported.folded().entrySet()) {
                INDArray given = inputs.get(f.getKey());
                INDArray want = f.getValue();
                boolean same = Arrays.equals(given.shape(), want.shape())
                        && (want.length() == 0 || given.castTo(DataType.DOUBLE).equals(want.castTo(DataType.DOUBLE)));
                if (!same) {
                    throw new GraftException(GraftException.Code.DATA, "input '" + f.getKey() + "' was folded into the model when it was"
                            + " opened, as " + want + "; it must be fed those values, given " + given);
                }
            }
            Map<String, INDArray> byGraft = new LinkedHashMap<>();
            for (Map.Entry<String, String> e : imported.inputNames().entrySet()) {
                INDArray x = inputs.get(e.getKey());
                INDArray f = x.dataType() == DataType.FLOAT ? x : x.castTo(DataType.FLOAT);
                if (whole) {
                    long[] want = model.network().shapes().get(e.getValue()).dims();
                    if (!Arrays.equals(x.shape(), want)) {
                        throw new GraftException(GraftException.Code.DATA, "input '" + e.getKey() + "' has shape " + Arrays.toString(x.shape())
                                + ", the model takes " + Arrays.toString(want));
                    }
                    f = f.reshape(Shape.of(want).withBatch(1));
                }
                byGraft.put(e.getValue(), f);
            }
            List<INDArray> computed = imported.outputs().stream().allMatch(OnnxImporter.Output::isConstant) ? List.of()
                    : model.network().predictAll(byGraft, 512);
            Map<String, INDArray> out = new LinkedHashMap<>();
            int k = 0;
            for (OnnxImporter.Output o : imported.outputs()) {
                INDArray v;
                if (o.isConstant()) {
                    v = o.constant();
                } else {
                    v = computed.get(k++);
                    if (whole) {
                        v = v.reshape(o.shape().dims());
                    }
                    if (o.type() == ElementType.FLOAT && v.dataType() == DataType.FLOAT && !v.isView() && v.ordering() == 'c') {
                        out.put(o.onnxName(), v); // already a new dense array of the caller's (predictAll copies the plan's)
                        continue;
                    }
                }
                out.put(o.onnxName(), as(v, o.type()));
            }
            return out;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    /** A float (or folded constant) array in an ONNX element type: whole numbers for integer and bool types. */
    static INDArray as(INDArray v, ElementType type) {
        DataType target = type.nd4j().orElse(DataType.FLOAT);
        INDArray c = v.dup('c');
        if (type == ElementType.BOOL) {
            return c.castTo(DataType.DOUBLE).neq(0.0).castTo(DataType.BOOL);
        }
        if (!type.isFloatingPoint() && v.dataType().isFPType()) {
            c = Transforms.round(c.castTo(DataType.DOUBLE), false);
        }
        return c.dataType() == target ? c : c.castTo(target);
    }
}
