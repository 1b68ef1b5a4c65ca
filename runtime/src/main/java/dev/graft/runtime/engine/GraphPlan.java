package dev.graft.runtime.engine;

import dev.graft.runtime.util.DenseArrays;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.BaseReduceOp;
import org.nd4j.linalg.api.ops.CustomOp;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.Op;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.api.ops.ReduceOp;
import org.nd4j.linalg.api.ops.ScalarOp;
import org.nd4j.linalg.api.ops.impl.reduce.Mmul;
import org.nd4j.linalg.api.ops.impl.reduce.custom.BatchMmul;
import org.nd4j.linalg.api.ops.impl.transforms.same.Identity;
import org.nd4j.linalg.api.shape.LongShapeDescriptor;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A SameDiff graph compiled for one set of placeholder shapes: the ops that the requested outputs
 * need, in order, each with its output arrays allocated once and its native op context set up once.
 * Running the plan copies the placeholder values into the plan's own input arrays and executes the
 * ops into the same output arrays every time, so a training or inference step allocates no native
 * memory and skips SameDiff's per-call session bookkeeping (dependency tracking, op
 * parameterisation, shape calculation). Matrix products of contiguous float matrices go straight to
 * the BLAS ({@code cblas_sgemm}) instead of through ND4J's {@code matmul} op, which is several times
 * slower on row-major arrays; large ones that run on one thread go to the op's oneDNN helper
 * ({@link #ONEDNN_GEMM_MIN}).
 *
 * <p>The values are the same as SameDiff's own execution of the graph: the plan runs the same ops
 * with the same arguments. Ops whose input is an integer array computed in the graph (a shape, an
 * index) may have data-dependent output shapes; their shapes are recomputed on every run, and a
 * change makes {@link #run} return {@code null} so the caller rebuilds the plan. Graphs with control
 * flow, tensor arrays or other session-level constructs are not planned ({@link #unsupported}).
 *
 * <p>The arrays {@link #run} returns belong to the plan and are overwritten by its next run. A plan
 * is used by one thread at a time. {@link #close()} releases the native op contexts.
 */
public final class GraphPlan implements AutoCloseable {
    /** System property choosing the executor: {@code plan} (default) or {@code samediff}. */
    public static final String EXECUTOR_PROPERTY = "graft.executor";

    private final Map<String, INDArray> placeholders = new LinkedHashMap<>();
    private final Map<String, INDArray> values = new HashMap<>();
    private final List<Kernel> steps = new ArrayList<>();
    private final List<String> outputs;
    private final Map<String, INDArray> result = new LinkedHashMap<>();
    private final List<OpContext> contexts = new ArrayList<>();

    /** One planned step. */
    public interface Kernel {
        /** Executes the step; returns false when a recomputed output shape no longer fits the plan. */
        boolean exec();
    }

    /** Variables some planned op reads, or the caller asked for: the others need not be computed. */
    private final Set<String> needed = new HashSet<>();
    /**
     * Arrays the kernels reach through raw pointers. A JavaCPP pointer made from an array's address
     * does not keep the array alive; without these references the collector could free a buffer a
     * kernel still writes to.
     */
    private final List<Object> retained = new ArrayList<>();
    /** Inputs of convolutions whose gradient step is planned without the input's gradient. */
    private final Set<String> convInputsWithoutGradient = new HashSet<>();
    /** Forward convolutions' buffers by input array, for their gradient steps. */
    private final Map<INDArray, ConvKernels.Shared> convShared = new java.util.IdentityHashMap<>();
    /** Inputs of max poolings whose gradient the plan computes; what their forward steps note, by input; the gradients made from it, by array. */
    private final Set<String> pooledWithGradient = new HashSet<>();
    private final Map<INDArray, PoolKernels.Argmax> poolShared = new java.util.IdentityHashMap<>();
    private final Map<INDArray, PoolKernels.Argmax> poolGradients = new java.util.IdentityHashMap<>();
    /** Chains of a convolution, a ReLU and a 2x2 pooling that may run as one step ({@link ConvReluPool}), by the convolution's output and by the ReLU's. */
    private final Map<String, ConvReluPool.Slot> fuseByConv = new HashMap<>();
    private final Map<String, ConvReluPool.Slot> fuseByRelu = new HashMap<>();
    /** ReLU gradients of fused chains (by output), and those whose output only the convolution's gradient step reads. */
    private final Map<String, ConvReluPool.Slot> fusedReluGradients = new HashMap<>();
    private final Set<String> soleConvGradientReads = new HashSet<>();
    /** Output gradients read by one ReLU gradient only (and no output of the plan). */
    private final Set<String> soleReluReads = new HashSet<>();

    /**
     * With {@code -Dgraft.plan.profile=true}, the CPU time of the calling thread each planned op took, summed over runs, by
     * {@code name (op)}; {@code null} otherwise. For finding what dominates a step; the table is printed
     * to standard error when the JVM exits.
     */
    static final Map<String, long[]> PROFILE = System.getProperty("graft.plan.profile", "false").matches("true|wall")
            ? new java.util.concurrent.ConcurrentHashMap<>() : null;
    /** With {@code -Dgraft.plan.profile=wall}, the profile times ops by the wall clock (for kernels split over threads). */
    private static final boolean PROFILE_WALL = "wall".equals(System.getProperty("graft.plan.profile"));

    static {
        if (PROFILE != null) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                System.err.println("planned ops by CPU time (graft.plan.profile): total ms, runs, op");
                profileReport().forEach(System.err::println);
            }, "graft-plan-profile"));
        }
    }

    private static Kernel profiled(String name, Kernel s) {
        long[] acc = PROFILE.computeIfAbsent(name, k -> new long[2]);
        java.lang.management.ThreadMXBean clock = java.lang.management.ManagementFactory.getThreadMXBean();
        return () -> {
            long t = PROFILE_WALL ? System.nanoTime() : clock.getCurrentThreadCpuTime();
            boolean ok = s.exec();
            acc[0] += (PROFILE_WALL ? System.nanoTime() : clock.getCurrentThreadCpuTime()) - t;
            acc[1]++;
            return ok;
        };
    }

    /** The profile ({@link #PROFILE}) as lines, slowest first: total ms, runs, op. */
    static List<String> profileReport() {
        if (PROFILE == null) {
            return List.of();
        }
        return PROFILE.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0]))
                .map(e -> String.format(java.util.Locale.ROOT, "%10.2f ms %6d  %s", e.getValue()[0] / 1e6, e.getValue()[1], e.getKey())).toList();
    }

    /** Whether the planned executor is enabled (the default); {@code -Dgraft.executor=samediff} turns it off. */
    public static boolean enabled() {
        return choice(EXECUTOR_PROPERTY, "an executor", "plan", "samediff").equals("plan");
    }

    /**
     * The value of a system property that picks one of {@code allowed} (the first is the default), or
     * a CONFIG error naming the property, the value and the choices ({@code what} it should be).
     */
    static String choice(String property, String what, String... allowed) {
        String v = System.getProperty(property, allowed[0]).trim();
        if (Arrays.asList(allowed).contains(v)) {
            return v;
        }
        StringBuilder use = new StringBuilder("'" + allowed[0] + "' (the default)");
        for (int i = 1; i < allowed.length; i++) {
            use.append(i == allowed.length - 1 ? " or '" : ", '").append(allowed[i]).append('\'');
        }
        throw new dev.graft.runtime.GraftException(dev.graft.runtime.GraftException.Code.CONFIG,
                "system property " + property + "='" + v + "' is not " + what + "; use " + use);
    }

    /**
     * Why the ops the outputs need cannot be planned (the first op that cannot, by name and type), or
     * {@code null} when they all can.
     */
    public static String unsupported(SameDiff sd, Collection<String> outputs) {
        for (SameDiffOp op : order(sd, outputs)) {
            DifferentialFunction df = op.getOp();
            if (!(df instanceof Identity) && !(isPlainCustom(df)) && !(isPlainLegacy(df))) {
                return "op '" + op.getName() + "' (" + df.getClass().getSimpleName() + ")";
            }
        }
        return null;
    }

    private static boolean isPlainCustom(DifferentialFunction df) {
        if (!(df instanceof DynamicCustomOp)) {
            return false;
        }
        String pkg = df.getClass().getName();
        // session-level constructs SameDiff's executor treats specially
        return !(pkg.contains(".controlflow.") || pkg.contains(".tensorops.") || pkg.endsWith(".Invoke") || pkg.endsWith(".CreateView")
                || pkg.endsWith(".ExternalErrorsFunction") || pkg.endsWith(".GradientBackwardsMarker") || pkg.endsWith(".Assert")
                || pkg.endsWith(".Assign") || df.getClass().getSimpleName().startsWith("Random") || pkg.contains(".random."));
    }

    private static boolean isPlainLegacy(DifferentialFunction df) {
        return df instanceof Op && !(df instanceof CustomOp) && !df.getClass().getName().contains(".random.");
    }

    /** The ops the outputs need, each after the ops it reads from. */
    private static List<SameDiffOp> order(SameDiff sd, Collection<String> outputs) {
        List<SameDiffOp> out = new ArrayList<>();
        Set<String> done = new HashSet<>();
        Set<String> onPath = new HashSet<>();
        for (String o : outputs) {
            visitVar(sd, o, done, onPath, out);
        }
        return out;
    }

    private static void visitVar(SameDiff sd, String var, Set<String> done, Set<String> onPath, List<SameDiffOp> out) {
        SDVariable v = sd.getVariable(var);
        if (v == null) {
            throw new IllegalArgumentException("no variable '" + var + "' in the graph");
        }
        if (v.getVariableType() != VariableType.ARRAY) {
            return;
        }
        DifferentialFunction df = sd.getVariableOutputOp(var);
        if (df == null) {
            throw new IllegalStateException("variable '" + var + "' has no op computing it");
        }
        String name = df.getOwnName();
        if (done.contains(name)) {
            return;
        }
        if (!onPath.add(name)) {
            throw new IllegalStateException("the graph has a cycle through op '" + name + "'");
        }
        SameDiffOp op = sd.getOps().get(name);
        if (op.getInputsToOp() != null) {
            for (String in : op.getInputsToOp()) {
                visitVar(sd, in, done, onPath, out);
            }
        }
        if (op.getControlDeps() != null) {
            for (String in : op.getControlDeps()) {
                visitVar(sd, in, done, onPath, out);
            }
        }
        onPath.remove(name);
        done.add(name);
        out.add(op);
    }

    /**
     * Builds the plan and runs it once on these placeholder values (the build is the first run); the
     * values of that run are {@link #outputs()}.
     *
     * @throws IllegalStateException when an op cannot be planned (check {@link #unsupported} first)
     */
    public GraphPlan(SameDiff sd, Map<String, INDArray> feed, List<String> outputs) {
        this.outputs = List.copyOf(outputs);
        OneDnn.init();
        try {
            for (Map.Entry<String, INDArray> e : feed.entrySet()) {
                SDVariable v = sd.getVariable(e.getKey());
                INDArray own = Nd4j.create(v.dataType(), e.getValue().shape(), 'c');
                own.assign(e.getValue());
                placeholders.put(e.getKey(), own);
                values.put(e.getKey(), own);
            }
            List<SameDiffOp> ops = order(sd, outputs);
            needed.addAll(outputs);
            for (SameDiffOp op : ops) {
                if (op.getInputsToOp() != null) {
                    needed.addAll(op.getInputsToOp());
                }
            }
            Map<String, Integer> reads = new HashMap<>();
            for (SameDiffOp op : ops) {
                if (op.getInputsToOp() != null) {
                    op.getInputsToOp().forEach(in -> reads.merge(in, 1, Integer::sum));
                }
            }
            for (SameDiffOp op : ops) {
                // ReLU gradients that are the only readers of their output gradient (and it is no output)
                if (op.getOp() instanceof DynamicCustomOp c && c.opName().equals("thresholdedrelu_bp") && op.getInputsToOp() != null
                        && op.getInputsToOp().size() == 2 && !op.getInputsToOp().get(0).equals(op.getInputsToOp().get(1))
                        && reads.getOrDefault(op.getInputsToOp().get(1), 0) == 1 && !outputs.contains(op.getInputsToOp().get(1))) {
                    soleReluReads.add(op.getInputsToOp().get(1));
                }
                // convolutions whose gradient step leaves the input's gradient out (a first layer)
                if (op.getOp() instanceof DynamicCustomOp c && c.opName().equals("conv2d_bp") && op.getInputsToOp() != null
                        && op.getOutputsOfOp() != null && !op.getOutputsOfOp().isEmpty() && !needed.contains(op.getOutputsOfOp().get(0))) {
                    convInputsWithoutGradient.add(op.getInputsToOp().get(0));
                }
                // max poolings whose gradient step is planned too: their forward step notes the maxima for it
                if (op.getOp() instanceof DynamicCustomOp c && c.opName().equals("maxpool2d_bp") && op.getInputsToOp() != null
                        && !op.getInputsToOp().isEmpty()) {
                    pooledWithGradient.add(op.getInputsToOp().get(0));
                }
            }
            findFusions(ops);
            for (SameDiffOp op : ops) {
                Kernel s = fuse(op, compile(sd, op));
                if (PROFILE != null) {
                    s = profiled(op.getName() + " (" + op.getOp().opName() + ")", s);
                }
                if (!s.exec()) {
                    throw new IllegalStateException("op '" + op.getName() + "' changed its output shape while the plan was built");
                }
                // an op whose outputs are the same on every run (a shape, a function of constants) ran once, here
                if (op.getOutputsOfOp() == null || op.getOutputsOfOp().isEmpty()
                        || !op.getOutputsOfOp().stream().allMatch(o -> fixedForThePlan(sd, o))) {
                    steps.add(s);
                }
            }
            for (String o : outputs) {
                result.put(o, value(sd, o));
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** The outputs of the last run, by name (arrays owned by the plan). */
    public Map<String, INDArray> outputs() {
        return java.util.Collections.unmodifiableMap(result);
    }

    /** Whether these placeholder values have the shapes and types this plan was built for. */
    public boolean fits(Map<String, INDArray> feed) {
        if (!feed.keySet().equals(placeholders.keySet())) {
            return false;
        }
        for (Map.Entry<String, INDArray> e : feed.entrySet()) {
            if (!Arrays.equals(placeholders.get(e.getKey()).shape(), e.getValue().shape())) {
                return false;
            }
        }
        return true;
    }

    /**
     * Runs the plan on placeholder values of the shapes it was built for ({@link #fits}). Returns the
     * outputs by name, arrays owned by the plan, or {@code null} when an op's output shape came out
     * different from the plan's (the caller then builds a new plan).
     */
    public Map<String, INDArray> run(Map<String, INDArray> feed) {
        for (Map.Entry<String, INDArray> e : feed.entrySet()) {
            placeholders.get(e.getKey()).assign(e.getValue());
        }
        for (Kernel s : steps) {
            if (!s.exec()) {
                return null;
            }
        }
        return result;
    }

    @Override
    public void close() {
        for (OpContext c : contexts) {
            try {
                c.close();
            } catch (Exception ignored) {
                // a context that cannot be closed holds native memory only; nothing to do
            }
        }
        contexts.clear();
        // kernels that run an op of their own keep its context with their arrays
        for (Object o : retained) {
            if (o instanceof OpContext c) {
                try {
                    c.close();
                } catch (Exception ignored) {
                    // as above
                }
            }
        }
    }

    private INDArray value(SameDiff sd, String name) {
        INDArray v = values.get(name);
        if (v != null) {
            return v;
        }
        SDVariable var = sd.getVariable(name);
        VariableType t = var.getVariableType();
        if (t == VariableType.VARIABLE || t == VariableType.CONSTANT) {
            INDArray a = sd.getArrForVarName(name);
            if (a == null) {
                throw new IllegalStateException("variable '" + name + "' has no array");
            }
            values.put(name, a);
            return a;
        }
        if (t == VariableType.PLACEHOLDER) {
            throw new IllegalArgumentException("no value was given for placeholder '" + name + "'");
        }
        throw new IllegalStateException("variable '" + name + "' is used before the op computing it ran");
    }

    /**
     * Whether an op input is an integer (or boolean) array whose values may change from run to run:
     * a placeholder, or an array computed in the graph, unless {@link #fixedForThePlan} says its value
     * cannot change while this plan lives.
     */
    private boolean isDataInput(SameDiff sd, String name) {
        SDVariable v = sd.getVariable(name);
        DataType dt = v.dataType();
        return (v.getVariableType() == VariableType.ARRAY || v.getVariableType() == VariableType.PLACEHOLDER)
                && (dt.isIntType() || dt == DataType.BOOL) && !fixedForThePlan(sd, name);
    }

    /** Ops whose output is a shape (or part of one): fixed while a plan lives, see {@link #fixedForThePlan}. */
    private static final Set<String> SHAPE_OPS = Set.of("shape_of", "shapes_of", "size", "size_at", "rank");

    /** Memo of {@link #fixedForThePlan}. */
    private final Map<String, Boolean> fixedValues = new HashMap<>();

    /**
     * Whether a variable's value is the same on every run of this plan: a constant, an array shape
     * (every array's shape is: a plan serves one set of placeholder shapes, and a data-dependent op
     * whose output shape changes makes the run fail and the plan be rebuilt), or an op's output
     * computed from such values alone. Placeholders and trainable variables are not fixed. The reshape
     * in a flatten's gradient, for example, reads the shape of the flatten's input: fixed, so the
     * reshape is a view rather than an op that recomputes its shape on every run.
     */
    private boolean fixedForThePlan(SameDiff sd, String name) {
        Boolean known = fixedValues.get(name);
        if (known != null) {
            return known;
        }
        SDVariable v = sd.getVariable(name);
        boolean fixed;
        if (v.getVariableType() == VariableType.CONSTANT) {
            fixed = true;
        } else if (v.getVariableType() != VariableType.ARRAY) {
            fixed = false;
        } else {
            DifferentialFunction producer = sd.getVariableOutputOp(name);
            if (producer == null) {
                fixed = false;
            } else if (SHAPE_OPS.contains(producer.opName())) {
                fixed = true;
            } else {
                String[] in = producer.argNames();
                fixed = in != null && !(producer instanceof org.nd4j.linalg.api.ops.random.BaseRandomOp)
                        && !producer.opName().startsWith("random");
                for (int i = 0; fixed && i < in.length; i++) {
                    fixed = fixedForThePlan(sd, in[i]);
                }
            }
        }
        fixedValues.put(name, fixed);
        return fixed;
    }

    /** How many convolution weight gradients the plan computes from a fused step's maxima ({@link ConvReluPool#weightGradient}). */
    int sparseGradientSteps() {
        return (int) fuseByConv.values().stream().filter(slot -> slot.active && slot.sparseGradient).count();
    }

    /** How many fused steps ({@link ConvReluPool}) the plan runs. */
    int fusedSteps() {
        return (int) fuseByConv.values().stream().filter(slot -> slot.active).count();
    }

    private static boolean isOp(SameDiffOp op, String name, int inputs) {
        return op.getOp() instanceof DynamicCustomOp c && c.opName().equals(name) && op.getInputsToOp() != null
                && op.getInputsToOp().size() == inputs && op.getOutputsOfOp() != null && !op.getOutputsOfOp().isEmpty();
    }

    /** ND4J's ReLU with cutoff 0 ({@code sd.nn().relu(x, 0)}). */
    private static boolean isRelu(SameDiffOp op) {
        return op.getOp() instanceof org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinear relu && relu.scalar() != null
                && relu.scalar().getDouble(0) == 0 && op.getInputsToOp() != null && op.getInputsToOp().size() == 1
                && op.getOutputsOfOp() != null && op.getOutputsOfOp().size() == 1;
    }

    /**
     * Notes the chains {@code conv2d -> relu -> maxpool2d} whose convolution output and ReLU output
     * nothing else reads (ReLU gradients and pooling gradients apart) and no caller asked for:
     * candidates for {@link ConvReluPool}; the arrays decide when the pooling is compiled ({@link #fuse}).
     */
    private void findFusions(List<SameDiffOp> ops) {
        if (!ConvReluPool.enabled()) {
            return;
        }
        Map<String, List<SameDiffOp>> readers = new HashMap<>();
        for (SameDiffOp op : ops) {
            if (op.getInputsToOp() != null) {
                for (String in : new HashSet<>(op.getInputsToOp())) {
                    readers.computeIfAbsent(in, k -> new ArrayList<>()).add(op);
                }
            }
        }
        for (SameDiffOp conv : ops) {
            if (!(isOp(conv, "conv2d", 2) || isOp(conv, "conv2d", 3)) || conv.getOutputsOfOp().size() != 1 || outputs.contains(conv.getOutputsOfOp().get(0))) {
                continue;
            }
            String z = conv.getOutputsOfOp().get(0);
            SameDiffOp relu = null;
            boolean ok = true;
            for (SameDiffOp op : readers.getOrDefault(z, List.of())) {
                if (relu == null && isRelu(op)) {
                    relu = op;
                } else if (!(isOp(op, "thresholdedrelu_bp", 2) && op.getInputsToOp().get(0).equals(z) && !op.getInputsToOp().get(1).equals(z))) {
                    ok = false;
                }
            }
            if (!ok || relu == null || outputs.contains(relu.getOutputsOfOp().get(0))) {
                continue;
            }
            String r = relu.getOutputsOfOp().get(0);
            boolean pooled = false;
            for (SameDiffOp op : readers.getOrDefault(r, List.of())) {
                if (!pooled && isOp(op, "maxpool2d", 1)) {
                    pooled = true;
                } else if (!(isOp(op, "maxpool2d_bp", 2) && op.getInputsToOp().get(0).equals(r) && !op.getInputsToOp().get(1).equals(r))) {
                    ok = false;
                }
            }
            if (ok && pooled) {
                ConvReluPool.Slot slot = new ConvReluPool.Slot();
                fuseByConv.put(z, slot);
                fuseByRelu.put(r, slot);
                // the ReLU gradients whose output only a convolution gradient step reads, as its output gradient
                for (SameDiffOp op : readers.getOrDefault(z, List.of())) {
                    if (isOp(op, "thresholdedrelu_bp", 2) && op.getOutputsOfOp().size() == 1) {
                        String dz = op.getOutputsOfOp().get(0);
                        List<SameDiffOp> rd = readers.getOrDefault(dz, List.of());
                        if (!outputs.contains(dz) && rd.size() == 1 && rd.get(0).getOp() instanceof DynamicCustomOp c && c.opName().equals("conv2d_bp")
                                && rd.get(0).getInputsToOp().indexOf(dz) == rd.get(0).getInputsToOp().size() - 1) {
                            soleConvGradientReads.add(dz);
                        }
                    }
                }
            }
        }
    }

    /**
     * {@code s}, the kernel compiled for {@code op}, within a fused chain ({@link #findFusions}): the
     * convolution's and the ReLU's kernels run only while the fused step is not in use; the pooling's
     * becomes the fused step when the arrays suit it; a gradient step that would read what the fused
     * step leaves unwritten turns it off (the three kernels then run as compiled).
     */
    private Kernel fuse(SameDiffOp op, Kernel s) {
        if (fuseByConv.isEmpty() || op.getInputsToOp() == null || op.getOutputsOfOp() == null || op.getOutputsOfOp().isEmpty()) {
            return s;
        }
        List<String> ins = op.getInputsToOp();
        String out = op.getOutputsOfOp().get(0);
        ConvReluPool.Slot slot;
        if (op.getOp() instanceof DynamicCustomOp c && c.opName().equals("conv2d") && (slot = fuseByConv.get(out)) != null) {
            slot.x = values.get(ins.get(0));
            slot.w = values.get(ins.get(1));
            slot.b = ins.size() == 3 ? values.get(ins.get(2)) : null;
            slot.conv = ConvKernels.geometry(c.iArgs(), slot.x, slot.w);
            ConvReluPool.Slot f = slot;
            return () -> f.active || s.exec();
        }
        if (isRelu(op) && (slot = fuseByRelu.get(out)) != null) {
            ConvReluPool.Slot f = slot;
            return () -> f.active || s.exec();
        }
        if (op.getOp() instanceof DynamicCustomOp c && c.opName().equals("maxpool2d") && (slot = fuseByRelu.get(ins.get(0))) != null) {
            PoolKernels.Argmax a = poolShared.get(values.get(ins.get(0)));
            slot.relu = values.get(ins.get(0));
            INDArray p = values.get(out);
            if (a == null && !pooledWithGradient.contains(ins.get(0)) && PoolKernels.enabled()) {
                // no gradient step (inference): the fused step notes the maxima for no one, but still saves two passes
                PoolKernels.Geometry pg = PoolKernels.geometry(c.iArgs(), slot.relu, p);
                if (pg != null) {
                    a = new PoolKernels.Argmax(pg);
                    poolShared.put(slot.relu, a);
                }
            }
            if (a == null || a.fused != null || slot.conv == null || !ConvReluPool.suits(slot.conv, a.g) || !DenseArrays.floats(p) || !DenseArrays.floats(slot.w)
                    || slot.w.dataType() != DataType.FLOAT || (slot.b != null && (!DenseArrays.floats(slot.b) || slot.b.length() != slot.conv.oC()))
                    || !DenseArrays.floats(slot.x) || p.length() != a.index.length) {
                return s;
            }
            ConvKernels.Shared shared = convShared.get(slot.x);
            ConvKernels.Input input = shared != null && shared.input() != null ? shared.input() : new ConvKernels.Input(slot.x);
            slot.input = input;
            Kernel fused = ConvReluPool.kernel(slot, input, a, p, retained);
            a.fused = slot;
            slot.active = true;
            ConvReluPool.Slot f = slot;
            return () -> f.active ? fused.exec() : s.exec();
        }
        if (op.getOp() instanceof DynamicCustomOp c && c.opName().equals("maxpool2d_bp") && (slot = fuseByRelu.get(ins.get(0))) != null
                && !poolGradients.containsKey(values.get(out))) {
            slot.active = false; // ND4J's own pooling gradient reads the ReLU's output
        }
        if (op.getOp() instanceof DynamicCustomOp c && c.opName().equals("thresholdedrelu_bp") && ins.size() == 2) {
            PoolKernels.Argmax a = poolGradients.get(values.get(ins.get(1)));
            double[] t = c.tArgs();
            boolean zeroCut = t == null || t.length == 0 || t[0] == 0;
            ConvReluPool.Slot mine = fuseByConv.get(ins.get(0));
            if (mine != null && (a == null || a.fused != mine || !zeroCut)) {
                mine.active = false; // this ReLU gradient reads the convolution's output itself
            }
            if (a != null && a.fused != null && (a.fused != mine || !zeroCut)) {
                a.fused.active = false; // it would read the noted values for another array
            }
            if (mine != null && a != null && a.fused == mine && zeroCut) {
                fusedReluGradients.put(out, mine);
                if (soleConvGradientReads.contains(out)) {
                    // nothing else reads this gradient: while the weight gradient step reads the maxima, it is not written
                    ConvReluPool.Slot f = mine;
                    return () -> (f.active && f.sparseGradient && f.finite) || s.exec();
                }
            }
        }
        if (op.getOp() instanceof DynamicCustomOp c && c.opName().equals("conv2d_bp") && (ins.size() == 3 || ins.size() == 4)
                && op.getOutputsOfOp().size() == ins.size() - 1 && (slot = fusedReluGradients.get(ins.get(ins.size() - 1))) != null
                && slot.input != null && values.get(ins.get(0)) == slot.x && values.get(ins.get(1)) == slot.w && (ins.size() == 4) == (slot.b != null)
                && !needed.contains(out) && ConvReluPool.sparseGradientSuits(slot.conv)) {
            PoolKernels.Argmax a = poolShared.get(slot.relu);
            INDArray dw = values.get(op.getOutputsOfOp().get(1));
            INDArray db = ins.size() == 4 ? values.get(op.getOutputsOfOp().get(2)) : null;
            if (a != null && a.fused == slot && DenseArrays.floats(dw) && dw.length() == slot.w.length()
                    && (db == null || (DenseArrays.floats(db) && db.length() == slot.conv.oC()))) {
                Kernel sparse = ConvReluPool.weightGradient(slot, a, dw, db, retained);
                slot.sparseGradient = true;
                ConvReluPool.Slot f = slot;
                return () -> f.active && f.finite ? sparse.exec() : s.exec();
            }
        }
        return s;
    }

    private Kernel compile(SameDiff sd, SameDiffOp op) {
        DifferentialFunction df = op.getOp();
        String[] argNames = df.argNames();
        INDArray[] args = new INDArray[argNames == null ? 0 : argNames.length];
        boolean dataDependent = false;
        for (int i = 0; i < args.length; i++) {
            args[i] = value(sd, argNames[i]);
            dataDependent |= isDataInput(sd, argNames[i]);
        }
        List<String> outNames = op.getOutputsOfOp();
        if (df instanceof Identity) {
            values.put(outNames.get(0), args[0]);
            return () -> true;
        }
        if (isPlainCustom(df)) {
            return custom(sd, op, (DynamicCustomOp) df, args, outNames, dataDependent);
        }
        if (isPlainLegacy(df)) {
            return legacy(sd, op, (Op) df, args, outNames, dataDependent);
        }
        throw new IllegalStateException("op '" + op.getName() + "' (" + df.getClass().getSimpleName() + ") cannot be planned");
    }

    private OpContext context() {
        OpContext oc = Nd4j.getExecutioner().buildContext();
        oc.allowHelpers(false); // only the ops helperOp allows run on oneDNN
        contexts.add(oc);
        return oc;
    }

    /**
     * Whether a planned op runs on ND4J's oneDNN kernels ({@link OneDnn}): convolutions without
     * dilation and max pooling, forward and gradient. Each is checked against SameDiff's own (plain)
     * kernels by the layer contract's planned-execution item.
     */
    private static boolean helperOp(DynamicCustomOp cop) {
        if (!OneDnn.enabled()) {
            return false;
        }
        long[] ia = cop.iArgs();
        return switch (cop.opName()) {
            case "conv2d", "conv2d_bp" -> ia.length >= 8 && ia[6] == 1 && ia[7] == 1;
            case "maxpool2d", "maxpool2d_bp" -> true;
            default -> false;
        };
    }

    private Kernel custom(SameDiff sd, SameDiffOp op, DynamicCustomOp cop, INDArray[] args, List<String> outNames, boolean dataDependent) {
        OpContext oc = context();
        oc.setArgs(args, cop.iArgs(), cop.dArgs(), cop.tArgs(), cop.bArgs());
        List<LongShapeDescriptor> shapes = cop.calculateOutputShape(oc);
        if (shapes == null || shapes.size() != outNames.size()) {
            throw new IllegalStateException("op '" + op.getName() + "' (" + cop.opName() + "): " + (shapes == null ? "no" : shapes.size())
                    + " output shapes for " + outNames.size() + " outputs");
        }
        if (cop.opName().equals("reshape") && outNames.size() == 1 && !dataDependent && args.length >= 1 && DenseArrays.floats(args[0])
                && sd.getVariable(outNames.get(0)).dataType() == args[0].dataType() && java.util.Arrays.stream(shapes.get(0).getShape()).reduce(1, (p, q) -> p * q) == args[0].length()) {
            // a reshape of a dense row-major array is a view of it: no copy, no op to run
            INDArray view = args[0].reshape('c', shapes.get(0).getShape());
            // ND4J gives a reshaped array a buffer object of its own over the same memory: compare addresses
            if (view.data().address() == args[0].data().address() && DenseArrays.floats(view)) {
                values.put(outNames.get(0), view);
                return () -> true;
            }
        }
        if (cop.opName().equals("add_bp") && args.length == 3 && outNames.size() == 2 && !dataDependent
                && SmallKernels.isBiasAdd(args[0], args[1], args[2]) && sd.getVariable(outNames.get(0)).dataType() == DataType.FLOAT
                && Arrays.equals(shapes.get(0).getShape(), args[2].shape())) {
            // a bias addition's gradient: dx is dz itself (nothing writes to either afterwards), dy its column sums
            INDArray dy = allocate(sd, outNames.get(1), shapes.get(1));
            Kernel k = needed.contains(outNames.get(1)) ? SmallKernels.biasGradient(args[2], dy, retained) : () -> true;
            if (k != null) {
                values.put(outNames.get(0), args[2]);
                values.put(outNames.get(1), dy);
                return k;
            }
        }
        INDArray[] outs = new INDArray[shapes.size()];
        for (int i = 0; i < outs.length; i++) {
            outs[i] = allocate(sd, outNames.get(i), shapes.get(i));
            values.put(outNames.get(i), outs[i]);
        }
        oc.setOutputArrays(outs);
        boolean[] use = new boolean[outs.length];
        for (int i = 0; i < outs.length; i++) {
            use[i] = needed.contains(outNames.get(i));
        }
        Kernel gemm = gemm(cop, args, outs, use);
        if (gemm != null) {
            retained.addAll(Arrays.asList(args));
            retained.addAll(Arrays.asList(outs));
        }
        if (gemm == null && !dataDependent && cop.opName().equals("permute") && args.length == 1 && outs.length == 1) {
            gemm = SmallKernels.permute(args[0], cop.iArgs(), outs[0], retained);
        }
        if (gemm == null && cop.opName().equals("thresholdedrelu_bp") && args.length == 2 && outs.length == 1 && poolGradients.containsKey(args[1])) {
            double[] t = cop.tArgs();
            gemm = PoolKernels.sparseReluGradient(poolGradients.get(args[1]), t == null || t.length == 0 ? 0f : (float) t[0], args[0], args[1], outs[0],
                    soleReluReads.contains(op.getInputsToOp().get(1)), retained);
        }
        if (gemm == null && cop.opName().equals("thresholdedrelu_bp") && args.length == 2 && outs.length == 1) {
            gemm = reluBackward(cop, args[0], args[1], outs[0]);
            retained.addAll(List.of(args[0], args[1], outs[0]));
        }
        if (gemm == null && !dataDependent && cop.opName().equals("maxpool2d") && args.length == 1 && outs.length == 1
                && pooledWithGradient.contains(op.getInputsToOp().get(0)) && PoolKernels.enabled()) {
            gemm = PoolKernels.forward(cop.iArgs(), args[0], outs[0], poolShared, retained);
        }
        if (gemm == null && !dataDependent && cop.opName().equals("maxpool2d_bp") && args.length == 2 && outs.length == 1 && PoolKernels.enabled()) {
            gemm = PoolKernels.backward(cop.iArgs(), args[0], args[1], outs[0], poolShared, poolGradients, retained);
        }
        if (gemm == null && cop.opName().equals("softmax_cross_entropy_loss") && args.length == 3 && outs.length == 1
                && SmallKernels.plainSoftmaxCrossEntropy(cop.iArgs(), cop.tArgs(), args[0], args[1], args[2])) {
            gemm = SmallKernels.softmaxCrossEntropy(args[0], args[1], args[2], outs[0], retained);
        }
        if (gemm == null && cop.opName().equals("softmax_cross_entropy_loss_grad") && args.length == 3 && outs.length == 3 && !use[1] && !use[2]
                && SmallKernels.plainSoftmaxCrossEntropy(cop.iArgs(), cop.tArgs(), args[0], args[1], args[2])) {
            gemm = SmallKernels.softmaxCrossEntropyGradient(args[0], args[1], args[2], outs[0], retained);
        }
        if (gemm == null && cop.opName().equals("conv2d") && ConvKernels.ownForward(convInputsWithoutGradient.contains(op.getInputsToOp().get(0))) && (args.length == 2 || args.length == 3) && outs.length == 1) {
            gemm = ConvKernels.forward(cop.iArgs(), args[0], args[1], args.length == 3 ? args[2] : null, outs[0], convShared, retained);
        }
        if (gemm == null && cop.opName().equals("conv2d_bp") && ConvKernels.ownBackward(use[0]) && (args.length == 3 || args.length == 4) && outs.length == args.length - 1) {
            gemm = ConvKernels.backward(cop.iArgs(), args[0], args[1], args[args.length - 1], outs[0], outs[1],
                    outs.length == 3 ? outs[2] : null, use[0], convShared, retained);
        }
        if (gemm == null && cop.opName().equals("conv2d_bp") && use[0] && (args.length == 3 || args.length == 4) && outs.length == args.length - 1) {
            gemm = ConvKernels.oneDnnBackward(cop.iArgs(), args[0], args[1], args[args.length - 1], outs[0], outs[1],
                    outs.length == 3 ? outs[2] : null, retained);
        }
        if (gemm != null) {
            return gemm;
        }
        if (!dataDependent && helperOp(cop)) {
            oc.allowHelpers(true);
            return () -> {
                OneDnn.exec(cop, oc);
                return true;
            };
        }
        if (!dataDependent) {
            return () -> {
                Nd4j.exec(cop, oc);
                return true;
            };
        }
        return () -> {
            List<LongShapeDescriptor> now = cop.calculateOutputShape(oc);
            for (int i = 0; i < outs.length; i++) {
                if (!Arrays.equals(now.get(i).getShape(), outs[i].shape())) {
                    return false;
                }
            }
            Nd4j.exec(cop, oc);
            return true;
        };
    }

    private static INDArray allocate(SameDiff sd, String name, LongShapeDescriptor shape) {
        // many ops have several valid output types; the variable's type is the one the graph expects
        DataType dt = sd.getVariable(name).dataType();
        LongShapeDescriptor d = shape.dataType() == dt ? shape : shape.asDataType(dt);
        return d.isEmpty() ? Nd4j.create(d) : Nd4j.create(dt, d.getShape(), 'c');
    }

    private Kernel legacy(SameDiff sd, SameDiffOp sop, Op op, INDArray[] args, List<String> outNames, boolean dataDependent) {
        DifferentialFunction df = (DifferentialFunction) op;
        OpContext oc = context();
        boolean axisArg = false;
        INDArray scalarArg = null;
        if (op instanceof ReduceOp && ((ReduceOp) op).getOpType() != Op.Type.REDUCE3 && args.length == 2) {
            INDArray axis = args[1];
            if (axis.isEmpty()) {
                // an empty axis array is a no-op reduction for imported graphs; SameDiff special-cases it
                throw new IllegalStateException("op '" + sop.getName() + "' reduces over an empty axis list");
            }
            int[] a = org.nd4j.linalg.api.shape.Shape.normalizeAxis(args[0].rank(), axis.toIntVector());
            df.setDimensions(a);
            ((BaseReduceOp) op).setEmptyReduce(false);
            axisArg = true;
            if (dataDependent && isDataInput(sd, df.argNames()[1])) {
                throw new IllegalStateException("op '" + sop.getName() + "' reduces over axes computed in the graph");
            }
        } else if (op instanceof ScalarOp && args.length == 2) {
            scalarArg = args[1];
            ((ScalarOp) op).setScalar(scalarArg);
        }
        if (args.length > 0) {
            oc.setInputArray(0, args[0]);
            if (args.length == 2 && !axisArg) {
                oc.setInputArray(1, args[1]);
            }
        }
        List<LongShapeDescriptor> shapes = ((org.nd4j.linalg.api.ops.BaseOp) op).calculateOutputShape(oc);
        if (shapes == null || shapes.size() != 1) {
            throw new IllegalStateException("op '" + sop.getName() + "' (" + op.opName() + "): could not calculate its output shape");
        }
        INDArray z = allocate(sd, outNames.get(0), shapes.get(0));
        oc.setOutputArray(0, z);
        values.put(outNames.get(0), z);
        INDArray scalar = scalarArg;
        if (scalar != null) {
            return () -> {
                ((ScalarOp) op).setScalar(scalar);
                Nd4j.exec(op, oc);
                return true;
            };
        }
        return () -> {
            Nd4j.exec(op, oc);
            return true;
        };
    }

    /**
     * The plans of one graph, by output names and placeholder shapes (a few are kept: a training run
     * sees the batch size and the smaller last batch of an epoch). When the graph's ops cannot be
     * planned, {@link #run} returns {@code null} and says why once, as a warning in the log.
     */
    static final class Cache implements AutoCloseable {
        private static final int MAX_PLANS = 4;
        private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(GraphPlan.class);
        private final String what;
        private final Map<List<String>, String> unsupported = new HashMap<>();
        private final java.util.ArrayDeque<Entry> plans = new java.util.ArrayDeque<>();

        private record Entry(List<String> outputs, GraphPlan plan) {
        }

        /** @param what the graph, for the log ("training", "inference") */
        Cache(String what) {
            this.what = what;
        }

        /**
         * The outputs of the graph for these placeholder values through a plan (arrays owned by the
         * plan, overwritten by its next run), or {@code null} when the planned executor is off or
         * cannot run these ops: the caller then runs SameDiff's own executor.
         */
        Map<String, INDArray> run(SameDiff sd, Map<String, INDArray> feed, List<String> outputs) {
            if (!enabled()) {
                return null;
            }
            String why = unsupported.computeIfAbsent(outputs, o -> {
                String w = GraphPlan.unsupported(sd, o);
                if (w != null) {
                    LOG.warn("the {} graph runs on SameDiff's own executor, which is slower and allocates memory on every call: {} cannot be planned",
                            what, w);
                }
                return w == null ? "" : w;
            });
            if (!why.isEmpty()) {
                return null;
            }
            for (Entry e : plans) {
                if (e.outputs().equals(outputs) && e.plan().fits(feed)) {
                    Map<String, INDArray> r = e.plan().run(feed);
                    if (r != null) {
                        return r;
                    }
                    // a data-dependent shape changed: rebuild below
                    plans.remove(e);
                    e.plan().close();
                    break;
                }
            }
            GraphPlan p = new GraphPlan(sd, feed, outputs);
            plans.addFirst(new Entry(List.copyOf(outputs), p));
            while (plans.size() > MAX_PLANS) {
                plans.removeLast().plan().close();
            }
            return p.result;
        }

        /** Drops every plan (when the graph or the arrays behind it change). */
        @Override
        public void close() {
            for (Entry e : plans) {
                e.plan().close();
            }
            plans.clear();
            unsupported.clear();
        }
    }

    /**
     * {@code dx = x > t ? dz : 0} in one pass over the three buffers (ND4J's {@code thresholdedrelu_bp}
     * op takes several times longer on the arrays of a dense layer).
     */
    private static Kernel reluBackward(DynamicCustomOp op, INDArray x, INDArray dz, INDArray dx) {
        double[] t = op.tArgs();
        if (!DenseArrays.floats(x) || !DenseArrays.floats(dz) || !DenseArrays.floats(dx)
                || !Arrays.equals(x.shape(), dz.shape()) || !Arrays.equals(x.shape(), dx.shape()) || x.length() > Integer.MAX_VALUE) {
            return null;
        }
        float threshold = t == null || t.length == 0 ? 0f : (float) t[0];
        if (!(x.data().indexer() instanceof org.bytedeco.javacpp.indexer.FloatIndexer xb)
                || !(dz.data().indexer() instanceof org.bytedeco.javacpp.indexer.FloatIndexer gb)
                || !(dx.data().indexer() instanceof org.bytedeco.javacpp.indexer.FloatIndexer ob)) {
            return null;
        }
        long n = x.length();
        if (threshold != 0f) {
            return () -> {
                for (long i = 0; i < n; i++) {
                    ob.put(i, xb.get(i) > threshold ? gb.get(i) : 0f);
                }
                return true;
            };
        }
        // x > 0 without a branch (reluMask: signs are random, so a branch mispredicts half the time), on
        // heap chunks the JIT vectorises (through the indexers, element by element, a dense layer's
        // 128 x 256 took 65 to 84 us a step in the benchmark MLP's profile, by chunks about 38); large arrays (a convolution's activations) split over the threads,
        // at least 32K elements a part
        int parts = Parallel.parts(n >> 15);
        FloatPointer px = pointer(x);
        FloatPointer pg = pointer(dz);
        FloatPointer po = pointer(dx);
        int chunk = (int) Math.min(n, RELU_CHUNK);
        float[][] bx = new float[parts][chunk];
        float[][] bg = new float[parts][chunk];
        FloatPointer[][] ptr = new FloatPointer[parts][];
        for (int p = 0; p < parts; p++) {
            ptr[p] = new FloatPointer[] {new FloatPointer(px), new FloatPointer(pg), new FloatPointer(po)};
        }
        return () -> {
            Parallel.run(parts, part -> {
                float[] cx = bx[part];
                float[] cg = bg[part];
                FloatPointer[] q = ptr[part];
                for (long i = Parallel.start(part, parts, n), end = Parallel.start(part + 1, parts, n); i < end; i += chunk) {
                    int len = (int) Math.min(chunk, end - i);
                    q[0].position(i).get(cx, 0, len);
                    q[1].position(i).get(cg, 0, len);
                    for (int k = 0; k < len; k++) {
                        cg[k] = Float.intBitsToFloat(Float.floatToRawIntBits(cg[k]) & reluMask(Float.floatToRawIntBits(cx[k])));
                    }
                    q[2].position(i).put(cg, 0, len);
                }
            });
            return true;
        };
    }

    /** Elements a ReLU gradient step reads into the heap at a time (16 KB per array: the first-level cache). */
    private static final int RELU_CHUNK = 4096;

    /**
     * All ones when the float with bits {@code b} is above 0, else 0, without a branch: {@code x > 0}
     * exactly when {@code 0 < b <= bits(+inf)} as signed ints (negatives, both zeros and NaNs fail).
     */
    static int reluMask(int b) {
        return (-b >> 31) & ((b - 0x7F800001) >> 31);
    }

    // ---- matrix products straight to the BLAS

    /** A dense row-major float matrix: what cblas_sgemm can read in place. */
    private static boolean blasMatrix(INDArray a) {
        return a != null && a.rank() == 2 && DenseArrays.floats(a);
    }

    private static FloatPointer pointer(INDArray a) {
        return new FloatPointer(a.data().addressPointer());
    }

    /**
     * Products of at least this many multiply-adds run on oneDNN's matmul when they run on one thread
     * (a split training step's part, or one thread in all). On one core here, oneDNN's kernels against
     * OpenBLAS 0.3.19's (SkylakeX): 64x784x256 139 against 180 µs, 784x64x256 (a weight gradient) 137
     * against 146, 128x400x120 67 against 77, 64x400x120 35 against 44, 64x256x128 (2.1M) 28 against
     * 29, 128x120x84 18 against 17. Below a few million the call's dispatch (10 µs or more through ND4J)
     * eats the gain. On two threads oneDNN was no faster (its OpenMP workers sleep between calls, as
     * {@code OMP_WAIT_POLICY=PASSIVE} asks) and slower on small products, so OpenBLAS keeps those.
     */
    static final long ONEDNN_GEMM_MIN = 3_000_000;
    /** Products run on oneDNN ({@link #ONEDNN_GEMM_MIN}), for tests. */
    private final java.util.concurrent.atomic.AtomicLong oneDnnProducts = new java.util.concurrent.atomic.AtomicLong();

    /** How many matrix products this plan has run on oneDNN's matmul ({@link #ONEDNN_GEMM_MIN}). */
    long oneDnnProducts() {
        return oneDnnProducts.get();
    }

    /**
     * {@code c = op(a) op(b)}, all row-major: {@code op(x)} is {@code x} or its transpose. The pointers
     * are made once; the arrays behind them never move. A large product on one thread runs on oneDNN
     * ({@link #ONEDNN_GEMM_MIN}), the others on OpenBLAS.
     */
    private Kernel gemmKernel(INDArray a, boolean ta, INDArray b, boolean tb, INDArray c) {
        int m = (int) c.size(0);
        int n = (int) c.size(1);
        int k = (int) (ta ? a.size(0) : a.size(1));
        long expectKb = tb ? b.size(1) : b.size(0);
        if (expectKb != k || (ta ? a.size(1) : a.size(0)) != m || (tb ? b.size(0) : b.size(1)) != n) {
            return null;
        }
        FloatPointer pa = pointer(a);
        FloatPointer pb = pointer(b);
        FloatPointer pc = pointer(c);
        int lda = (int) a.size(1);
        int ldb = (int) b.size(1);
        int transA = ta ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans;
        int transB = tb ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans;
        Kernel blas = () -> {
            openblas_nolapack.cblas_sgemm(openblas_nolapack.CblasRowMajor, transA, transB, m, n, k, 1f, pa, lda, pb, ldb, 0f, pc, n);
            return true;
        };
        if ((long) m * n * k < ONEDNN_GEMM_MIN || !OneDnn.enabled()) {
            return blas;
        }
        // ND4J's matmul op, whose oneDNN helper takes the transposes as its integer arguments
        OpContext oc = context();
        oc.setInputArrays(a, b);
        oc.setOutputArrays(c);
        oc.setIArguments(ta ? 1 : 0, tb ? 1 : 0, 0);
        oc.allowHelpers(true);
        DynamicCustomOp mm = new Mmul();
        return () -> {
            if (Parallel.parts(2) > 1) {
                return blas.exec();
            }
            OneDnn.exec(mm, oc);
            oneDnnProducts.incrementAndGet();
            return true;
        };
    }

    /** The BLAS form of a rank-2 float {@code matmul} or {@code matmul_bp}, or null to run the op itself. */
    private Kernel gemm(DynamicCustomOp op, INDArray[] in, INDArray[] out, boolean[] use) {
        boolean mmul = op instanceof Mmul;
        boolean bp = op.getClass().getName().equals("org.nd4j.linalg.api.ops.impl.reduce.custom.MmulBp")
                || op.getClass().getSimpleName().equals("MmulBp");
        if ((!mmul && !bp) || op instanceof BatchMmul) {
            return null;
        }
        double[] t = op.tArgs();
        if (t != null && t.length > 0 && (t[0] != 1.0 || (t.length > 1 && t[1] != 0.0))) {
            return null; // alpha/beta other than 1/0
        }
        long[] i = op.iArgs();
        boolean tx = i.length > 0 && i[0] != 0;
        boolean ty = i.length > 1 && i[1] != 0;
        boolean tz = i.length > 2 && i[2] != 0;
        if (tz) {
            return null;
        }
        for (INDArray a : in) {
            if (!blasMatrix(a)) {
                return null;
            }
        }
        for (INDArray a : out) {
            if (!blasMatrix(a)) {
                return null;
            }
        }
        if (mmul) {
            return in.length == 2 && out.length == 1 ? gemmKernel(in[0], tx, in[1], ty, out[0]) : null;
        }
        if (in.length != 3 || out.length != 2) {
            return null;
        }
        INDArray x = in[0];
        INDArray y = in[1];
        INDArray eps = in[2];
        // z = op(x) op(y); d op(x) = eps op(y)^T, d op(y) = op(x)^T eps
        // a gradient nothing reads (the input's, at the first layer) is not computed
        Kernel none = () -> true;
        Kernel dx = !use[0] ? none : tx ? gemmKernel(y, ty, eps, true, out[0]) : gemmKernel(eps, false, y, !ty, out[0]);
        Kernel dy = !use[1] ? none : ty ? gemmKernel(eps, true, x, tx, out[1]) : gemmKernel(x, !tx, eps, false, out[1]);
        if (dx == null || dy == null) {
            return null;
        }
        return () -> dx.exec() && dy.exec();
    }
}
