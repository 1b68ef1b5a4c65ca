package dev.graft.cli.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/** Timing statistics and process memory, measured the way the PyTorch reference measures. */
public final class Measure {
    private Measure() {
    }

    /** Median, minimum and maximum of per-step milliseconds. */
    public record Stats(double median, double min, double max) {
        public static Stats of(double[] ms) {
            if (ms.length == 0) {
                throw new IllegalArgumentException("no timings");
            }
            double[] s = ms.clone();
            Arrays.sort(s);
            int n = s.length;
            // Python's statistics.median: the mean of the two middle values for an even count
            double median = n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
            return new Stats(median, s[0], s[n - 1]);
        }
    }

    /**
     * Wall-clock and CPU time of the same calls. The CPU time is the calling thread's (with one
     * thread, where the work runs); on a machine shared with other processes it counts only the
     * work done, not the time spent waiting for a core.
     */
    public record Timing(Stats wall, Stats cpu) {
    }

    /**
     * Times {@code warmup} untimed then {@code steps} timed calls, each on its own, in milliseconds
     * (what {@code timed()} of {@code torch_reference.py} does).
     */
    public static Stats timed(Runnable fn, int warmup, int steps) {
        return timedWithCpu(fn, warmup, steps).wall();
    }

    /** As {@link #timed}, with the calling thread's CPU time of each call as well. */
    public static Timing timedWithCpu(Runnable fn, int warmup, int steps) {
        for (int i = 0; i < warmup; i++) {
            fn.run();
        }
        double[] ms = new double[steps];
        double[] cpu = new double[steps];
        for (int i = 0; i < steps; i++) {
            long c = threadCpuNanos();
            long t = System.nanoTime();
            fn.run();
            ms[i] = (System.nanoTime() - t) / 1e6;
            cpu[i] = (threadCpuNanos() - c) / 1e6;
        }
        return new Timing(Stats.of(ms), Stats.of(cpu));
    }

    /** CPU time of the calling thread in nanoseconds. */
    public static long threadCpuNanos() {
        return java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
    }

    /** Peak resident set size of this process in MiB ({@code VmHWM}), or -1 when unknown (not Linux). */
    public static double peakRssMb() {
        return statusKb("VmHWM:") / 1024.0;
    }

    /** Current resident set size of this process in MiB ({@code VmRSS}), or -1 when unknown. */
    public static double rssMb() {
        return statusKb("VmRSS:") / 1024.0;
    }

    /**
     * Minor page faults of this process so far ({@code /proc/self/stat} field 10), or -1 when unknown.
     * Each fresh page the process touches costs one: a count that grows with every step means the
     * step keeps taking new memory instead of reusing freed memory.
     */
    public static long minorFaults() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            // the command name (field 2) is in parentheses and may contain spaces
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
            return Long.parseLong(f[7]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static long statusKb(String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(key)) {
                    return Long.parseLong(line.substring(key.length()).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return -1024;
    }
}
