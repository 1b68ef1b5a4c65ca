package dev.graft.runtime.engine;

import dev.graft.runtime.CpuTuning;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntConsumer;

/**
 * Splits a planned kernel's work (the examples of a batch, the elements of an array) over Graft's
 * thread count ({@link CpuTuning#appliedThreads()}: {@code -Dgraft.threads}, else {@code
 * OMP_NUM_THREADS}, else 1), as ND4J's own ops split theirs over its OpenMP threads. Part 0 runs on
 * the calling thread, the others on a pool of daemon threads kept for the JVM's life; with one
 * thread nothing leaves the caller. Parts must write disjoint memory.
 */
final class Parallel {
    private static volatile ExecutorService pool;
    private static int poolSize;

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

    /** Runs {@code body} for every part, parts 1.. on the pool and part 0 here, and waits for all. */
    static void run(int parts, IntConsumer body) {
        if (parts <= 1) {
            body.accept(0);
            return;
        }
        ExecutorService p = pool(parts - 1);
        Future<?>[] f = new Future<?>[parts - 1];
        for (int i = 1; i < parts; i++) {
            int part = i;
            f[i - 1] = p.submit(() -> body.accept(part));
        }
        RuntimeException failure = null;
        try {
            body.accept(0);
        } catch (RuntimeException e) {
            failure = e;
        }
        for (Future<?> x : f) {
            try {
                x.get();
            } catch (java.util.concurrent.ExecutionException e) {
                if (failure == null) {
                    failure = e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                if (failure == null) {
                    failure = new IllegalStateException("interrupted while waiting for a kernel's other parts", e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private static synchronized ExecutorService pool(int threads) {
        if (pool == null || poolSize < threads) {
            if (pool != null) {
                pool.shutdown();
            }
            java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
            pool = Executors.newFixedThreadPool(threads, r -> {
                Thread t = new Thread(r, "graft-kernel-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
            poolSize = threads;
        }
        return pool;
    }
}
