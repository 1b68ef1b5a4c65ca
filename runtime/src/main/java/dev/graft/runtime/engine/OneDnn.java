package dev.graft.runtime.engine;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * ND4J's oneDNN kernels ("platform helpers"): on for the planned ops known to be right with them, off
 * everywhere else.
 *
 * <p>Graft ships ND4J's oneDNN build. Its convolution and max-pooling kernels are several times faster
 * than ND4J's own (benchmark CNN, batch 128, one thread: second convolution forward 0.7 against 6.2
 * ms, first max-pooling gradient 0.8 against 2.8 ms), but some of its other helpers fail in ND4J
 * 1.0.0-M2.1: an LSTM layer stops with "object is not initialized", a strided dilated convolution with
 * "could not create a descriptor". ND4J's switch is one process-wide flag, and an op runs on oneDNN only
 * when both that flag and its own context allow it. So {@link #init()} turns the flag off (SameDiff's
 * own execution, and every op Graft does not plan, then run ND4J's kernels, as in its plain build), and
 * a planned op on the allow list ({@link GraphPlan}) turns it on for the length of the op, through
 * {@link #enterOn()} / {@link #exitOn()}, with every other planned op's context denying helpers. The
 * gate lets any number of helper ops run at once, or any number of Graft's SameDiff executions
 * ({@link #enterOff()}), never both, so a SameDiff execution on another thread never sees the flag on.
 *
 * <p>{@code -Dgraft.onednn=false} keeps oneDNN off everywhere.
 */
public final class OneDnn {
    /** System property: {@code false} keeps oneDNN off. */
    public static final String PROPERTY = "graft.onednn";

    private static final Object LOCK = new Object();
    private static int on;
    private static int off;
    private static volatile Boolean built;
    private static volatile boolean initialised;

    private OneDnn() {
    }

    /** Whether the loaded ND4J build has oneDNN (loads ND4J). */
    public static boolean built() {
        if (built == null) {
            built = NativeOpsHolder.getInstance().getDeviceNativeOps().buildInfo().contains("HAVE_ONEDNN");
        }
        return built;
    }

    /** Whether planned ops may use oneDNN: the build has it and {@code -Dgraft.onednn=false} is not set. */
    public static boolean enabled() {
        return !"false".equalsIgnoreCase(System.getProperty(PROPERTY)) && built();
    }

    /** Turns ND4J's process-wide helper flag off, once per JVM (loads ND4J). */
    public static void init() {
        if (!initialised) {
            synchronized (LOCK) {
                if (!initialised) {
                    Nd4j.getEnvironment().allowHelpers(false);
                    initialised = true;
                }
            }
        }
    }

    /** Before a planned helper op: waits until no SameDiff execution runs, then allows helpers. */
    static void enterOn() {
        synchronized (LOCK) {
            while (off > 0) {
                await();
            }
            if (on++ == 0) {
                Nd4j.getEnvironment().allowHelpers(true);
            }
        }
    }

    /** After a planned helper op. */
    static void exitOn() {
        synchronized (LOCK) {
            if (--on == 0) {
                Nd4j.getEnvironment().allowHelpers(false);
                LOCK.notifyAll();
            }
        }
    }

    /** A context for {@link #exec}: the op's inputs, its output and its integer arguments, helpers allowed. */
    static org.nd4j.linalg.api.ops.OpContext context(INDArray[] inputs, INDArray output, long... iArgs) {
        org.nd4j.linalg.api.ops.OpContext oc = Nd4j.getExecutioner().buildContext();
        oc.setInputArrays(inputs);
        oc.setOutputArrays(output);
        oc.setIArguments(iArgs);
        oc.allowHelpers(true);
        return oc;
    }

    /** Runs a planned op with helpers allowed ({@link #enterOn} and {@link #exitOn} around it). */
    static void exec(org.nd4j.linalg.api.ops.CustomOp op, org.nd4j.linalg.api.ops.OpContext oc) {
        enterOn();
        try {
            Nd4j.exec(op, oc);
        } finally {
            exitOn();
        }
    }

    /** Before one of Graft's SameDiff executions: waits until no helper op runs. */
    static void enterOff() {
        init();
        synchronized (LOCK) {
            while (on > 0) {
                await();
            }
            off++;
        }
    }

    /** After one of Graft's SameDiff executions. */
    static void exitOff() {
        synchronized (LOCK) {
            if (--off == 0) {
                LOCK.notifyAll();
            }
        }
    }

    private static void await() {
        try {
            LOCK.wait();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for ND4J's helper flag", e);
        }
    }
}
