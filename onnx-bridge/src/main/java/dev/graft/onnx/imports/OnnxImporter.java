package dev.graft.onnx.imports;

import dev.graft.api.PluginKind;
import dev.graft.api.Shape;
import dev.graft.api.layer.Layer;
import dev.graft.api.layer.LayerProvider;
import dev.graft.api.layer.ParamSpec;
import dev.graft.onnx.InferenceEngine;
import dev.graft.onnx.UnsupportedOpsException;
import dev.graft.onnx.proto.ElementType;
import dev.graft.onnx.proto.ModelInfo;
import dev.graft.onnx.proto.OnnxFiles;
import dev.graft.onnx.proto.Tensors;
import dev.graft.runtime.GraftException;
import dev.graft.runtime.config.RecordBinder;
import dev.graft.runtime.engine.Network;
import dev.graft.runtime.model.ModelIR;
import dev.graft.runtime.plugin.PluginRegistry;
import onnx.Onnx;
import org.nd4j.linalg.api.buffer.DataType;
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
 * <p>The {@link BatchAxis} of the {@link ImportOptions} says what the data are: batches whose first
 * dimension is the batch ({@code FIRST_DIM}; per-example shapes are the declared shapes without it),
 * or whole tensors ({@code NONE}; per-example shapes are the declared shapes, behind an implicit batch
 * of 1). {@code AUTO}, the default, picks {@code FIRST_DIM} when every data input has rank 2 or more
 * and they share their first dimension. Per-example shapes must be static. The first data input is the
 * Graft model's {@code input}; the others are extra inputs. Every graph output is returned: computed
 * ones are the IR's {@code output} and {@code extraOutputs}, in graph order; outputs that are constants
 * (a {@code Shape} folded at import, say) are kept in {@link Imported#outputs()}.
 */
public final class OnnxImporter {
    /** The plugin kind of op converters. */
    public static final PluginKind<OnnxOpConverter> KIND = PluginKind.of("onnx-op", OnnxOpConverter.class);

    private OnnxImporter() {
    }

    /**
     * A node native import does not support: no converter handles its op at its opset ({@code reason}
     * empty), or one does but refuses the node up front, or the node reads or writes a graph value that
     * is not a numeric tensor ({@code reason} says why).
     */
    public record Unsupported(String node, String domain, String opType, int opset, String reason) {
        public Unsupported(String node, String domain, String opType, int opset) {
            this(node, domain, opType, opset, "");
        }

        @Override
        public String toString() {
            return "node '" + node + "': " + (domain.isEmpty() ? "ai.onnx" : domain) + "." + opType + " (opset " + opset + ")"
                    + (reason.isEmpty() ? "" : ": " + reason);
        }
    }

    /** Op coverage of a model: every op type (with its count) and the nodes native import does not support. */
    public record Coverage(Map<String, Integer> ops, List<Unsupported> unsupported) {
        public boolean complete() {
            return unsupported.isEmpty();
        }
    }

    /**
     * A graph output of an imported model.
     *
     * @param onnxName its ONNX name
     * @param node     the Graft node (or model input) computing it; null for a constant output
     * @param constant its value when it is a constant (as the importer holds constants: float, double
     *                 or int64), else null
     * @param type     its ONNX element type (as declared, or as the import inferred it)
     * @param shape    its per-example shape when computed, else null
     */
    public record Output(String onnxName, String node, INDArray constant, ElementType type, Shape shape) {
        public boolean isConstant() {
            return constant != null;
        }
    }

    /**
     * An imported model.
     *
     * @param ir         its IR; null when the model has no data input, so that every output is a constant
     * @param params     the initial parameter values
     * @param inputNames the Graft input name of each ONNX data input the IR reads (the first is
     *                   {@code input}); inputs that hold no values (a dimension of size 0) are not
     *                   listed: they are constants of the import
     * @param inputTypes the element type of every ONNX data input, in graph order
     * @param outputs    every graph output, in graph order
     * @param batchAxis  the batch axis the import used ({@link BatchAxis#FIRST_DIM} or {@link BatchAxis#NONE})
     * @param folded     the data inputs folded into constants ({@link ImportOptions#knownInputs()}) with
     *                   the values they were folded with, and the empty inputs (a dimension of size 0)
     */
    public record Imported(ModelIR ir, Map<String, INDArray> params, Map<String, String> inputNames, Map<String, ElementType> inputTypes,
                           List<Output> outputs, BatchAxis batchAxis, Map<String, INDArray> folded) {
        /** Whether some output is computed by Graft nodes from the inputs. */
        public boolean computes() {
            return ir != null && !ir.nodes().isEmpty();
        }
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

    /**
     * Which ops the model uses and which nodes native import does not support: ops without a converter
     * at their opset, nodes their converter refuses up front ({@link OnnxOpConverter#unsupported}), and
     * nodes reading or producing a graph input or output that is not a tensor of a numeric type (a
     * sequence, an optional, a string tensor), which the Graft graph cannot hold.
     */
    public static Coverage coverage(Onnx.ModelProto model, PluginRegistry registry) {
        Map<String, OnnxOpConverter> all = registry.providers(KIND);
        Map<String, Integer> opsets = opsets(model);
        Map<String, Integer> ops = new TreeMap<>();
        List<Unsupported> missing = new ArrayList<>();
        Map<String, String> badValues = new HashMap<>();
        Set<String> inits = ModelInfo.initializerNames(model.getGraph());
        Map<String, ElementType> dataTypes = new HashMap<>();
        for (Onnx.ValueInfoProto v : model.getGraph().getInputList()) {
            if (!inits.contains(v.getName())) {
                dataTypes.put(v.getName(), declaredType(v));
                String why = notNumericTensor(v);
                if (why != null) {
                    badValues.put(v.getName(), "input '" + v.getName() + "' " + why);
                }
            }
        }
        for (Onnx.ValueInfoProto v : model.getGraph().getOutputList()) {
            String why = notNumericTensor(v);
            if (why != null) {
                badValues.put(v.getName(), "output '" + v.getName() + "' " + why);
            }
        }
        for (Onnx.NodeProto n : model.getGraph().getNodeList()) {
            String d = n.getDomain().equals("ai.onnx") ? "" : n.getDomain();
            int opset = opsets.getOrDefault(d, 1);
            ops.merge((d.isEmpty() ? "" : d + ".") + n.getOpType(), 1, Integer::sum);
            OnnxNode node = new OnnxNode(n, opset);
            OnnxOpConverter c = converter(all, d, n.getOpType(), opset);
            String reason = null;
            if (c == null) {
                reason = "";
            } else {
                for (String io : concat(n.getInputList(), n.getOutputList())) {
                    if (badValues.containsKey(io)) {
                        reason = badValues.get(io) + "; native import holds numeric tensors only";
                        break;
                    }
                }
                if (reason == null) {
                    String r = c.unsupported(node, dataTypes);
                    reason = r;
                }
            }
            if (reason != null) {
                missing.add(new Unsupported(node.name(), d, n.getOpType(), opset, reason));
            }
        }
        return new Coverage(ops, missing);
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    /** Why a graph input or output is not a tensor of a type ND4J holds, or null when it is. */
    private static String notNumericTensor(Onnx.ValueInfoProto v) {
        if (!v.hasType()) {
            return null;
        }
        InferenceEngine.IoSpec s = ModelInfo.spec(v);
        if (s.kind() != InferenceEngine.Kind.TENSOR) {
            return "is " + s.kind().article() + " " + s.typeString();
        }
        if (s.type() != ElementType.UNDEFINED && !s.type().isSupported()) {
            return "is a " + s.type().onnxName() + " tensor";
        }
        return null;
    }

    /** Reads and imports a model file with the default options. */
    public static Imported importModel(java.nio.file.Path file, PluginRegistry registry) {
        return importModel(file, registry, ImportOptions.DEFAULT);
    }

    /** Reads and imports a model file. */
    public static Imported importModel(java.nio.file.Path file, PluginRegistry registry, ImportOptions options) {
        return importModel(OnnxFiles.readModel(file), registry, file.toString(), file.toAbsolutePath().getParent(), options);
    }

    /** Imports a parsed model with the default options ({@link BatchAxis#AUTO}). */
    public static Imported importModel(Onnx.ModelProto model, PluginRegistry registry, String origin, java.nio.file.Path baseDir) {
        return importModel(model, registry, origin, baseDir, ImportOptions.DEFAULT);
    }

    /**
     * Imports a parsed model; {@code origin} names it in messages and {@code baseDir} is where its
     * external tensor data may live.
     */
    public static Imported importModel(Onnx.ModelProto model, PluginRegistry registry, String origin, java.nio.file.Path baseDir,
                                       ImportOptions options) {
        Coverage cov = coverage(model, registry);
        if (!cov.complete()) {
            boolean typed = cov.unsupported().stream().anyMatch(u -> !u.reason().isEmpty());
            StringBuilder head = new StringBuilder(origin + " uses " + cov.unsupported().size() + " node"
                    + (cov.unsupported().size() == 1 ? "" : "s") + (typed ? " native import does not support" : " no op converter handles")
                    + " (add a converter plugin, or serve the model with --engine ort)");
            for (Unsupported u : cov.unsupported()) {
                if (!u.reason().isEmpty()) {
                    head.append("; ").append(u.node().isEmpty() ? u.opType() : "'" + u.node() + "'").append(": ").append(u.reason());
                }
            }
            head.append(':');
            throw new UnsupportedOpsException(head.toString(),
                    cov.unsupported().stream().map(u -> new UnsupportedOpsException.Op(u.node(), u.domain(), u.opType(), u.opset())).toList());
        }
        Set<String> eager = new HashSet<>();
        while (true) {
            try {
                return attempt(model, registry, origin, baseDir, options, eager);
            } catch (Retry r) {
                eager.addAll(r.inputs);
            }
        }
    }

    /** Import again with these known inputs folded from the start. */
    private static final class Retry extends RuntimeException {
        private final Set<String> inputs;

        Retry(Set<String> inputs) {
            super(null, null, false, false);
            this.inputs = inputs;
        }
    }

    /**
     * The data inputs {@code value} is computed from, through the graph's nodes; null when it also
     * depends on something else (a node output no node produces).
     */
    private static Set<String> sources(Onnx.GraphProto g, String value, Set<String> dataInputs) {
        Map<String, Onnx.NodeProto> producer = new HashMap<>();
        for (Onnx.NodeProto n : g.getNodeList()) {
            n.getOutputList().forEach(o -> producer.put(o, n));
        }
        Set<String> out = new HashSet<>();
        Set<String> seen = new HashSet<>();
        java.util.ArrayDeque<String> todo = new java.util.ArrayDeque<>(List.of(value));
        while (!todo.isEmpty()) {
            String v = todo.pop();
            if (v.isEmpty() || !seen.add(v)) {
                continue;
            }
            if (dataInputs.contains(v)) {
                out.add(v);
            } else if (producer.containsKey(v)) {
                producer.get(v).getInputList().forEach(todo::push);
            }
        }
        return out;
    }

    private static Imported attempt(Onnx.ModelProto model, PluginRegistry registry, String origin, java.nio.file.Path baseDir,
                                    ImportOptions options, Set<String> eager) {
        Onnx.GraphProto g = model.getGraph();
        Map<String, INDArray> constants = new LinkedHashMap<>();
        for (Onnx.TensorProto t : g.getInitializerList()) {
            INDArray a = Tensors.toArray(t, baseDir, origin);
            constants.put(t.getName(), a.dataType().isFPType() ? a : a.castTo(DataType.INT64));
        }
        List<Onnx.ValueInfoProto> inputs = g.getInputList().stream().filter(i -> !constants.containsKey(i.getName())).toList();
        BatchAxis axis = resolve(options.batchAxis(), inputs);
        Ctx ctx = new Ctx(registry, constants, origin, axis == BatchAxis.FIRST_DIM, options.knownInputs());
        List<ModelIR.InputIR> extra = new ArrayList<>();
        Map<String, String> inputNames = new LinkedHashMap<>();
        Map<String, ElementType> inputTypes = new LinkedHashMap<>();
        ModelIR.InputIR first = null;
        for (Onnx.ValueInfoProto in : inputs) {
            ElementType type = declaredType(in);
            inputTypes.put(in.getName(), type);
            long[] dims = declaredDims(in, axis, origin);
            if (eager.contains(in.getName())) {
                // computed only from known integer inputs where a converter needs a constant: folded from the start
                INDArray k = options.knownInputs().get(in.getName());
                ctx.values.put(in.getName(), new ImportContext.Value(in.getName(), null, null, k.castTo(DataType.INT64), type));
                ctx.folded.put(in.getName(), k);
                continue;
            }
            if (Arrays.stream(dims).anyMatch(d -> d == 0)) {
                // no values to give away: an empty input is a constant of its declared shape
                long[] full = axis == BatchAxis.FIRST_DIM ? null : dims;
                if (full == null) {
                    throw new GraftException(GraftException.Code.MODEL, origin + ": input '" + in.getName() + "' has a dimension of size 0"
                            + " after the batch; native import needs non-empty examples");
                }
                INDArray empty = org.nd4j.linalg.factory.Nd4j.create(type.isFloatingPoint() ? DataType.FLOAT : DataType.INT64, full);
                ctx.values.put(in.getName(), new ImportContext.Value(in.getName(), null, null, empty, type));
                ctx.folded.put(in.getName(), empty);
                continue;
            }
            Shape s = Shape.of(dims);
            String name = first == null ? Network.INPUT : ctx.unique("in_" + in.getName());
            ctx.values.put(in.getName(), new ImportContext.Value(in.getName(), name, s, null, type));
            ctx.shapes.put(name, s);
            ctx.dataInputs.put(in.getName(), name);
            ModelIR.InputIR ir = new ModelIR.InputIR(name, Arrays.stream(s.dims()).boxed().toList());
            if (first == null) {
                first = ir;
            } else {
                extra.add(ir);
            }
            inputNames.put(in.getName(), name);
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
                } catch (NeedsConstantException e) {
                    Set<String> from = sources(g, e.value(), inputs.stream().map(Onnx.ValueInfoProto::getName).collect(java.util.stream.Collectors.toSet()));
                    if (!from.isEmpty() && options.knownInputs().keySet().containsAll(from) && !eager.containsAll(from) && axis == BatchAxis.NONE) {
                        throw new Retry(from);
                    }
                    throw new GraftException(GraftException.Code.MODEL, origin + ": " + node + ": " + e.getMessage());
                } catch (UnsupportedNodeException e) {
                    throw new UnsupportedOpsException(origin + " uses 1 node native import does not support; '" + node.name() + "': "
                            + e.getMessage() + ":", List.of(new UnsupportedOpsException.Op(node.name(), d, np.getOpType(), node.opset())));
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
        List<Output> outputs = new ArrayList<>();
        List<String> computed = new ArrayList<>();
        for (Onnx.ValueInfoProto o : g.getOutputList()) {
            if (ctx.opaque.containsKey(o.getName())) {
                throw new GraftException(GraftException.Code.MODEL, origin + ": the output '" + o.getName() + "': " + ctx.opaque.get(o.getName()));
            }
            ImportContext.Value v = ctx.values.get(o.getName());
            if (v == null) {
                throw new GraftException(GraftException.Code.MODEL, origin + ": the output '" + o.getName() + "' is not computed by any node");
            }
            ElementType declared = declaredType(o);
            ElementType type = declared == ElementType.UNDEFINED ? v.type() : declared;
            if (v.isConstant()) {
                if (dev.graft.onnx.imports.ops.Folding.hasBatchMarker(v.constant())) {
                    throw new GraftException(GraftException.Code.MODEL, origin + ": the output '" + o.getName() + "' is a constant that depends"
                            + " on the batch size (a Shape of the data); native import cannot return it");
                }
                outputs.add(new Output(o.getName(), null, v.constant(), type, null));
            } else {
                outputs.add(new Output(o.getName(), v.node(), null, type, v.shape()));
                computed.add(v.node());
            }
        }
        ModelIR ir = null;
        if (first != null) {
            String out = computed.isEmpty() ? first.name() : computed.get(0);
            List<String> extraOutputs = computed.isEmpty() ? List.of() : computed.subList(1, computed.size());
            ir = new ModelIR(ModelIR.FORMAT, first, ctx.nodes, out, null, null, List.of(), extra, extraOutputs);
        }
        return new Imported(ir, ctx.params, inputNames, inputTypes, outputs, axis, ctx.folded);
    }

    /** The batch axis for these data inputs ({@link BatchAxis#AUTO} resolved). */
    static BatchAxis resolve(BatchAxis requested, List<Onnx.ValueInfoProto> inputs) {
        if (requested != BatchAxis.AUTO) {
            return requested;
        }
        if (inputs.isEmpty()) {
            return BatchAxis.NONE;
        }
        String symbol = null;
        long size = -1;
        boolean first = true;
        for (Onnx.ValueInfoProto in : inputs) {
            if (!in.hasType() || !in.getType().hasTensorType() || !in.getType().getTensorType().hasShape()) {
                return BatchAxis.NONE;
            }
            List<Onnx.TensorShapeProto.Dimension> dims = in.getType().getTensorType().getShape().getDimList();
            if (dims.size() < 2) {
                return BatchAxis.NONE;
            }
            Onnx.TensorShapeProto.Dimension d = dims.get(0);
            boolean fixed = d.hasDimValue() && d.getDimValue() > 0;
            String sym = fixed ? null : d.hasDimParam() ? d.getDimParam() : "";
            long sz = fixed ? d.getDimValue() : -1;
            if (first) {
                symbol = sym;
                size = sz;
                first = false;
            } else if (!java.util.Objects.equals(symbol, sym) || size != sz) {
                return BatchAxis.NONE;
            }
        }
        return BatchAxis.FIRST_DIM;
    }

    private static ElementType declaredType(Onnx.ValueInfoProto v) {
        if (!v.hasType() || !v.getType().hasTensorType()) {
            return ElementType.UNDEFINED;
        }
        return ElementType.fromCode(v.getType().getTensorType().getElemType()).orElse(ElementType.UNDEFINED);
    }

    /** The per-example dimensions of a data input: without the first under FIRST_DIM; every one static. */
    private static long[] declaredDims(Onnx.ValueInfoProto in, BatchAxis axis, String origin) {
        if (!in.hasType() || !in.getType().hasTensorType() || !in.getType().getTensorType().hasShape()) {
            throw new GraftException(GraftException.Code.MODEL, origin + ": input '" + in.getName() + "' has no declared tensor shape");
        }
        List<Onnx.TensorShapeProto.Dimension> dims = in.getType().getTensorType().getShape().getDimList();
        int skip = axis == BatchAxis.FIRST_DIM ? 1 : 0;
        if (dims.size() < skip + 1 && skip == 1) {
            throw new GraftException(GraftException.Code.MODEL, origin + ": input '" + in.getName() + "' has rank " + dims.size()
                    + "; with the first dimension as the batch, native import needs [batch, ...] with at least one more dimension"
                    + " (import with batch axis none to take the inputs as whole tensors)");
        }
        long[] s = new long[dims.size() - skip];
        for (int i = skip; i < dims.size(); i++) {
            Onnx.TensorShapeProto.Dimension d = dims.get(i);
            if (!d.hasDimValue() || d.getDimValue() < 0) {
                throw new GraftException(GraftException.Code.MODEL, origin + ": input '" + in.getName() + "' dimension " + i + " is not static ("
                        + (d.hasDimParam() ? d.getDimParam() : "unknown") + "); native import needs every dimension"
                        + (skip == 1 ? " but the batch" : "") + " fixed");
            }
            s[i - skip] = d.getDimValue();
        }
        return s;
    }

    /** The import state converters work on. */
    private static final class Ctx implements ImportContext {
        private final PluginRegistry registry;
        private final String origin;
        private final boolean batchFirst;
        private final Map<String, INDArray> known;
        private final Map<String, Value> values = new HashMap<>();
        private final Map<String, Shape> shapes = new HashMap<>();
        private final List<ModelIR.NodeIR> nodes = new ArrayList<>();
        private final Map<String, INDArray> params = new LinkedHashMap<>();
        private final Set<String> names = new HashSet<>(Set.of(Network.INPUT));
        private final List<OnnxNode> graphNodes = new ArrayList<>();
        private final Set<String> graphOutputs = new HashSet<>();
        private final Map<String, String> dataInputs = new HashMap<>();
        private final Map<String, INDArray> folded = new LinkedHashMap<>();
        private final Set<OnnxNode> fused = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        private final Map<String, String> opaque = new HashMap<>();
        private final Map<Class<?>, Object> states = new HashMap<>();
        private OnnxNode current;
        private int currentIndex = -1;

        Ctx(PluginRegistry registry, Map<String, INDArray> constants, String origin, boolean batchFirst, Map<String, INDArray> known) {
            this.registry = registry;
            this.origin = origin;
            this.batchFirst = batchFirst;
            this.known = known;
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

        @Override
        public boolean batchFirst() {
            return batchFirst;
        }

        @Override
        public INDArray fold(String onnxName) {
            INDArray k = known.get(onnxName);
            if (k == null || !dataInputs.containsKey(onnxName)) {
                return null;
            }
            Value v = values.get(onnxName);
            long[] expect = batchFirst ? null : v.shape().dims();
            if (expect == null || !Arrays.equals(expect, k.shape())) {
                return null;
            }
            folded.put(onnxName, k);
            return k.castTo(DataType.INT64);
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
                params.put(name + "." + p.name(), v.castTo(DataType.FLOAT).dup('c'));
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
            ElementType type = ElementType.FLOAT;
            if (current != null) {
                for (String in : current.inputs()) {
                    if (!in.isEmpty() && values.containsKey(in)) {
                        type = values.get(in).type();
                        break;
                    }
                }
            }
            bind(onnxName, node, type);
        }

        @Override
        public void bind(String onnxName, String node, ElementType type) {
            Shape s = shapes.get(node);
            if (s == null) {
                throw new IllegalStateException("bind: '" + node + "' is not a Graft node of this import");
            }
            opaque.remove(onnxName);
            values.put(onnxName, new Value(onnxName, node, s, null, type));
        }

        @Override
        public void bindConstant(String onnxName, INDArray value) {
            opaque.remove(onnxName);
            values.put(onnxName, new Value(onnxName, null, null, value));
        }

        @Override
        public Shape shapeOf(String node) {
            Shape s = shapes.get(node);
            if (s == null) {
                throw new IllegalStateException("'" + node + "' is not a Graft node of this import");
            }
            return s;
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
