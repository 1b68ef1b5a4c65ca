package dev.graft.onnx.imports;

import dev.graft.api.PluginKind;
import dev.graft.api.Shape;
import dev.graft.api.layer.Layer;
import dev.graft.api.layer.LayerProvider;
import dev.graft.api.layer.ParamSpec;
import dev.graft.runtime.GraftException;
import dev.graft.runtime.config.RecordBinder;
import dev.graft.runtime.engine.Network;
import dev.graft.runtime.model.ModelIR;
import dev.graft.runtime.plugin.PluginRegistry;
import dev.graft.onnx.UnsupportedOpsException;
import dev.graft.onnx.proto.OnnxFiles;
import dev.graft.onnx.proto.Tensors;
import onnx.Onnx;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Imports an ONNX model into Graft's model IR: every ONNX node goes through the {@link
 * OnnxOpConverter} plugin registered for its domain, op type and opset; initializers become the
 * trainable parameters of the layers that consume them, so the normal trainer can fine-tune the
 * result. Every unsupported node is reported at once, before anything is built.
 *
 * <p>Scope: models whose data inputs share a first dimension, the batch, and that have one output.
 * The per-example shapes are the inputs' declared shapes without their first dimension, and they must
 * be static. The first data input is the Graft model's {@code input}; the others are extra inputs.
 */
public final class OnnxImporter {
    /** The plugin kind of op converters. */
    public static final PluginKind<OnnxOpConverter> KIND = PluginKind.of("onnx-op", OnnxOpConverter.class);

    private OnnxImporter() {
    }

    /** A node no converter handles. */
    public record Unsupported(String node, String domain, String opType, int opset) {
        @Override
        public String toString() {
            return "node '" + node + "': " + (domain.isEmpty() ? "ai.onnx" : domain) + "." + opType + " (opset " + opset + ")";
        }
    }

    /** Op coverage of a model: every op type (with its count) and the nodes no converter handles. */
    public record Coverage(Map<String, Integer> ops, List<Unsupported> unsupported) {
        public boolean complete() {
            return unsupported.isEmpty();
        }
    }

    /**
     * An imported model: its IR, the initial parameter values, and the Graft input name of each ONNX
     * data input (the first is {@code input}).
     */
    public record Imported(ModelIR ir, Map<String, INDArray> params, Map<String, String> inputNames) {
    }

    /** The opset version of each domain the model imports ({@code ""} for ai.onnx). */
    static Map<String, Integer> opsets(Onnx.ModelProto m) {
        Map<String, Integer> out = new HashMap<>();
        for (Onnx.OperatorSetIdProto o : m.getOpsetImportList()) {
            String d = o.getDomain().equals("ai.onnx") ? "" : o.getDomain();
            out.put(d, (int) o.getVersion());
        }
        return out;
    }

    private static OnnxOpConverter converter(Map<String, OnnxOpConverter> all, String domain, String op, int opset) {
        String d = domain.equals("ai.onnx") ? "" : domain;
        for (OnnxOpConverter c : all.values()) {
            String cd = c.domain().equals("ai.onnx") ? "" : c.domain();
            if (cd.equals(d) && c.opType().equals(op) && opset >= c.minOpset() && opset <= c.maxOpset()) {
                return c;
            }
        }
        return null;
    }

    /** Which ops the model uses and which no registered converter handles. */
    public static Coverage coverage(Onnx.ModelProto model, PluginRegistry registry) {
        Map<String, OnnxOpConverter> all = registry.providers(KIND);
        Map<String, Integer> opsets = opsets(model);
        Map<String, Integer> ops = new TreeMap<>();
        List<Unsupported> missing = new ArrayList<>();
        for (Onnx.NodeProto n : model.getGraph().getNodeList()) {
            String d = n.getDomain().equals("ai.onnx") ? "" : n.getDomain();
            int opset = opsets.getOrDefault(d, 1);
            ops.merge((d.isEmpty() ? "" : d + ".") + n.getOpType(), 1, Integer::sum);
            if (converter(all, d, n.getOpType(), opset) == null) {
                missing.add(new Unsupported(new OnnxNode(n, opset).name(), d, n.getOpType(), opset));
            }
        }
        return new Coverage(ops, missing);
    }

    /** Reads and imports a model file. */
    public static Imported importModel(java.nio.file.Path file, PluginRegistry registry) {
        return importModel(OnnxFiles.readModel(file), registry, file.toString(), file.toAbsolutePath().getParent());
    }

    /**
     * Imports a parsed model; {@code origin} names it in messages and {@code baseDir} is where its
     * external tensor data may live.
     */
    public static Imported importModel(Onnx.ModelProto model, PluginRegistry registry, String origin, java.nio.file.Path baseDir) {
        Coverage cov = coverage(model, registry);
        if (!cov.complete()) {
            throw new UnsupportedOpsException(origin + " uses " + cov.unsupported().size() + " node" + (cov.unsupported().size() == 1 ? "" : "s")
                    + " no op converter handles (add a converter plugin, or serve the model with --engine ort):",
                    cov.unsupported().stream().map(u -> new UnsupportedOpsException.Op(u.node(), u.domain(), u.opType(), u.opset())).toList());
        }
        Onnx.GraphProto g = model.getGraph();
        Map<String, INDArray> constants = new LinkedHashMap<>();
        for (Onnx.TensorProto t : g.getInitializerList()) {
            INDArray a = Tensors.toArray(t, baseDir, origin);
            constants.put(t.getName(), a.dataType().isFPType() ? a : a.castTo(org.nd4j.linalg.api.buffer.DataType.INT64));
        }
        List<Onnx.ValueInfoProto> inputs = g.getInputList().stream().filter(i -> !constants.containsKey(i.getName())).toList();
        if (inputs.isEmpty()) {
            throw new GraftException(GraftException.Code.MODEL, origin + " has no data input; native import needs at least one");
        }
        if (g.getOutputCount() != 1) {
            throw new GraftException(GraftException.Code.MODEL, origin + " has " + g.getOutputCount() + " outputs "
                    + g.getOutputList().stream().map(Onnx.ValueInfoProto::getName).toList()
                    + "; native import handles models with one output (serve others with --engine ort)");
        }
        Onnx.ValueInfoProto in = inputs.get(0);
        Shape inputShape = perExample(in, origin);
        Ctx ctx = new Ctx(registry, constants, origin);
        ctx.values.put(in.getName(), new ImportContext.Value(in.getName(), Network.INPUT, inputShape, null));
        ctx.shapes.put(Network.INPUT, inputShape);
        List<ModelIR.InputIR> extra = new ArrayList<>();
        Map<String, String> inputNames = new LinkedHashMap<>();
        inputNames.put(in.getName(), Network.INPUT);
        for (Onnx.ValueInfoProto more : inputs.subList(1, inputs.size())) {
            Shape s = perExample(more, origin);
            String name = ctx.unique("in_" + more.getName());
            ctx.values.put(more.getName(), new ImportContext.Value(more.getName(), name, s, null));
            ctx.shapes.put(name, s);
            extra.add(new ModelIR.InputIR(name, Arrays.stream(s.dims()).boxed().toList()));
            inputNames.put(more.getName(), name);
        }
        Map<String, OnnxOpConverter> all = registry.providers(KIND);
        Map<String, Integer> opsets = opsets(model);
        for (Onnx.NodeProto np : g.getNodeList()) {
            String d = np.getDomain().equals("ai.onnx") ? "" : np.getDomain();
            ctx.graphNodes.add(new OnnxNode(np, opsets.getOrDefault(d, 1)));
        }
        g.getOutputList().forEach(o -> ctx.graphOutputs.add(o.getName()));
        for (int i = 0; i < ctx.graphNodes.size(); i++) {
            OnnxNode node = ctx.graphNodes.get(i);
            Onnx.NodeProto np = node.proto();
            ctx.currentIndex = i;
            if (!ctx.fused.contains(node)) {
                ctx.current = node;
                String d = np.getDomain().equals("ai.onnx") ? "" : np.getDomain();
                try {
                    converter(all, d, np.getOpType(), node.opset()).convert(node, ctx);
                } catch (IllegalArgumentException | IllegalStateException e) {
                    throw new GraftException(GraftException.Code.MODEL, origin + ": " + node + ": " + e.getMessage());
                } catch (GraftException e) {
                    throw new GraftException(e.code(), origin + ": " + node + ": " + e.getMessage(), e);
                }
            }
            for (String out : np.getOutputList()) {
                if (!out.isEmpty() && !ctx.values.containsKey(out) && !ctx.opaque.containsKey(out)) {
                    throw new IllegalStateException("converter for " + (ctx.fused.contains(node) ? "the node that fused " : "") + node
                            + " did not bind output '" + out + "'");
                }
            }
        }
        String outName = g.getOutput(0).getName();
        if (ctx.opaque.containsKey(outName)) {
            throw new GraftException(GraftException.Code.MODEL, origin + ": the output '" + outName + "': " + ctx.opaque.get(outName));
        }
        ImportContext.Value out = ctx.values.get(outName);
        if (out == null || out.isConstant()) {
            throw new GraftException(GraftException.Code.MODEL, origin + ": the output '" + outName + "' is a constant or not computed");
        }
        if (ctx.nodes.isEmpty() || inputNames.containsValue(out.node())) {
            throw new GraftException(GraftException.Code.MODEL, origin + ": the model computes nothing from its inputs");
        }
        ModelIR ir = new ModelIR(ModelIR.FORMAT, new ModelIR.InputIR(Network.INPUT, Arrays.stream(inputShape.dims()).boxed().toList()),
                ctx.nodes, out.node(), null, null, List.of(), extra);
        return new Imported(ir, ctx.params, inputNames);
    }

    private static Shape perExample(Onnx.ValueInfoProto in, String origin) {
        if (!in.hasType() || !in.getType().hasTensorType() || !in.getType().getTensorType().hasShape()) {
            throw new GraftException(GraftException.Code.MODEL, origin + ": input '" + in.getName() + "' has no declared tensor shape");
        }
        List<Onnx.TensorShapeProto.Dimension> dims = in.getType().getTensorType().getShape().getDimList();
        if (dims.size() < 2) {
            throw new GraftException(GraftException.Code.MODEL, origin + ": input '" + in.getName() + "' has rank " + dims.size()
                    + "; native import needs [batch, ...] with at least one more dimension");
        }
        long[] s = new long[dims.size() - 1];
        for (int i = 1; i < dims.size(); i++) {
            Onnx.TensorShapeProto.Dimension d = dims.get(i);
            if (!d.hasDimValue() || d.getDimValue() <= 0) {
                throw new GraftException(GraftException.Code.MODEL, origin + ": input '" + in.getName() + "' dimension " + i + " is not static ("
                        + (d.hasDimParam() ? d.getDimParam() : "unknown") + "); native import needs every dimension but the batch fixed");
            }
            s[i - 1] = d.getDimValue();
        }
        return Shape.of(s);
    }

    /** The import state converters work on. */
    private static final class Ctx implements ImportContext {
        private final PluginRegistry registry;
        private final String origin;
        private final Map<String, Value> values = new HashMap<>();
        private final Map<String, Shape> shapes = new HashMap<>();
        private final List<ModelIR.NodeIR> nodes = new ArrayList<>();
        private final Map<String, INDArray> params = new LinkedHashMap<>();
        private final Set<String> names = new HashSet<>(Set.of(Network.INPUT));
        private final List<OnnxNode> graphNodes = new ArrayList<>();
        private final Set<String> graphOutputs = new HashSet<>();
        private final Set<OnnxNode> fused = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        private final Map<String, String> opaque = new HashMap<>();
        private final Map<Class<?>, Object> states = new HashMap<>();
        private OnnxNode current;
        private int currentIndex = -1;

        Ctx(PluginRegistry registry, Map<String, INDArray> constants, String origin) {
            this.registry = registry;
            this.origin = origin;
            constants.forEach((k, v) -> values.put(k, new Value(k, null, null, v)));
        }

        @Override
        public Value value(String onnxName) {
            if (opaque.containsKey(onnxName)) {
                throw new IllegalArgumentException("input '" + onnxName + "': " + opaque.get(onnxName));
            }
            Value v = values.get(onnxName);
            if (v == null) {
                throw new IllegalArgumentException("input '" + onnxName + "' is neither a graph input, an initializer nor an earlier node's output");
            }
            return v;
        }

        String unique(String hint) {
            String base = hint.replaceAll("[^A-Za-z0-9_-]", "_");
            if (base.isEmpty() || !Character.isLetter(base.charAt(0))) {
                base = "n" + base;
            }
            String name = base;
            int i = 1;
            while (!names.add(name)) {
                name = base + "_" + (++i);
            }
            return name;
        }

        @Override
        @SuppressWarnings({"unchecked", "rawtypes"})
        public String emit(String layer, Map<String, Object> config, List<String> inputs, Map<String, INDArray> values, String hint) {
            LayerProvider provider = registry.get(PluginKind.LAYER, layer, current == null ? "import" : current.toString());
            Record cfg = RecordBinder.bind(provider.configType(), config, current == null ? "" : current.name(), "layer '" + layer + "'");
            Layer l = provider.create(cfg);
            List<Shape> inShapes = new ArrayList<>();
            for (String i : inputs) {
                Shape s = shapes.get(i);
                if (s == null) {
                    throw new IllegalStateException("emit: '" + i + "' is not a Graft node of this import");
                }
                inShapes.add(s);
            }
            Shape out = l.outputShape(inShapes);
            List<ParamSpec> specs = l.params(inShapes);
            String name = unique(hint);
            for (ParamSpec p : specs) {
                INDArray v = values.get(p.name());
                if (v == null) {
                    throw new IllegalArgumentException("layer '" + layer + "' needs parameter " + p.name() + Arrays.toString(p.shape())
                            + " but the converter gave none");
                }
                if (!Arrays.equals(v.shape(), p.shape())) {
                    throw new IllegalArgumentException("parameter " + p.name() + " of layer '" + layer + "' must have shape "
                            + Arrays.toString(p.shape()) + ", the model gives " + Arrays.toString(v.shape()));
                }
                params.put(name + "." + p.name(), v.castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).dup('c'));
            }
            for (String k : values.keySet()) {
                if (specs.stream().noneMatch(p -> p.name().equals(k))) {
                    throw new IllegalStateException("converter gave parameter '" + k + "' that layer '" + layer + "' does not declare");
                }
            }
            nodes.add(new ModelIR.NodeIR(name, layer, provider.version(), RecordBinder.unbind(cfg), inputs));
            shapes.put(name, out);
            return name;
        }

        @Override
        public void bind(String onnxName, String node) {
            Shape s = shapes.get(node);
            if (s == null) {
                throw new IllegalStateException("bind: '" + node + "' is not a Graft node of this import");
            }
            opaque.remove(onnxName);
            values.put(onnxName, new Value(onnxName, node, s, null));
        }

        @Override
        public void bindConstant(String onnxName, INDArray value) {
            opaque.remove(onnxName);
            values.put(onnxName, new Value(onnxName, null, null, value));
        }

        @Override
        public List<OnnxNode> consumers(String onnxName) {
            List<OnnxNode> out = new ArrayList<>();
            for (OnnxNode n : graphNodes) {
                if (n.inputs().contains(onnxName)) {
                    out.add(n);
                }
            }
            return out;
        }

        @Override
        public boolean isGraphOutput(String onnxName) {
            return graphOutputs.contains(onnxName);
        }

        @Override
        public void fuse(OnnxNode node) {
            int at = -1;
            for (int i = 0; i < graphNodes.size(); i++) {
                if (graphNodes.get(i) == node) {
                    at = i;
                }
            }
            if (at <= currentIndex) {
                throw new IllegalStateException("fuse: " + node + " is not a node after the current one");
            }
            fused.add(node);
        }

        @Override
        public <T> T state(Class<T> type, java.util.function.Supplier<T> create) {
            return type.cast(states.computeIfAbsent(type, t -> create.get()));
        }

        @Override
        public void bindOpaque(String onnxName, String reason) {
            values.remove(onnxName);
            opaque.put(onnxName, reason);
        }

        @Override
        public boolean isOpaque(String onnxName) {
            return opaque.containsKey(onnxName);
        }

        String origin() {
            return origin;
        }
    }
}
