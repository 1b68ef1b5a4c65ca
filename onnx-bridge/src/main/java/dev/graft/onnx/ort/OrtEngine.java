package dev.graft.onnx.ort;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.graft.onnx.InferenceEngine;
import dev.graft.onnx.proto.ElementType;
import dev.graft.onnx.proto.ModelInfo;
import dev.graft.onnx.proto.OnnxFiles;
import dev.graft.onnx.proto.Tensors;
import dev.graft.runtime.GraftException;
import dev.graft.runtime.GraftException.Code;
import dev.graft.runtime.util.Names;
import dev.graft.onnx.UnsupportedOpsException;
import onnx.Onnx.AttributeProto;
import onnx.Onnx.GraphProto;
import onnx.Onnx.ModelProto;
import onnx.Onnx.NodeProto;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Runs an ONNX model with ONNX Runtime (the {@code ai.onnxruntime} Java API, CPU execution provider).
 *
 * <h2>Loading</h2>
 * The file is first read and checked by {@link OnnxFiles#readModel(Path, long)} (so a missing,
 * corrupt or oversized file, or external data outside the model's directory, gets the same message
 * as everywhere in Graft), then handed to ONNX Runtime by path; anything ONNX Runtime rejects
 * becomes a {@code MODEL} error quoting it. Inputs and outputs are described from the model's own
 * declarations, so symbolic dimension names survive ({@code [N, 3]}) and an input without a declared
 * shape is not mistaken for a scalar.
 *
 * <h2>Running</h2>
 * Inputs are validated first (see {@link InferenceEngine}): each problem becomes a {@code DATA} error
 * naming the input, the shape and type given, and the shape and type the model declares, so ONNX
 * Runtime never sees an input it would choke on. Arrays are passed to ONNX Runtime without a copy
 * when they are c-ordered, contiguous and not offset (ND4J's off-heap buffer is wrapped as a direct
 * NIO buffer; float inputs as a direct {@code FloatBuffer}); other layouts are copied once with
 * {@code dup('c')}. The tensor made over an array's memory is kept for the next call, which uses it
 * again when it feeds the same memory with the same type and shape (as a program that refills one
 * input array does); the tensor reads the memory when the model runs, so it sees the new values.
 * Each output is copied once, from ONNX Runtime's native buffer into a new ND4J array, because ONNX
 * Runtime frees its output memory when the run's result is closed (see {@link OrtInternals}; without
 * it, twice). The arrays returned are the caller's: {@link INDArray#close()} frees one's memory at
 * once instead of when a garbage collection finds it unreachable.
 *
 * <p>{@link #run} may be called from several threads at once (ONNX Runtime sessions are
 * thread-safe); {@link #close} waits for running calls. ONNX Runtime's public Java API cannot make
 * uint16, uint32 and uint64 input tensors; {@link OrtInternals} can with the tested ONNX Runtime
 * version, otherwise such inputs are refused with a {@code DATA} error. Strings, sequences, maps and
 * optionals are refused as inputs and as outputs.
 *
 * <p>ONNX Runtime's "no kernel for this operator and type" and "unknown operator" load errors are
 * reported as {@link UnsupportedOpsException} (ONNX Runtime names the first such node only); every
 * other load error is a {@code MODEL} error quoting ONNX Runtime.
 */
public final class OrtEngine implements InferenceEngine {

    /**
     * Engine settings.
     *
     * @param intraOpThreads threads ONNX Runtime uses inside one operator (default 1: Graft's
     *     benchmarks and tests run one model per core)
     * @param maxTensorBytes the most tensor data a model may declare (default: the machine's physical
     *     memory; ONNX Runtime allocates outside the Java heap)
     */
    public record Options(int intraOpThreads, long maxTensorBytes) {
        public static final Options DEFAULT = new Options(1, physicalMemory());

        public Options {
            if (intraOpThreads < 1) {
                throw new GraftException(Code.CONFIG, "ONNX Runtime intra-op threads must be at least 1, got " + intraOpThreads);
            }
            if (maxTensorBytes <= 0) {
                throw new GraftException(Code.CONFIG, "the tensor budget must be positive, got " + maxTensorBytes);
            }
        }

        public Options withIntraOpThreads(int n) {
            return new Options(n, maxTensorBytes);
        }

        public Options withMaxTensorBytes(long bytes) {
            return new Options(intraOpThreads, bytes);
        }

        private static long physicalMemory() {
            try {
                var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
                long total = os.getTotalMemorySize();
                if (total > 0) {
                    return total;
                }
            } catch (RuntimeException | LinkageError e) {
                // not HotSpot: fall back to the heap limit
            }
            return Runtime.getRuntime().maxMemory();
        }
    }

    private final Path model;
    private final String modelName;
    private final OrtEnvironment env;
    private final OrtSession session;
    private final List<IoSpec> inputs;
    private final List<IoSpec> outputs;
    private final Map<String, IoSpec> inputsByName;
    /** What each call needs to know of the inputs, worked out once: see {@link #acceptable}. */
    private final InputPlan[] inputPlans;
    /** Per input, the tensor the last call made over a packed array's memory (see {@link HeldTensor}); null when none or in use. */
    private final java.util.concurrent.atomic.AtomicReferenceArray<HeldTensor> heldTensors;
    /** Per output name, what makes its arrays (one per call, sharing ND4J's shape information). */
    private final Map<String, OutputArrays> outputArrays;
    /** Per output (graph order), the tensor the last {@link #runInto} call made over the caller's array; null when none or in use. */
    private final java.util.concurrent.atomic.AtomicReferenceArray<HeldTensor> pinnedTensors;
    /** run holds the read side, close the write side: a session is never closed under a running call. */
    private final java.util.concurrent.locks.ReentrantReadWriteLock lock = new java.util.concurrent.locks.ReentrantReadWriteLock();
    private boolean closed;

    private OrtEngine(Path model, OrtEnvironment env, OrtSession session, List<IoSpec> inputs, List<IoSpec> outputs) {
        this.model = model;
        this.modelName = model.getFileName() == null ? model.toString() : model.getFileName().toString();
        this.env = env;
        this.session = session;
        this.inputs = List.copyOf(inputs);
        this.outputs = List.copyOf(outputs);
        this.inputsByName = new LinkedHashMap<>();
        for (IoSpec s : this.inputs) {
            inputsByName.put(s.name(), s);
        }
        this.inputPlans = this.inputs.stream().map(InputPlan::new).toArray(InputPlan[]::new);
        this.heldTensors = new java.util.concurrent.atomic.AtomicReferenceArray<>(inputPlans.length);
        this.pinnedTensors = new java.util.concurrent.atomic.AtomicReferenceArray<>(this.outputs.size());
        this.outputArrays = new java.util.HashMap<>();
        for (IoSpec s : this.outputs) {
            outputArrays.put(s.name(), new OutputArrays());
        }
    }

    /**
     * One declared input, as the per-call check needs it: the only ND4J type it accepts (null when
     * it accepts none, i.e. when only the full check's message will do) and its sizes (-1 where free;
     * null when the rank is unknown).
     */
    private static final class InputPlan {
        final IoSpec spec;
        final String name;
        final ElementType type;
        final DataType nd4jType;
        final long[] dims;

        InputPlan(IoSpec spec) {
            this.spec = spec;
            this.name = spec.name();
            this.type = spec.type();
            DataType d = spec.kind() == Kind.TENSOR && spec.type() != ElementType.UNDEFINED && feedable(spec.type())
                    ? spec.type().nd4j().orElse(null) : null;
            // the full check compares ONNX types: an ND4J type is taken only when it maps back to the declared one
            this.nd4jType = d != null && ND4J_TO_ONNX.get(d) == spec.type() ? d : null;
            this.dims = spec.dims();
        }

        /** Whether a tensor of type {@code UNDEFINED} (the model does not say) is declared: any feedable type goes. */
        boolean anyType() {
            return spec.kind() == Kind.TENSOR && type == ElementType.UNDEFINED;
        }
    }

    /** Opens a model with the {@link Options#DEFAULT default options}. */
    public static OrtEngine open(Path model) {
        return open(model, Options.DEFAULT);
    }

    /**
     * Opens a model.
     *
     * @throws UnsupportedOpsException when ONNX Runtime lacks an operator (or a kernel for its types)
     * @throws GraftException code {@code MODEL} when the file is not a model ONNX Runtime can load
     */
    public static OrtEngine open(Path model, Options options) {
        // checked and described by Graft first; the parsed weights are garbage once this returns
        // (the proto is kept until the session exists only to name a node ORT cannot run)
        ModelProto proto = OnnxFiles.readModel(model, options.maxTensorBytes());
        List<IoSpec> declaredIn = ModelInfo.inputs(proto);
        List<IoSpec> declaredOut = ModelInfo.outputs(proto);
        OrtEnvironment env = environment();
        OrtSession session;
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            so.setIntraOpNumThreads(options.intraOpThreads());
            so.setInterOpNumThreads(1);
            so.setSessionLogLevel(OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL);
            session = env.createSession(model.toString(), so);
        } catch (OrtException e) {
            UnsupportedOpsException missing = missingOp(e.getMessage(), proto, model);
            if (missing != null) {
                throw missing;
            }
            throw new GraftException(Code.MODEL, "ONNX Runtime cannot load " + model + ": " + oneLine(e.getMessage()), e);
        }
        try {
            List<IoSpec> in = reconcile(declaredIn, session.getInputInfo());
            List<IoSpec> out = reconcile(declaredOut, session.getOutputInfo());
            return new OrtEngine(model, env, session, in, out);
        } catch (OrtException | RuntimeException e) {
            closeQuietly(session);
            if (e instanceof GraftException g) {
                throw g;
            }
            throw new GraftException(Code.MODEL, "ONNX Runtime cannot describe the inputs and outputs of " + model + ": " + oneLine(e.getMessage()), e);
        }
    }

    private static final Pattern NO_KERNEL = Pattern.compile("Could not find an implementation for ([\\w.]+)\\((-?\\d+)\\) node with name '([^']*)'");
    private static final Pattern NO_OP = Pattern.compile(
            "In Node, \\(\"([^\"]*)\", ([\\w.]+), \"([^\"]*)\", -?\\d+\\).*?No Op registered for [\\w.]+ with domain_version of (\\d+)",
            Pattern.DOTALL);
    private static final Pattern NOT_REGISTERED = Pattern.compile("([\\w.]*):([\\w.]+)\\((-?\\d+)\\) is not a registered function/op");

    /**
     * ONNX Runtime's "no kernel for this op and type" and "unknown op" load errors, as an {@link
     * UnsupportedOpsException} (ORT names the first such node only); null for any other error.
     */
    static UnsupportedOpsException missingOp(String message, ModelProto proto, Path model) {
        if (message == null) {
            return null;
        }
        String name = model.getFileName() == null ? model.toString() : model.getFileName().toString();
        String noKernel = "ONNX Runtime has no kernel for this operator with these element types in " + name + ":";
        String unknown = "ONNX Runtime does not know this operator of " + name + ":";
        Matcher m = NO_KERNEL.matcher(message);
        if (m.find()) {
            String op = m.group(1);
            String node = m.group(3);
            NodeProto n = findNode(proto.getGraph(), op, null, node);
            String domain = n == null ? "" : n.getDomain();
            return new UnsupportedOpsException(noKernel, List.of(new UnsupportedOpsException.Op(node, domain, op, Long.parseLong(m.group(2)))));
        }
        m = NO_OP.matcher(message);
        if (m.find()) {
            return new UnsupportedOpsException(unknown, List.of(new UnsupportedOpsException.Op(m.group(1), m.group(3), m.group(2),
                    Long.parseLong(m.group(4)))));
        }
        m = NOT_REGISTERED.matcher(message);
        if (m.find()) {
            String domain = m.group(1);
            String op = m.group(2);
            long opset = Long.parseLong(m.group(3));
            if (opset < 0) {
                opset = ModelInfo.opset(proto, domain);
            }
            NodeProto n = findNode(proto.getGraph(), op, domain, null);
            return new UnsupportedOpsException(unknown, List.of(new UnsupportedOpsException.Op(n == null ? "" : n.getName(), domain, op, opset)));
        }
        return null;
    }

    private static NodeProto findNode(GraphProto g, String opType, String domain, String name) {
        for (NodeProto n : g.getNodeList()) {
            if (n.getOpType().equals(opType) && (domain == null || ModelInfo.normalizeDomain(n.getDomain()).equals(ModelInfo.normalizeDomain(domain)))
                    && (name == null || n.getName().equals(name))) {
                return n;
            }
            for (AttributeProto a : n.getAttributeList()) {
                List<GraphProto> subs = new ArrayList<>(a.getGraphsList());
                if (a.hasG()) {
                    subs.add(a.getG());
                }
                for (GraphProto sub : subs) {
                    NodeProto found = findNode(sub, opType, domain, name);
                    if (found != null) {
                        return found;
                    }
                }
            }
        }
        return null;
    }

    private static OrtEnvironment environment() {
        try {
            return OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL, "graft");
        } catch (LinkageError | IllegalStateException e) {
            throw new GraftException(Code.PLUGIN, "ONNX Runtime's native library cannot be loaded on " + System.getProperty("os.name") + " "
                    + System.getProperty("os.arch") + ": " + e, e);
        }
    }

    /** The model's declarations, in ONNX Runtime's order; values ONNX Runtime lists but the graph does not declare are described from ORT. */
    private static List<IoSpec> reconcile(List<IoSpec> declared, Map<String, NodeInfo> ort) {
        Map<String, IoSpec> byName = new LinkedHashMap<>();
        for (IoSpec s : declared) {
            byName.put(s.name(), s);
        }
        List<IoSpec> out = new ArrayList<>();
        for (Map.Entry<String, NodeInfo> e : ort.entrySet()) {
            IoSpec s = byName.get(e.getKey());
            if (s == null) {
                s = fromOrt(e.getKey(), e.getValue());
            }
            out.add(s);
        }
        return out;
    }

    private static IoSpec fromOrt(String name, NodeInfo info) {
        if (info.getInfo() instanceof TensorInfo ti) {
            List<Dim> dims = new ArrayList<>();
            String[] names = ti.getDimensionNames();
            long[] shape = ti.getShape();
            for (int i = 0; i < shape.length; i++) {
                dims.add(shape[i] >= 0 ? Dim.fixed(shape[i]) : Dim.symbolic(names != null && i < names.length ? names[i] : ""));
            }
            return new IoSpec(name, Kind.TENSOR, elementType(ti), dims, true);
        }
        return new IoSpec(name, Kind.UNKNOWN, ElementType.UNDEFINED, List.of(), false);
    }

    /** The model file. */
    public Path model() {
        return model;
    }

    @Override
    public List<IoSpec> inputs() {
        return inputs;
    }

    @Override
    public List<IoSpec> outputs() {
        return outputs;
    }

    @Override
    public Map<String, INDArray> run(Map<String, INDArray> feed) {
        lock.readLock().lock();
        try {
            checkCall(feed);
            return runValidated(feed);
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * The tensor made for one input over a packed array's own memory, kept after the call so that the
     * next call feeding that same memory (the same ND4J buffer, not closed, at the same address) with
     * the same type and shape uses it again instead of making another: a tensor reads the memory when
     * the model runs, so whatever the array holds then is what the model sees. The buffer is held
     * weakly (the tensor does not keep it alive and is never used once it is gone).
     */
    private record HeldTensor(java.lang.ref.WeakReference<org.nd4j.linalg.api.buffer.DataBuffer> buffer, long address, DataType type, long[] shape,
            OnnxTensor tensor) {
        static HeldTensor of(INDArray a, OnnxTensor t) {
            return new HeldTensor(new java.lang.ref.WeakReference<>(a.data()), a.data().address(), a.dataType(), a.shape().clone(), t);
        }

        boolean fits(INDArray a) {
            org.nd4j.linalg.api.buffer.DataBuffer d = a.data();
            return buffer.get() == d && !d.wasClosed() && d.address() == address && a.dataType() == type && Arrays.equals(a.shape(), shape);
        }
    }

    /**
     * Writes the chosen outputs straight into the caller's arrays: ONNX Runtime runs with them as its
     * output tensors ("pinned" outputs), so a call makes no output array and copies nothing. The tensor
     * made over an output array is kept for the next call given the same array (as for inputs, see
     * {@link HeldTensor}). Outputs not in the map are not computed.
     */
    @Override
    public void runInto(Map<String, INDArray> feed, Map<String, INDArray> into) {
        lock.readLock().lock();
        try {
            checkCall(feed);
            int[] index = outputIndexes(into);
            runValidated(feed, into, index);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Before a call, under the read lock: the engine is open and the inputs pass {@link #validate}. */
    private void checkCall(Map<String, INDArray> feed) {
        if (closed) {
            throw new IllegalStateException("this OrtEngine for " + model + " is closed");
        }
        if (!acceptable(feed)) {
            validate(feed); // throws, naming every problem
        }
    }

    /** The graph-order index of each output in {@code into}, after checking its array. */
    private int[] outputIndexes(Map<String, INDArray> into) {
        if (into == null || into.isEmpty()) {
            throw GraftException.data("runInto needs at least one output array; the outputs of " + modelName + ": "
                    + outputs.stream().map(IoSpec::toString).collect(Collectors.joining(", ")));
        }
        int[] index = new int[into.size()];
        int k = 0;
        for (Map.Entry<String, INDArray> e : into.entrySet()) {
            int at = -1;
            for (int i = 0; i < outputs.size(); i++) {
                if (outputs.get(i).name().equals(e.getKey())) {
                    at = i;
                    break;
                }
            }
            if (at < 0) {
                throw GraftException.data("output '" + e.getKey() + "' is not an output of " + modelName + "; its outputs: "
                        + outputs.stream().map(IoSpec::toString).collect(Collectors.joining(", ")));
            }
            IoSpec spec = outputs.get(at);
            INDArray a = e.getValue();
            String problem = a == null ? "null"
                    : spec.kind() != Kind.TENSOR ? "given, but the output is " + spec.kind().article() + " " + spec.kind()
                    : a.isEmpty() || a.length() == 0 ? "empty"
                    : !Tensors.isPacked(a) ? "not dense and row-major (a view, an offset or 'f' order)"
                    : spec.type() != ElementType.UNDEFINED && spec.type().nd4j().orElse(null) != a.dataType()
                    ? "ND4J " + a.dataType() + ", not the output's " + spec.type().onnxName()
                    : !fitsDeclared(spec, a.shape()) ? "of shape " + Arrays.toString(a.shape()) + ", which the output's " + spec.shapeString() + " does not allow"
                    : null;
            if (problem != null) {
                throw GraftException.data("the array for output '" + e.getKey() + "' of " + modelName + " is " + problem
                        + "; give a dense row-major array of " + spec.typeString() + " with the shape this call produces");
            }
            index[k++] = at;
        }
        return index;
    }

    private static boolean fitsDeclared(IoSpec spec, long[] shape) {
        if (!spec.rankKnown()) {
            return true;
        }
        if (shape.length != spec.rank()) {
            return false;
        }
        for (int i = 0; i < shape.length; i++) {
            Dim d = spec.shape().get(i);
            if (d.isFixed() && d.size() != shape[i]) {
                return false;
            }
        }
        return true;
    }

    private Map<String, INDArray> runValidated(Map<String, INDArray> feed) {
        return runValidated(feed, null, null);
    }

    private Map<String, INDArray> runValidated(Map<String, INDArray> feed, Map<String, INDArray> into, int[] intoIndex) {
        int n = inputPlans.length;
        Map<String, OnnxTensor> tensors = new java.util.HashMap<>(n * 2);
        HeldTensor[] used = new HeldTensor[n];
        HeldTensor[] pinned = null;
        // ORT reads (and writes) the arrays' off-heap buffers in place: they must stay reachable until the run ends
        INDArray[] keepAlive = new INDArray[n];
        INDArray[] outKeepAlive = null;
        try {
            for (int i = 0; i < n; i++) {
                InputPlan p = inputPlans[i];
                INDArray given = feed.get(p.name);
                INDArray a = Tensors.packed(given);
                keepAlive[i] = a;
                // a held tensor is taken for this call alone: no other call can use or close it meanwhile
                HeldTensor h = heldTensors.getAndSet(i, null);
                if (h != null && a == given && !a.isEmpty() && h.fits(a)) {
                    used[i] = h;
                } else {
                    if (h != null) {
                        h.tensor().close();
                    }
                    OnnxTensor t = toTensor(a, p.spec);
                    used[i] = a == given && !a.isEmpty() ? HeldTensor.of(a, t) : new HeldTensor(null, 0, null, null, t);
                }
                tensors.put(p.name, used[i].tensor());
            }
            if (into != null) {
                pinned = new HeldTensor[outputs.size()];
                outKeepAlive = new INDArray[outputs.size()];
                Map<String, OnnxTensor> pins = new java.util.HashMap<>(into.size() * 2);
                int k = 0;
                for (Map.Entry<String, INDArray> e : into.entrySet()) {
                    int at = intoIndex[k++];
                    INDArray a = e.getValue();
                    outKeepAlive[at] = a;
                    HeldTensor h = pinnedTensors.getAndSet(at, null);
                    if (h == null || !h.fits(a)) {
                        if (h != null) {
                            h.tensor().close();
                        }
                        h = HeldTensor.of(a, toTensor(a, outputs.get(at)));
                    }
                    pinned[at] = h;
                    pins.put(e.getKey(), h.tensor());
                }
                // the pinned tensors are the caller's arrays: the result holds nothing else to read
                session.run(tensors, java.util.Collections.emptySet(), pins).close();
                return null;
            }
            try (OrtSession.Result result = session.run(tensors)) {
                Map<String, INDArray> out = new LinkedHashMap<>(outputArrays.size() * 2);
                for (Map.Entry<String, OnnxValue> e : result) {
                    out.put(e.getKey(), toArray(e.getKey(), e.getValue()));
                }
                return out;
            }
        } catch (OrtException e) {
            throw new GraftException(Code.DATA, "ONNX Runtime failed running " + modelName + " on inputs " + describe(feed) + ": "
                    + oneLine(e.getMessage()), e);
        } finally {
            for (int i = 0; i < n; i++) {
                HeldTensor h = used[i];
                if (h != null && (h.buffer() == null || !heldTensors.compareAndSet(i, null, h))) {
                    h.tensor().close(); // a copy's tensor, or another call has put its own back first
                }
            }
            if (pinned != null) {
                for (int i = 0; i < pinned.length; i++) {
                    HeldTensor h = pinned[i];
                    if (h != null && !pinnedTensors.compareAndSet(i, null, h)) {
                        h.tensor().close(); // another call has put its own back first
                    }
                }
            }
            Reference.reachabilityFence(keepAlive);
            Reference.reachabilityFence(outKeepAlive);
        }
    }

    // ---- validation ------------------------------------------------------------------------

    /**
     * Whether the inputs pass every check of {@link #validate} (the same checks, made on precomputed
     * declarations without building a single message). When it says no, {@link #validate} runs and
     * names the problems; it may say no to inputs {@link #validate} accepts, never yes to inputs it
     * refuses.
     */
    private boolean acceptable(Map<String, INDArray> feed) {
        if (feed == null || feed.size() != inputPlans.length) {
            return false; // none given, some missing or some unknown (the plans' names are distinct)
        }
        for (InputPlan p : inputPlans) {
            INDArray a = feed.get(p.name);
            if (a == null) {
                return false;
            }
            DataType dt = a.dataType();
            if (p.nd4jType != null) {
                if (dt != p.nd4jType) {
                    return false;
                }
            } else if (!p.anyType() || !feedable(ND4J_TO_ONNX.get(dt))) {
                return false;
            }
            if (p.dims != null) {
                long[] shape = a.shape();
                if (shape.length != p.dims.length) {
                    return false;
                }
                for (int i = 0; i < shape.length; i++) {
                    if (p.dims[i] >= 0 && p.dims[i] != shape[i]) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    /** The ONNX type fed for each ND4J type that has one (what {@link ElementType#fromNd4j} says, without searching). */
    private static final Map<DataType, ElementType> ND4J_TO_ONNX = nd4jToOnnx();

    /** The ND4J type of each ONNX type ND4J can hold ({@link ElementType#nd4j()}, without an Optional per call). */
    private static final Map<ElementType, DataType> ONNX_TO_ND4J = onnxToNd4j();

    private static Map<ElementType, DataType> onnxToNd4j() {
        Map<ElementType, DataType> m = new java.util.EnumMap<>(ElementType.class);
        for (ElementType e : ElementType.values()) {
            e.nd4j().ifPresent(d -> m.put(e, d));
        }
        return m;
    }

    private static Map<DataType, ElementType> nd4jToOnnx() {
        Map<DataType, ElementType> m = new java.util.EnumMap<>(DataType.class);
        for (DataType d : DataType.values()) {
            ElementType.fromNd4j(d).ifPresent(e -> m.put(d, e));
        }
        return m;
    }

    /** Whether ONNX Runtime can be given a tensor of this type (null: no ONNX type at all). */
    private static boolean feedable(ElementType et) {
        return et != null && (toOrtType(et) != null || (isUnsigned(et) && OrtInternals.unsignedInputsAvailable()));
    }

    private void validate(Map<String, INDArray> feed) {
        if (feed == null) {
            throw GraftException.data("no inputs given to " + modelName + "; it needs " + listInputs());
        }
        List<String> problems = new ArrayList<>();
        for (String name : feed.keySet()) {
            if (!inputsByName.containsKey(name)) {
                problems.add(modelName + " has no input '" + name + "'" + Names.didYouMean(name, inputsByName.keySet()) + "; its inputs are "
                        + listInputs());
            }
        }
        for (IoSpec spec : inputs) {
            if (!feed.containsKey(spec.name())) {
                problems.add("input '" + spec.name() + "' (" + spec.typeString() + ") is missing; " + modelName + " needs " + listInputs());
                continue;
            }
            INDArray a = feed.get(spec.name());
            String p = check(spec, a);
            if (p != null) {
                problems.add(p);
            }
        }
        if (problems.size() == 1) {
            throw GraftException.data(problems.get(0));
        }
        if (!problems.isEmpty()) {
            throw new GraftException(Code.DATA, problems.size() + " problems with the inputs given to " + modelName + ":", problems, null);
        }
    }

    private String check(IoSpec spec, INDArray a) {
        String want = modelName + " wants " + spec.typeString();
        if (a == null) {
            return "input '" + spec.name() + "' is null; " + want;
        }
        if (spec.kind() != Kind.TENSOR) {
            return "input '" + spec.name() + "' of " + modelName + " is " + spec.kind().article() + " " + spec.typeString() + "; OrtEngine feeds tensors only";
        }
        String given = describe(a);
        var et = ElementType.fromNd4j(a.dataType());
        if (et.isEmpty()) {
            return "input '" + spec.name() + "' is an ND4J " + a.dataType() + " array, which has no ONNX element type; " + want;
        }
        if (spec.type() != ElementType.UNDEFINED && et.get() != spec.type()) {
            return "input '" + spec.name() + "' is " + given + " but " + want + " (cast it to ND4J " + spec.type().nd4j().map(Object::toString).orElse("?")
                    + ")";
        }
        if (!feedable(et.get())) {
            return "input '" + spec.name() + "' is " + given + "; ONNX Runtime's Java API cannot take " + et.get().onnxName() + " tensors";
        }
        if (spec.rankKnown()) {
            long[] shape = a.shape();
            if (shape.length != spec.rank()) {
                return "input '" + spec.name() + "' has shape " + Arrays.toString(shape) + " (rank " + shape.length + ") but " + modelName
                        + " wants rank " + spec.rank() + ": " + spec.typeString();
            }
            for (int i = 0; i < shape.length; i++) {
                Dim d = spec.shape().get(i);
                if (d.isFixed() && d.size() != shape[i]) {
                    return "input '" + spec.name() + "' has shape " + Arrays.toString(shape) + " but " + modelName + " wants " + spec.shapeString()
                            + ": dimension " + i + " must be " + d.size() + ", not " + shape[i];
                }
            }
        }
        return null;
    }

    private String listInputs() {
        return inputs.isEmpty() ? "no inputs" : inputs.stream().map(IoSpec::toString).collect(Collectors.joining(", "));
    }

    private static String describe(INDArray a) {
        return ElementType.fromNd4j(a.dataType()).map(ElementType::onnxName).orElse("ND4J " + a.dataType()) + " " + Arrays.toString(a.shape());
    }

    private static String describe(Map<String, INDArray> feed) {
        return feed.entrySet().stream().map(e -> e.getKey() + "=" + (e.getValue() == null ? "null" : describe(e.getValue())))
                .collect(Collectors.joining(", ", "{", "}"));
    }

    // ---- conversion ------------------------------------------------------------------------

    private OnnxTensor toTensor(INDArray a, IoSpec spec) throws OrtException {
        ElementType et = ND4J_TO_ONNX.get(a.dataType());
        long[] shape = a.shape();
        ByteBuffer bytes;
        if (a.isEmpty() || a.length() == 0) {
            bytes = ByteBuffer.allocateDirect(0);
        } else {
            bytes = a.data().asNio().order(ByteOrder.nativeOrder());
            long want = et.bytesFor(a.length());
            if (bytes.capacity() != want) {
                // never hand ORT a buffer of the wrong size
                throw new IllegalStateException("ND4J buffer of " + bytes.capacity() + " bytes for " + spec.name() + " (" + want + " expected)");
            }
        }
        return switch (et) {
            case FLOAT -> OnnxTensor.createTensor(env, bytes.asFloatBuffer(), shape);
            case DOUBLE -> OnnxTensor.createTensor(env, bytes.asDoubleBuffer(), shape);
            case INT32 -> OnnxTensor.createTensor(env, bytes.asIntBuffer(), shape);
            case INT64 -> OnnxTensor.createTensor(env, bytes.asLongBuffer(), shape);
            case INT16 -> OnnxTensor.createTensor(env, bytes.asShortBuffer(), shape);
            case UINT16, UINT32, UINT64 -> {
                OnnxTensor t = OrtInternals.unsignedTensor(env, bytes.isDirect() ? bytes : ByteBuffer.allocateDirect(0), shape, et);
                if (t == null) {
                    throw GraftException.data("input '" + spec.name() + "' is " + et.onnxName() + "; ONNX Runtime's Java API cannot take "
                            + et.onnxName() + " tensors");
                }
                yield t;
            }
            default -> OnnxTensor.createTensor(env, bytes, shape, toOrtType(et));
        };
    }

    /** ORT's Java enum numbers types its own way (FLOAT is 10), so types are matched by name (once, here). */
    private static final Map<TensorInfo.OnnxTensorType, ElementType> ORT_TO_ONNX = ortToOnnx();

    private static Map<TensorInfo.OnnxTensorType, ElementType> ortToOnnx() {
        Map<TensorInfo.OnnxTensorType, ElementType> m = new java.util.EnumMap<>(TensorInfo.OnnxTensorType.class);
        for (TensorInfo.OnnxTensorType t : TensorInfo.OnnxTensorType.values()) {
            ElementType e;
            try {
                e = ElementType.valueOf(t.name().replace("ONNX_TENSOR_ELEMENT_DATA_TYPE_", ""));
            } catch (IllegalArgumentException x) {
                e = ElementType.UNDEFINED;
            }
            m.put(t, e);
        }
        return m;
    }

    static ElementType elementType(TensorInfo info) {
        return info.onnxType == null ? ElementType.UNDEFINED : ORT_TO_ONNX.get(info.onnxType);
    }

    private static boolean isUnsigned(ElementType et) {
        return et == ElementType.UINT16 || et == ElementType.UINT32 || et == ElementType.UINT64;
    }

    private static OnnxJavaType toOrtType(ElementType et) {
        return switch (et) {
            case FLOAT -> OnnxJavaType.FLOAT;
            case DOUBLE -> OnnxJavaType.DOUBLE;
            case INT8 -> OnnxJavaType.INT8;
            case INT16 -> OnnxJavaType.INT16;
            case INT32 -> OnnxJavaType.INT32;
            case INT64 -> OnnxJavaType.INT64;
            case UINT8 -> OnnxJavaType.UINT8;
            case BOOL -> OnnxJavaType.BOOL;
            case FLOAT16 -> OnnxJavaType.FLOAT16;
            case BFLOAT16 -> OnnxJavaType.BFLOAT16;
            default -> null;
        };
    }

    private INDArray toArray(String name, OnnxValue v) {
        if (!(v instanceof OnnxTensor t)) {
            String what = outputs.stream().filter(o -> o.name().equals(name)).findFirst()
                    .map(o -> o.kind().article() + " " + o.typeString()).orElse("a " + v.getType());
            throw GraftException.data("output '" + name + "' of " + modelName + " is " + what + ", not a tensor; OrtEngine returns tensors only");
        }
        TensorInfo info = t.getInfo();
        ElementType et = elementType(info);
        DataType dt = ONNX_TO_ND4J.get(et);
        if (dt == null) {
            throw GraftException.data("output '" + name + "' of " + modelName + " is a " + et.onnxName() + " tensor, which ND4J arrays cannot hold");
        }
        long[] shape = info.getShape();
        if (info.getNumElements() == 0) {
            return Nd4j.create(dt, shape);
        }
        OutputArrays arrays = outputArrays.get(name);
        INDArray a = arrays != null ? arrays.uninitialized(dt, shape) : Nd4j.createUninitialized(dt, shape);
        ByteBuffer dst = a.data().asNio();
        ByteBuffer src = nativeBuffer(t);
        if (src.remaining() != dst.capacity()) {
            throw new IllegalStateException("ONNX Runtime returned " + src.remaining() + " bytes for output '" + name + "' " + Arrays.toString(shape)
                    + " " + et + "; expected " + dst.capacity());
        }
        dst.put(src);
        return a;
    }

    /** ORT's output memory: a view when {@link OrtInternals} can give one, else the public API's heap copy. */
    private static ByteBuffer nativeBuffer(OnnxTensor t) {
        ByteBuffer b = OrtInternals.outputView(t);
        return b != null ? b.duplicate() : t.getByteBuffer();
    }

    private static String oneLine(String s) {
        return s == null ? "(no message)" : s.strip().replaceAll("\\s*\\R\\s*", " ");
    }

    private static void closeQuietly(OrtSession s) {
        try {
            s.close();
        } catch (OrtException | RuntimeException e) {
            // nothing more to do
        }
    }

    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            if (!closed) {
                closed = true;
                for (int i = 0; i < heldTensors.length(); i++) {
                    HeldTensor h = heldTensors.getAndSet(i, null);
                    if (h != null) {
                        h.tensor().close();
                    }
                }
                for (int i = 0; i < pinnedTensors.length(); i++) {
                    HeldTensor h = pinnedTensors.getAndSet(i, null);
                    if (h != null) {
                        h.tensor().close();
                    }
                }
                closeQuietly(session);
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public String toString() {
        return "OrtEngine[" + model + ", inputs " + inputs + ", outputs " + outputs + "]";
    }

    /** The names ONNX Runtime reports, for tests. */
    Set<String> ortInputNames() {
        return session.getInputNames();
    }
}
