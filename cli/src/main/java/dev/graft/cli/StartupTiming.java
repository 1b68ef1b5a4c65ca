package dev.graft.cli;

import dev.graft.runtime.train.TrainingListener;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * Reports, once, how long after the process started the first training step finished: the start-up
 * cost a user waits for (JVM start, class loading, plugin discovery, config, data, native library
 * initialisation, graph building, the first step). The process start is the operating system's
 * ({@link ProcessHandle.Info#startInstant()}, which counts the launcher script, as the launcher
 * execs the JVM in the same process, and the JVM's own start), else the JVM's. The line also gives
 * the CPU time the process has used by then (all its threads): when the wall time is much larger
 * than the CPU time a core can give, the machine was busy with other work.
 *
 * <p>On Linux the JDK dates the process start from the boot time in {@code /proc/stat}, which is
 * given in whole seconds, so its start instant is early by the fraction of a second it dropped (up
 * to a second, the same for every process until the next boot). {@link #bootTimeCorrection} puts
 * that fraction back from {@code /proc/uptime}, which counts in hundredths of a second.
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
        long processStart = processStart(info, now, jvmStart);
        long uptime = ManagementFactory.getRuntimeMXBean().getUptime();
        String cpu = info.totalCpuDuration().map(d -> "; " + d.toMillis() + " ms of CPU time, all threads").orElse("");
        err.printf("timing: first training step done %d ms after the process started (%d ms after the JVM started%s)%n",
                now - processStart, uptime, cpu);
        err.flush();
    }

    /** When this process started, epoch milliseconds: the operating system's start, corrected, else {@code fallback}. */
    static long processStart(ProcessHandle.Info info, long now, long fallback) {
        return info.startInstant().map(Instant::toEpochMilli)
                .map(s -> s + bootTimeCorrection(now, read("/proc/stat"), read("/proc/uptime"))).orElse(fallback);
    }

    /**
     * The milliseconds the JDK's process start instant is early by on Linux: the true boot time ({@code
     * now} minus the uptime in {@code /proc/uptime}) minus the whole-second boot time in {@code
     * /proc/stat}. Zero when either file is missing or the difference is not such a fraction.
     *
     * @param now the current time, epoch milliseconds
     * @param procStat the lines of {@code /proc/stat} (empty when unreadable)
     * @param procUptime the lines of {@code /proc/uptime} (empty when unreadable)
     */
    static long bootTimeCorrection(long now, List<String> procStat, List<String> procUptime) {
        try {
            long btime = -1;
            for (String line : procStat) {
                if (line.startsWith("btime ")) {
                    btime = Long.parseLong(line.substring(6).trim());
                }
            }
            if (btime < 0 || procUptime.isEmpty()) {
                return 0;
            }
            double uptimeSeconds = Double.parseDouble(procUptime.get(0).trim().split("\\s+")[0]);
            long correction = now - Math.round(uptimeSeconds * 1000) - btime * 1000;
            // the dropped fraction is in [0, 1000) ms; allow for /proc/uptime's 10 ms steps
            return correction >= -20 && correction < 1020 ? Math.max(0, correction) : 0;
        } catch (RuntimeException e) {
            return 0;
        }
    }

    private static List<String> read(String file) {
        try {
            return Files.readAllLines(Path.of(file));
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }
}
