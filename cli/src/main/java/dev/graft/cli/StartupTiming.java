package dev.graft.cli;

import dev.graft.runtime.train.TrainingListener;

import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;

/**
 * Reports, once, how long after the process started the first training step finished: the start-up
 * cost a user waits for (JVM start, class loading, plugin discovery, config, data, native library
 * initialisation, graph building, the first step). The process start is the operating system's
 * ({@link ProcessHandle.Info#startInstant()}, which counts the JVM's own start), else the JVM's. The
 * line also gives the CPU time the process has used by then (all its threads): when the wall time is
 * much larger than the CPU time a core can give, the machine was busy with other work.
 */
final class StartupTiming implements TrainingListener {
    private final PrintWriter err;
    private boolean done;

    StartupTiming(PrintWriter err) {
        this.err = err;
    }

    @Override
    public void onStep(int epoch, long stepInEpoch, double loss) {
        if (done) {
            return;
        }
        done = true;
        long now = System.currentTimeMillis();
        long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
        ProcessHandle.Info info = ProcessHandle.current().info();
        long processStart = info.startInstant().map(Instant::toEpochMilli).orElse(jvmStart);
        long uptime = ManagementFactory.getRuntimeMXBean().getUptime();
        String cpu = info.totalCpuDuration().map(d -> "; " + d.toMillis() + " ms of CPU time, all threads").orElse("");
        err.printf("timing: first training step done %d ms after the process started (%d ms after the JVM started%s)%n",
                Duration.ofMillis(now - processStart).toMillis(), uptime, cpu);
        err.flush();
    }
}
