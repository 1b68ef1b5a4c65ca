package dev.graft.runtime.engine;

import dev.graft.runtime.GraftException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ParallelTest {
    private interface IntConsumerRun {
        void run(int parts, java.util.function.IntConsumer body);
    }

    @AfterEach
    void clear() {
        System.clearProperty(Parallel.SPIN_PROPERTY);
    }

    @Test
    void everyPartRunsOnceAndPartZeroOnTheCaller() {
        for (String spin : new String[]{"0", "1000"}) {
            System.setProperty(Parallel.SPIN_PROPERTY, spin);
            for (int round = 0; round < 200; round++) {
                AtomicIntegerArray runs = new AtomicIntegerArray(3);
                Set<Thread> threads = ConcurrentHashMap.newKeySet();
                Thread[] zero = new Thread[1];
                IntConsumerRun run = spin.equals("0") ? Parallel::run : Parallel::runSpinning;
                run.run(3, p -> {
                    runs.incrementAndGet(p);
                    threads.add(Thread.currentThread());
                    if (p == 0) {
                        zero[0] = Thread.currentThread();
                    }
                });
                assertThat(new int[]{runs.get(0), runs.get(1), runs.get(2)}).containsExactly(1, 1, 1);
                assertThat(zero[0]).isSameAs(Thread.currentThread());
                assertThat(threads).hasSize(3);
            }
        }
    }

    @Test
    void theCallerWaitsForSlowParts() {
        System.setProperty(Parallel.SPIN_PROPERTY, "10");
        long[] done = new long[2];
        Parallel.runSpinning(2, p -> {
            if (p == 1) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }
            done[p] = System.nanoTime();
        });
        assertThat(done[1]).isPositive();
    }

    @Test
    void aPartsFailureReachesTheCallerAndTheWorkersCarryOn() {
        assertThatThrownBy(() -> Parallel.runSpinning(2, p -> {
            if (p == 1) {
                throw new IllegalArgumentException("part one failed");
            }
        })).isInstanceOf(IllegalArgumentException.class).hasMessage("part one failed");
        assertThatThrownBy(() -> Parallel.run(2, p -> {
            if (p == 0) {
                throw new IllegalArgumentException("part zero failed");
            }
        })).isInstanceOf(IllegalArgumentException.class).hasMessage("part zero failed");
        AtomicIntegerArray runs = new AtomicIntegerArray(2);
        Parallel.run(2, runs::incrementAndGet);
        assertThat(new int[]{runs.get(0), runs.get(1)}).containsExactly(1, 1);
    }

    @Test
    void nestedCallsRunTheirPartsInPlace() {
        AtomicIntegerArray inner = new AtomicIntegerArray(4);
        Parallel.run(2, p -> {
            Thread here = Thread.currentThread();
            Parallel.run(2, q -> {
                assertThat(Thread.currentThread()).isSameAs(here);
                inner.incrementAndGet(p * 2 + q);
            });
        });
        for (int i = 0; i < 4; i++) {
            assertThat(inner.get(i)).isEqualTo(1);
        }
    }

    @Test
    void aSecondCallerRunsItsPartsWhileTheFirstHoldsTheWorkers() throws Exception {
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread first = new Thread(() -> Parallel.run(2, p -> {
            if (p == 0) {
                inside.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }
        }));
        first.start();
        assertThat(inside.await(10, TimeUnit.SECONDS)).isTrue();
        AtomicIntegerArray runs = new AtomicIntegerArray(2);
        Parallel.run(2, runs::incrementAndGet);
        release.countDown();
        first.join(10_000);
        assertThat(first.isAlive()).isFalse();
        assertThat(new int[]{runs.get(0), runs.get(1)}).containsExactly(1, 1);
    }

    @Test
    void aBadSpinTimeIsAConfigurationError() {
        for (String bad : new String[]{"-1", "fast", "2000000"}) {
            System.setProperty(Parallel.SPIN_PROPERTY, bad);
            assertThatThrownBy(() -> Parallel.runSpinning(2, p -> {
            })).isInstanceOf(GraftException.class)
                    .hasMessageContaining(Parallel.SPIN_PROPERTY + "='" + bad + "'")
                    .hasMessageContaining("microseconds from 0 to 1000000");
        }
    }
}
