package dev.graft.runtime;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;

/**
 * Keeps the C library's allocator from handing freed native memory back to the operating system
 * after every training step.
 *
 * <p>ND4J's oneDNN kernels (convolution, pooling) allocate their scratch and layout-conversion
 * buffers with {@code malloc} on every call and free them on return. glibc's defaults return a large
 * freed block to the kernel at once (blocks above the dynamic {@code mmap} threshold are unmapped,
 * and the top of the heap is trimmed past 128 KB), so the next call touches fresh pages and pays a
 * page fault per 4 KB. On virtual machines a fault costs 10 to 15 microseconds: measured on the
 * benchmark CNN (batch 128), one gradient step took 81 ms with the defaults and 17.5 ms with the
 * settings below, and the first convolution's forward pass alone went from 7.8 ms to 1.7 ms.
 *
 * <p>Threads other than the process's first allocate from their own arenas, heaps of at most 64 MB
 * that glibc unmaps as soon as they are empty, whatever the trim threshold; whether a thread's
 * scratch lands in such a heap depends on the order in which the JVM's threads first allocated. On
 * the benchmark CNN, half of the runs faulted 470,000 pages instead of 78,000 and the first layer's
 * weight gradient (one oneDNN convolution with 12 MB of scratch) took 25 ms instead of 2.7. A top pad
 * of 64 MB (the most free memory a heap's top keeps) stops the unmapping: 12 runs out of 12 good.
 *
 * <p>{@link #apply()} sets, through {@code mallopt}, an {@code mmap} threshold of 32 MB (glibc's
 * largest), a trim threshold of 256 MB and a top pad of 64 MB: freed blocks stay in the process for the next call. The
 * memory stays counted in the resident set (it is reused, so the set stays flat). Graft applies it
 * the first time a network is compiled. It is skipped when the environment already sets glibc's
 * allocator ({@code MALLOC_MMAP_THRESHOLD_}, {@code MALLOC_TRIM_THRESHOLD_}, {@code MALLOC_TOP_PAD_}, or {@code GLIBC_TUNABLES}
 * with a {@code glibc.malloc} entry: the user's choice wins), when the C library has no
 * {@code mallopt} (not glibc), and when turned off with {@code -Dgraft.malloc.tune=false} or
 * {@code GRAFT_MALLOC_TUNE=off}.
 */
public final class NativeAllocator {
    private static final Logger LOG = LoggerFactory.getLogger(NativeAllocator.class);

    /** System property: {@code false} leaves the C allocator's settings alone. */
    public static final String PROPERTY = "graft.malloc.tune";

    /** glibc's {@code M_TRIM_THRESHOLD}. */
    static final int M_TRIM_THRESHOLD = -1;
    /** glibc's {@code M_MMAP_THRESHOLD}. */
    static final int M_MMAP_THRESHOLD = -3;
    /** glibc's {@code M_TOP_PAD}. */
    static final int M_TOP_PAD = -2;
    /** The top pad set: a per-thread heap's whole size, so an emptied heap is kept. */
    static final int TOP_PAD = 64 << 20;
    /** The {@code mmap} threshold set: glibc's maximum on 64-bit systems. */
    static final int MMAP_THRESHOLD = 32 << 20;
    /** The trim threshold set. */
    static final int TRIM_THRESHOLD = 256 << 20;

    /** What {@link #apply()} did, for {@code graft info} and the logs. */
    private static volatile String state = "not applied yet";
    private static volatile boolean applied;

    private NativeAllocator() {
    }

    /**
     * Why the allocator must be left alone in this environment, or {@code null} when Graft may tune it.
     *
     * @param env the process environment (a parameter so it can be tested)
     * @param property the value of {@link #PROPERTY}, or null
     */
    static String reasonToSkip(Map<String, String> env, String property) {
        if ("false".equalsIgnoreCase(property) || "off".equalsIgnoreCase(env.getOrDefault("GRAFT_MALLOC_TUNE", ""))) {
            return "turned off (-D" + PROPERTY + "=false or GRAFT_MALLOC_TUNE=off)";
        }
        for (String v : new String[] {"MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_"}) {
            if (env.get(v) != null) {
                return "left to the environment (" + v + "=" + env.get(v) + ")";
            }
        }
        String tunables = env.get("GLIBC_TUNABLES");
        if (tunables != null && tunables.contains("glibc.malloc.")) {
            return "left to the environment (GLIBC_TUNABLES=" + tunables + ")";
        }
        return null;
    }

    /** Applies the settings once per JVM (see the class comment); never throws. */
    public static synchronized void apply() {
        if (applied) {
            return;
        }
        applied = true;
        String skip = reasonToSkip(System.getenv(), System.getProperty(PROPERTY));
        if (skip != null) {
            state = skip;
            LOG.debug("native allocator: {}", state);
            return;
        }
        if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
            state = "left alone (not Linux)";
            return;
        }
        try {
            com.sun.jna.Function mallopt = com.sun.jna.NativeLibrary.getInstance("c").getFunction("mallopt");
            int mmap = mallopt.invokeInt(new Object[] {M_MMAP_THRESHOLD, MMAP_THRESHOLD});
            int trim = mallopt.invokeInt(new Object[] {M_TRIM_THRESHOLD, TRIM_THRESHOLD});
            int pad = mallopt.invokeInt(new Object[] {M_TOP_PAD, TOP_PAD});
            state = mmap == 1 && trim == 1 && pad == 1
                    ? "glibc malloc keeps freed memory (mmap threshold " + (MMAP_THRESHOLD >> 20) + " MB, trim threshold " + (TRIM_THRESHOLD >> 20)
                    + " MB, top pad " + (TOP_PAD >> 20) + " MB)"
                    : "mallopt refused (mmap threshold: " + mmap + ", trim threshold: " + trim + ", top pad: " + pad + "); the C library's defaults apply";
            LOG.debug("native allocator: {}", state);
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            // not glibc (no mallopt) or no JNA for this platform: the defaults apply, which is only slower
            state = "left alone (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")";
            LOG.debug("native allocator: {}", state);
        }
    }

    /** One line on what {@link #apply()} did (or that it has not run yet). */
    public static String describe() {
        return state;
    }
}
