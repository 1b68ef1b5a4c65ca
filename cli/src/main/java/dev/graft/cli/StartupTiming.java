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
 * ({@link ProcessHandle.Info#startInstant()}, which counts the JVM's own start), else the JVM's.
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
        long processStart = ProcessHandle.current().info().startInstant().map(Instant::toEpochMilli).orElse(jvmStart);
        long uptime = ManagementFactory.getRuntimeMXBean().getUptime();
        err.printf("timing: first training step done %d ms after the process started (%d ms after the JVM started)%n",
                Duration.ofMillis(now - processStart).toMillis(), uptime);
        err.flush();
    }
}
