package dev.graft.cli;

import org.nd4j.imports.converters.DifferentialFunctionClassHolder;
import org.nd4j.ir.OpDescriptorHolder;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.LoggerFactory;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Starts, on a background thread, the one-off initialisation that a command using ND4J pays for
 * before its first step, while the main thread parses the command line, discovers plugins and reads
 * the experiment: the logging back end and ND4J's native back end, and for the commands that train
 * also SameDiff's operation registry (every op class, with the TensorFlow and ONNX op descriptors it
 * parses; SameDiff needs it to build a gradient function) and ND4J's op descriptors. Each of these is
 * a class initialiser, so the main thread simply waits for the JVM's class-initialisation lock when
 * it gets there first or meets one still running; nothing is done twice or out of order.
 *
 * <p>The commands in {@link #TRAINING} preload everything, those in {@link #INFERENCE} logging and the
 * ND4J back end (they build no gradients), the others nothing. {@code -Dgraft.preload=false} or
 * {@code GRAFT_PRELOAD=off} turns it off. A failure on the background thread is kept, not printed: the
 * main thread meets the same failure where it needs ND4J, and {@link #failure()} lets the error
 * report show the original cause (a class whose initialiser failed is afterwards only reported as
 * "could not initialize class").
 */
final class Preload {
    /** System property: {@code false} turns preloading off. */
    static final String PROPERTY = "graft.preload";
    /** Environment variable: {@code off} turns preloading off. */
    static final String ENV = "GRAFT_PRELOAD";
    /** The commands that train (and so build a gradient function). */
    static final Set<String> TRAINING = Set.of("train", "finetune", "demo", "tune");
    /** The commands that use ND4J without training. */
    static final Set<String> INFERENCE = Set.of("eval", "predict");

    private static final long LOGGING_WAIT_SECONDS = 30;

    private static volatile Preload current;

    private final CountDownLatch loggingReady = new CountDownLatch(1);
    private final Thread thread;
    private volatile Throwable failure;
    private volatile String step = "not started";

    private Preload(List<Step> steps) {
        thread = new Thread(() -> run(steps), "graft-preload");
        thread.setDaemon(true);
    }

    /** One piece of start-up work, named for reports. */
    record Step(String name, Runnable work) {
    }

    /** What preloading does for a training command, in order: logging first (see {@link #awaitLogging()}), then ND4J. */
    static List<Step> trainingSteps() {
        return List.of(
                new Step("logging", LoggerFactory::getILoggerFactory),
                new Step("ND4J back end", Nd4j::getBackend),
                new Step("SameDiff op registry", DifferentialFunctionClassHolder::getInstance),
                new Step("ND4J op descriptors", OpDescriptorHolder::opList));
    }

    /** What preloading does for a command that only runs models. */
    static List<Step> inferenceSteps() {
        return trainingSteps().subList(0, 2);
    }

    /**
     * The names of the steps to preload for {@code args}, given the system property and the environment
     * (parameters so that the rule can be tested); empty when nothing is preloaded.
     */
    static List<String> plan(String[] args, Map<String, String> env, String property) {
        List<Step> steps = steps(args, env, property);
        return steps.stream().map(Step::name).toList();
    }

    private static List<Step> steps(String[] args, Map<String, String> env, String property) {
        if (args.length == 0 || property != null && property.trim().equalsIgnoreCase("false")) {
            return List.of();
        }
        String e = env.get(ENV);
        if (e != null && (e.trim().equalsIgnoreCase("off") || e.trim().equalsIgnoreCase("false") || e.trim().equals("0"))) {
            return List.of();
        }
        return TRAINING.contains(args[0]) ? trainingSteps() : INFERENCE.contains(args[0]) ? inferenceSteps() : List.of();
    }

    /** Starts preloading what {@link #plan} says for {@code args}, if anything; at most once per JVM. */
    static void startFor(String[] args) {
        List<Step> steps = steps(args, System.getenv(), System.getProperty(PROPERTY));
        if (!steps.isEmpty()) {
            start(steps);
        }
    }

    /** Starts the given steps on the background thread, unless preloading was already started. */
    static synchronized Preload start(List<Step> steps) {
        if (current == null) {
            Preload p = new Preload(steps);
            current = p;
            p.thread.start();
        }
        return current;
    }

    private void run(List<Step> steps) {
        try {
            for (Step s : steps) {
                step = s.name();
                try {
                    s.work().run();
                } finally {
                    if (s.name().equals("logging")) {
                        loggingReady.countDown();
                    }
                }
            }
            step = "done";
        } catch (Throwable t) {
            failure = t;
        } finally {
            loggingReady.countDown();
        }
    }

    /**
     * Waits until the background thread has set up logging, so that the main thread never logs while
     * the logging back end is being initialised by the other thread (SLF4J would then queue the calls
     * and print a notice about them). Returns at once when preloading was not started.
     */
    static void awaitLogging() {
        Preload p = current;
        if (p == null) {
            return;
        }
        try {
            p.loggingReady.await(LOGGING_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits for the background thread to finish (for tests). */
    boolean join(long millis) throws InterruptedException {
        thread.join(millis);
        return !thread.isAlive();
    }

    /** The failure of the preloading started in this JVM, or null. */
    static Throwable failure() {
        Preload p = current;
        return p == null ? null : p.failure;
    }

    /** The step that failed or is running ("done" when finished). */
    String step() {
        return step;
    }

    /** This instance's failure, or null. */
    Throwable ownFailure() {
        return failure;
    }

    /** Adds the background failure, if any, to a bug report already printed to {@code err}. */
    static void reportFailure(PrintStream err) {
        Preload p = current;
        Throwable f = p == null ? null : p.failure;
        if (f != null) {
            err.println("while preloading (" + p.step + ") on a background thread, this failed first:");
            f.printStackTrace(err);
        }
    }

    /** Forgets the preloading of this JVM (for tests). */
    static synchronized void reset() {
        current = null;
    }
}
