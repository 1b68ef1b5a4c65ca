package dev.graft.runtime.engine;

import dev.graft.runtime.CpuTuning;
import dev.graft.runtime.GraftException;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntConsumer;

/**
 * Splits a planned kernel's work (the examples of a batch, the elements of an array) over Graft's
 * thread count ({@link CpuTuning#appliedThreads()}: {@code -Dgraft.threads}, else {@code
 * OMP_NUM_THREADS}, else 1), as ND4J's own ops split theirs over its OpenMP threads. Part 0 runs on
 * the calling thread, the others on daemon worker threads kept for the JVM's life; with one thread
 * nothing leaves the caller. Parts must write disjoint memory.
 *
 * <p>The parts of a split training step ({@link #runSpinning}) hand off by polling before sleeping:
 * the worker that finished its part, and the caller waiting for the workers, poll for up to {@code
 * -Dgraft.threads.spin} microseconds (default {@value #DEFAULT_SPIN_MICROS}) before parking. Waking a
 * parked thread took 0.2 to 0.3 ms here, twice per split training step of 5 ms (the late start of the
 * second part, then the caller's late return), and the step's serial work between two hand-offs
 * (combining the parts, the optimizer) takes less than the spin, so the worker is still polling when
 * the next step comes. {@code 0} parks at once. Kernels ({@link #run}) park at once: ND4J's own OpenMP
 * threads run between them and need the core a polling worker would hold (inference of the benchmark
 * CNN on two threads went from 2.9 to 4.1 ms when every hand-off polled).
 *
 * <p>While one caller uses the workers, a second caller (another thread training its own network) runs
 * its parts one after another on its own thread, as a call from inside a part does.
 */
final class Parallel {
    /** System property: microseconds a waiting thread polls before it parks. */
    static final String SPIN_PROPERTY = "graft.threads.spin";
    static final long DEFAULT_SPIN_MICROS = 1000;

    private static final ReentrantLock LOCK = new ReentrantLock();
    /** Guarded by {@link #LOCK}; grows, never shrinks. */
    private static Worker[] workers = new Worker[0];

    private Parallel() {
    }

    /** Set on a thread that runs one part of a split training step ({@link SplitStep}): its kernels stay on it. */
    private static final ThreadLocal<Boolean> ALONE = ThreadLocal.withInitial(() -> false);

    /** Runs {@code body} with {@link #parts} answering 1 on this thread (plans built inside keep their work on it). */
    static <T> T alone(java.util.function.Supplier<T> body) {
        boolean was = ALONE.get();
        ALONE.set(true);
        try {
            return body.get();
        } finally {
            ALONE.set(was);
        }
    }

    /** How many parts to split {@code work} units into: Graft's thread count, at most {@code work}, at least 1. */
    static int parts(long work) {
        if (ALONE.get()) {
            return 1;
        }
        int t = CpuTuning.appliedThreads();
        return (int) Math.max(1, Math.min(t < 1 ? 1 : t, work));
    }

    /** The first unit of part {@code p} of {@code parts} over {@code work} units (part {@code parts} gives {@code work}). */
    static long start(int p, int parts, long work) {
        return work * p / parts;
    }

    private static volatile String spinText;
    private static volatile long spinNanos;

    /** {@code -Dgraft.threads.spin} in nanoseconds. */
    static long spinNanos() {
        String v = System.getProperty(SPIN_PROPERTY, Long.toString(DEFAULT_SPIN_MICROS));
        if (!v.equals(spinText)) {
            long micros;
            try {
                micros = Long.parseLong(v.trim());
            } catch (NumberFormatException e) {
                micros = -1;
            }
            if (micros < 0 || micros > 1_000_000) {
                throw new GraftException(GraftException.Code.CONFIG, "system property " + SPIN_PROPERTY + "='" + v
                        + "' is not a spin time; use microseconds from 0 to 1000000 (default " + DEFAULT_SPIN_MICROS + ")");
            }
            spinNanos = micros * 1000;
            spinText = v;
        }
        return spinNanos;
    }

    /** Runs {@code body} for every part, parts 1.. on the workers and part 0 here, and waits for all. */
    static void run(int parts, IntConsumer body) {
        run(parts, body, 0);
    }

    /** {@link #run}, with the hand-offs polling for {@code -Dgraft.threads.spin} before they park. */
    static void runSpinning(int parts, IntConsumer body) {
        run(parts, body, spinNanos());
    }

    private static void run(int parts, IntConsumer body, long spin) {
        if (parts <= 1) {
            body.accept(0);
            return;
        }
        if (Thread.currentThread() instanceof Worker || LOCK.isHeldByCurrentThread() || !LOCK.tryLock()) {
            // called from a part, or the workers are busy with another caller's parts: all parts here
            for (int p = 0; p < parts; p++) {
                body.accept(p);
            }
            return;
        }
        try {
            Worker[] w = workers(parts - 1);
            Job job = new Job(body, parts - 1, Thread.currentThread(), spin);
            for (int i = 1; i < parts; i++) {
                w[i - 1].give(job, i);
            }
            try {
                body.accept(0);
            } catch (RuntimeException | Error e) {
                job.fail(e);
            }
            job.await(spin);
            Throwable t = job.failure.get();
            if (t instanceof RuntimeException r) {
                throw r;
            }
            if (t instanceof Error e) {
                throw e;
            }
            if (t != null) {
                throw new IllegalStateException(t);
            }
        } finally {
            LOCK.unlock();
        }
    }

    private static Worker[] workers(int n) {
        if (workers.length < n) {
            Worker[] w = java.util.Arrays.copyOf(workers, n);
            for (int i = workers.length; i < n; i++) {
                w[i] = new Worker(i + 1);
                w[i].start();
            }
            workers = w;
        }
        return workers;
    }

    /** One {@link #run}: its body, the parts still running and the first failure. */
    private static final class Job {
        final IntConsumer body;
        final AtomicInteger running;
        final Thread caller;
        /** How long the caller and, after their parts, the workers poll before parking (ns). */
        final long spin;
        final AtomicReference<Throwable> failure = new AtomicReference<>();

        Job(IntConsumer body, int running, Thread caller, long spin) {
            this.body = body;
            this.running = new AtomicInteger(running);
            this.caller = caller;
            this.spin = spin;
        }

        void fail(Throwable t) {
            failure.compareAndSet(null, t);
        }

        void done() {
            if (running.decrementAndGet() == 0) {
                LockSupport.unpark(caller);
            }
        }

        /** Polls for {@code spin} ns, then parks until the last worker's {@link #done}. */
        void await(long spin) {
            long until = System.nanoTime() + spin;
            boolean interrupted = false;
            while (running.get() > 0) {
                if (spin > 0 && System.nanoTime() < until) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                    interrupted |= Thread.interrupted();
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** A daemon thread running one part of each job it is given. */
    private static final class Worker extends Thread {
        private volatile Job job;
        private volatile int part;
        private volatile boolean parked;

        Worker(int n) {
            super("graft-kernel-" + n);
            setDaemon(true);
        }

        void give(Job j, int p) {
            part = p;
            job = j;
            if (parked) {
                LockSupport.unpark(this);
            }
        }

        @Override
        public void run() {
            long spin = 0;
            while (true) {
                Job j = take(spin);
                spin = j.spin;
                try {
                    j.body.accept(part);
                } catch (Throwable t) {
                    j.fail(t);
                } finally {
                    j.done();
                }
            }
        }

        private Job take(long spin) {
            long until = System.nanoTime() + spin;
            Job j;
            while ((j = job) == null) {
                if (spin > 0 && System.nanoTime() < until) {
                    Thread.onSpinWait();
                } else {
                    parked = true;
                    if (job == null) {
                        LockSupport.park(this);
                    }
                    parked = false;
                }
            }
            job = null;
            return j;
        }
    }
}
