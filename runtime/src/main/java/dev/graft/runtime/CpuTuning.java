package dev.graft.runtime;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * CPU-aware settings of the native math libraries (ND4J and the OpenBLAS it bundles), and the check
 * that tells when they are wrong for this machine.
 *
 * <h2>What can be set where</h2>
 * <ul>
 *   <li><b>OpenBLAS core type</b> ({@code OPENBLAS_CORETYPE}). ND4J 1.0.0-M2.1 bundles OpenBLAS
 *   0.3.19, which does not recognise recent AVX-512 processors and falls back to slow generic kernels
 *   (a 2048^3 float GEMM ran at 36 GFLOP/s instead of 100 on a 2-core AVX-512 machine). OpenBLAS reads
 *   the variable once, from the process environment, when the library loads, and neither OpenBLAS
 *   nor ND4J reads a Java system property for it. The {@code graft} launcher sets {@code SkylakeX}
 *   on AVX-512 CPUs when it is unset; in a program started without it, {@link #bootstrap} sets it in
 *   the process's C environment if ND4J is not loaded yet, and {@link Graft#create()} warns (once,
 *   naming the variable and the value) when it is still missing.</li>
 *   <li><b>Threads</b>. ND4J's OpenMP pool and OpenBLAS's thread count can be changed in-process after
 *   ND4J has loaded; {@link #applyThreads()} does so the first time a network is compiled. The count is
 *   {@code -Dgraft.threads=N}, else {@code OMP_NUM_THREADS}, else 1 (on small matrices a second thread
 *   costs more than it gains: a 128x784 times 784x256 GEMM took 2.1 ms with two OpenMP threads and
 *   0.62 ms with one).</li>
 *   <li><b>OpenBLAS's idle threads</b> ({@code OPENBLAS_THREAD_TIMEOUT}). The OpenBLAS behind ND4J
 *   runs its own thread pool (not OpenMP), whose threads poll for 2^28 clock cycles (about 0.1 s
 *   here) after each multi-threaded product before they sleep, so for that long one core is taken
 *   from whatever runs next: a training step split over two threads ran 3 times slower right after
 *   whole-batch steps. {@value #THREAD_TIMEOUT} (2^{@value #THREAD_TIMEOUT} cycles, a fraction of a
 *   millisecond) keeps them awake between the products of one step. Read when OpenBLAS loads, like
 *   the core type: the launcher and {@link #bootstrap} set it when unset.</li>
 * </ul>
 * {@code -Dgraft.cpu.check=false} (or {@code GRAFT_CPU_CHECK=off}) silences the start-up warning.
 */
public final class CpuTuning {
    private static final Logger LOG = LoggerFactory.getLogger(CpuTuning.class);
    private static final AtomicBoolean WARNED = new AtomicBoolean();
    private static final AtomicBoolean THREADS_APPLIED = new AtomicBoolean();
    private static volatile int appliedThreads = -1;

    /**
     * The {@code OPENBLAS_THREAD_TIMEOUT} Graft sets: OpenBLAS's idle threads poll for 2^20 clock cycles
     * before they sleep instead of 2^28. On 2 cores, the benchmark MLP's training steps split over two
     * threads took 2.5 to 3.5 ms right after whole-batch steps with 2^28 (a third thread polling on one
     * of the cores), 0.8 to 0.9 ms with 2^20 or 2^16; whole-batch steps on two threads were as fast with
     * 2^20 as with 2^24 and 2^28, and 10 to 15% slower with 2^16 (the threads fell asleep between the
     * step's products).
     */
    public static final String THREAD_TIMEOUT = "20";
    /** Above this {@code OPENBLAS_THREAD_TIMEOUT}, idle OpenBLAS threads poll for several milliseconds. */
    static final int THREAD_TIMEOUT_MAX = 22;

    /** System property: ND4J / OpenBLAS threads (overrides {@code OMP_NUM_THREADS}). */
    public static final String THREADS_PROPERTY = "graft.threads";
    /** System property: {@code false} silences the start-up warning. */
    public static final String CHECK_PROPERTY = "graft.cpu.check";

    private CpuTuning() {
    }

    /** What {@code /proc/cpuinfo} says about the processor (empty flags when it cannot be read). */
    public record Cpu(String model, Set<String> flags) {
        public Cpu {
            flags = Set.copyOf(flags);
        }

        public boolean has(String flag) {
            return flags.contains(flag);
        }

        /** The OpenBLAS core type that suits this CPU, or null when Graft has no advice. */
        public String recommendedCoreType() {
            if (has("avx512f") && has("avx512bw") && has("avx512vl") && has("avx512dq")) {
                return "SkylakeX";
            }
            if (has("avx2") && has("fma")) {
                return "Haswell";
            }
            return null;
        }
    }

    /** The CPU of this machine. */
    public static Cpu cpu() {
        return parseCpuinfo(read(Path.of("/proc/cpuinfo")));
    }

    static Cpu parseCpuinfo(List<String> lines) {
        String model = "unknown";
        Set<String> flags = new LinkedHashSet<>();
        for (String line : lines) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String key = line.substring(0, colon).trim();
            String value = line.substring(colon + 1).trim();
            if (key.equals("model name") && model.equals("unknown")) {
                model = value;
            } else if (key.equals("flags") && flags.isEmpty()) {
                flags.addAll(List.of(value.split("\\s+")));
            }
        }
        return new Cpu(model, flags);
    }

    private static List<String> read(Path p) {
        try {
            return Files.readAllLines(p);
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    /**
     * What is wrong with the environment's BLAS settings for this CPU, one sentence each naming the
     * variable and the value to set; empty when nothing is.
     *
     * @param env the process environment (a parameter so it can be tested)
     */
    public static List<String> problems(Cpu cpu, Map<String, String> env) {
        List<String> out = new ArrayList<>();
        String want = cpu.recommendedCoreType();
        String core = env.get("OPENBLAS_CORETYPE");
        if ("SkylakeX".equals(want) && (core == null || core.isBlank())) {
            out.add("OPENBLAS_CORETYPE is not set on this AVX-512 CPU: the OpenBLAS bundled with ND4J misdetects it and multiplies"
                    + " matrices about 3x slower; set OPENBLAS_CORETYPE=SkylakeX in the environment before Java starts"
                    + " (the graft launcher does)");
        }
        String omp = env.get("OMP_NUM_THREADS");
        String timeout = env.get("OPENBLAS_THREAD_TIMEOUT");
        if (threadsAsked(env) > 1 && timeoutExponent(timeout) > THREAD_TIMEOUT_MAX) {
            out.add((timeout == null || timeout.isBlank() ? "OPENBLAS_THREAD_TIMEOUT is not set" : "OPENBLAS_THREAD_TIMEOUT is " + timeout)
                    + ": with more than one thread, OpenBLAS's idle threads poll for 2^" + timeoutExponent(timeout) + " clock cycles (2^28: about 0.1 s)"
                    + " after each multi-threaded product and take a core from the next step; set OPENBLAS_THREAD_TIMEOUT=" + THREAD_TIMEOUT
                    + " (4 to " + THREAD_TIMEOUT_MAX + ") in the environment before Java starts (the graft launcher does)");
        }
        if (omp != null && !omp.isBlank()) {
            try {
                if (Integer.parseInt(omp.trim()) < 1) {
                    out.add("OMP_NUM_THREADS is " + omp + "; set it to a positive number of threads, e.g. OMP_NUM_THREADS=1");
                }
            } catch (NumberFormatException e) {
                out.add("OMP_NUM_THREADS is '" + omp + "', not a number; set it to a positive number of threads, e.g. OMP_NUM_THREADS=1");
            }
        }
        return out;
    }

    /** The threads asked for: {@code -Dgraft.threads}, else {@code OMP_NUM_THREADS} in {@code env}, else 1 (unreadable values count as 1). */
    private static int threadsAsked(Map<String, String> env) {
        String v = System.getProperty(THREADS_PROPERTY);
        if (v == null) {
            v = env.get("OMP_NUM_THREADS");
        }
        try {
            return v == null ? 1 : Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            return 1;
        }
    }

    /** The power of two of the clock cycles OpenBLAS's idle threads poll for, given {@code OPENBLAS_THREAD_TIMEOUT} (OpenBLAS clamps it to 4..30; unset, 0 or not a number: 28). */
    static int timeoutExponent(String v) {
        int t;
        try {
            t = v == null ? 0 : Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            t = 0;
        }
        return t <= 0 ? 28 : Math.max(4, Math.min(30, t));
    }

    /** {@code OPENBLAS_THREAD_TIMEOUT} as OpenBLAS reads it, in a few words. */
    public static String describeThreadTimeout(Map<String, String> env) {
        String v = env.get("OPENBLAS_THREAD_TIMEOUT");
        return (v == null || v.isBlank() ? "unset" : v.trim()) + " (idle OpenBLAS threads poll for 2^" + timeoutExponent(v) + " cycles)";
    }

    /**
     * Advice that is not a problem: a core type set to something other than what suits the CPU
     * (the user's choice is kept; some machines pin a conservative one on purpose).
     */
    public static List<String> notes(Cpu cpu, Map<String, String> env) {
        String want = cpu.recommendedCoreType();
        String core = env.get("OPENBLAS_CORETYPE");
        if (want != null && core != null && !core.isBlank() && !core.equalsIgnoreCase(want)) {
            return List.of("OPENBLAS_CORETYPE is " + core + "; " + want + " kernels suit this CPU's instruction set and are usually faster"
                    + " (Graft keeps your value)");
        }
        return List.of();
    }

    /** System property: {@code false} keeps {@link #bootstrap} from setting anything. */
    public static final String BOOTSTRAP_PROPERTY = "graft.cpu.bootstrap";
    private static final Map<String, String> BOOTSTRAPPED = new java.util.concurrent.ConcurrentHashMap<>();
    private static volatile String bootstrapState = "not run";

    /**
     * The variables the native libraries read when they load, for library users who start Java
     * without the launcher: while ND4J's native libraries are not loaded yet, sets in this process's
     * C environment (through the C library's {@code setenv}, which Java's own environment map does
     * not see) {@code OPENBLAS_CORETYPE} to the type that suits this CPU ({@link Cpu#recommendedCoreType}),
     * {@code OMP_WAIT_POLICY=PASSIVE} (idle OpenMP workers sleep instead of spinning on the cores
     * Graft's threads need) and {@code OPENBLAS_THREAD_TIMEOUT=}{@value #THREAD_TIMEOUT} (OpenBLAS's
     * idle threads sleep after a fraction of a millisecond), each only when the environment leaves it
     * unset. {@link Graft#create()},
     * the CLI and {@link #setThreads} call it; once ND4J is loaded it is too late and changes nothing
     * ({@link #warnIfMistuned} then names what is missing). {@code -Dgraft.cpu.bootstrap=false} turns
     * it off. Never throws.
     */
    public static synchronized void bootstrap() {
        if (!bootstrapState.equals("not run")) {
            return;
        }
        if ("false".equalsIgnoreCase(System.getProperty(BOOTSTRAP_PROPERTY))) {
            bootstrapState = "off (-D" + BOOTSTRAP_PROPERTY + "=false)";
            return;
        }
        String loaded = nativeLoaded();
        if (loaded != null) {
            bootstrapState = "too late: " + loaded + " was loaded before Graft started";
            return;
        }
        Map<String, String> want = new java.util.LinkedHashMap<>();
        String core = cpu().recommendedCoreType();
        if (core != null && System.getenv("OPENBLAS_CORETYPE") == null) {
            want.put("OPENBLAS_CORETYPE", core);
        }
        if (System.getenv("OMP_WAIT_POLICY") == null) {
            want.put("OMP_WAIT_POLICY", "PASSIVE");
        }
        if (System.getenv("OPENBLAS_THREAD_TIMEOUT") == null) {
            want.put("OPENBLAS_THREAD_TIMEOUT", THREAD_TIMEOUT);
        }
        if (want.isEmpty()) {
            bootstrapState = "nothing to set (the environment sets it all)";
            return;
        }
        try {
            com.sun.jna.Function setenv = com.sun.jna.NativeLibrary.getInstance("c").getFunction("setenv");
            for (Map.Entry<String, String> e : want.entrySet()) {
                if (setenv.invokeInt(new Object[] {e.getKey(), e.getValue(), 0}) == 0) {
                    BOOTSTRAPPED.put(e.getKey(), e.getValue());
                }
            }
            bootstrapState = BOOTSTRAPPED.isEmpty() ? "nothing to set (the environment sets it all)"
                    : "set before ND4J loaded: " + BOOTSTRAPPED.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                    .collect(java.util.stream.Collectors.joining(", "));
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            bootstrapState = "not possible here (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")";
        }
    }

    /** What {@link #bootstrap} did, in one line. */
    public static String describeBootstrap() {
        return bootstrapState;
    }

    /** The process environment as the native libraries see it: Java's map plus what {@link #bootstrap} set. */
    public static Map<String, String> environment() {
        if (BOOTSTRAPPED.isEmpty()) {
            return System.getenv();
        }
        Map<String, String> env = new java.util.HashMap<>(System.getenv());
        env.putAll(BOOTSTRAPPED);
        return env;
    }

    /** The first of ND4J's native libraries mapped into this process, or null (also when it cannot be told). */
    static String nativeLoaded() {
        for (String line : read(Path.of("/proc/self/maps"))) {
            for (String lib : new String[] {"libnd4jcpu", "libopenblas", "libgomp"}) {
                if (line.contains(lib)) {
                    return lib;
                }
            }
        }
        return null;
    }

    /**
     * Logs {@link #problems} once per JVM at WARN level; {@link Graft#create()} calls it. Silenced by
     * {@code -Dgraft.cpu.check=false} or {@code GRAFT_CPU_CHECK=off}.
     */
    public static void warnIfMistuned() {
        if ("false".equalsIgnoreCase(System.getProperty(CHECK_PROPERTY))
                || "off".equalsIgnoreCase(String.valueOf(System.getenv("GRAFT_CPU_CHECK")))) {
            return;
        }
        if (WARNED.compareAndSet(false, true)) {
            for (String p : problems(cpu(), environment())) {
                LOG.warn(p);
            }
        }
    }

    /**
     * The thread count Graft gives ND4J and OpenBLAS: {@code -Dgraft.threads}, else {@code
     * OMP_NUM_THREADS}, else 1.
     *
     * @throws GraftException (CONFIG) when {@code graft.threads} is not a positive integer
     */
    public static int configuredThreads() {
        String prop = System.getProperty(THREADS_PROPERTY);
        if (prop != null) {
            try {
                int n = Integer.parseInt(prop.trim());
                if (n >= 1) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new GraftException(GraftException.Code.CONFIG, "-D" + THREADS_PROPERTY + "=" + prop + ": the thread count must be a positive integer");
        }
        String omp = System.getenv("OMP_NUM_THREADS");
        if (omp != null) {
            try {
                int n = Integer.parseInt(omp.trim());
                if (n >= 1) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // fall through to the default; problems() reports it
            }
        }
        return 1;
    }

    /**
     * Applies {@link #configuredThreads()} once per JVM (loads ND4J if it is not loaded yet), and the
     * native allocator's settings ({@link NativeAllocator#apply()}).
     */
    public static void applyThreads() {
        if (THREADS_APPLIED.compareAndSet(false, true)) {
            setThreads(configuredThreads());
        }
        NativeAllocator.apply();
    }

    /**
     * Sets ND4J's OpenMP threads (operations and their master threads) and OpenBLAS's threads now.
     * Loads ND4J if it is not loaded yet. ND4J's master-thread limit can only be lowered below the
     * value it started with ({@code OMP_NUM_THREADS}, else the core count); the OpenMP and OpenBLAS
     * counts can also be raised.
     */
    public static void setThreads(int n) {
        if (n < 1) {
            throw new GraftException(GraftException.Code.USAGE, "the thread count must be at least 1, got " + n);
        }
        THREADS_APPLIED.set(true);
        bootstrap();
        // Nd4j first: it loads the backend that NativeOpsHolder needs
        org.nd4j.linalg.factory.Environment env = org.nd4j.linalg.factory.Nd4j.getEnvironment();
        env.setMaxThreads(n);
        env.setMaxMasterThreads(n);
        org.nd4j.nativeblas.NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(n);
        org.nd4j.linalg.factory.Nd4j.factory().blas().setMaxThreads(n);
        dev.graft.runtime.engine.OneDnn.init();
        appliedThreads = n;
    }

    /**
     * Sets the threads of ND4J's and OpenBLAS's OpenMP work started from the calling thread (OpenMP's
     * count is a per-thread setting; ND4J's own loop limit is process-wide and set with {@code
     * global}). Used by a split training step, whose parts each run on one thread.
     */
    public static void setThreadsHere(int n, boolean global) {
        if (global) {
            org.nd4j.linalg.factory.Nd4j.getEnvironment().setMaxThreads(n);
        }
        org.nd4j.nativeblas.NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(n);
        // the OpenBLAS Graft's kernels call has its own OpenMP setting; ND4J's CpuBlas.setMaxThreads reaches it
        // only through JavaCPP's Loader, which takes a lock and checks the library files on every call
        OpenBlasThreads.set(n);
    }

    /** {@code openblas_set_num_threads} of the OpenBLAS behind {@code org.bytedeco.openblas}, looked up once. */
    private static final class OpenBlasThreads {
        private static final org.bytedeco.openblas.presets.openblas_nolapack.SetNumThreads SET;

        static {
            org.bytedeco.javacpp.Loader.load(org.bytedeco.openblas.global.openblas_nolapack.class);
            org.bytedeco.javacpp.Pointer f = org.bytedeco.javacpp.Loader.addressof("openblas_set_num_threads");
            // a JavaCPP function pointer is a native holder of the function's address: allocated, then set
            SET = f == null ? null : new org.bytedeco.openblas.presets.openblas_nolapack.SetNumThreads() { }.put(f);
        }

        static void set(int n) {
            if (SET != null) {
                SET.call(n);
            } else {
                org.nd4j.linalg.factory.Nd4j.factory().blas().setMaxThreads(n);
            }
        }
    }

    /** The thread count last set by Graft, or -1 when Graft has not set one. */
    public static int appliedThreads() {
        return appliedThreads;
    }

    /** The effective core type setting: the variable's value, or a note that OpenBLAS detects the CPU itself. */
    public static String describeCoreType(Map<String, String> env) {
        String core = env.get("OPENBLAS_CORETYPE");
        return core == null || core.isBlank() ? "unset (OpenBLAS detects the CPU itself)" : core;
    }
}
