package dev.graft.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class StartupTimingTest {
    @TempDir
    Path tmp;

    @Test
    void theDroppedFractionOfTheBootSecondIsPutBack() {
        // booted at 1795985532.627 s: /proc/stat says 1795985532, and 22392.26 s later it is 1796007924.887 s
        List<String> stat = List.of("cpu  2923455 0 519340 792926 3395 0 4979 0 0 0", "intr 1 2 3", "btime 1795985532", "processes 12");
        assertThat(StartupTiming.bootTimeCorrection(1796007924887L, stat, List.of("22392.26 8149.87"))).isEqualTo(627);
        // a boot on the whole second needs nothing (up to /proc/uptime's 10 ms steps)
        assertThat(StartupTiming.bootTimeCorrection(1796007924260L + 5, stat, List.of("22392.26 8149.87"))).isEqualTo(5);
        assertThat(StartupTiming.bootTimeCorrection(1796007924260L - 10, stat, List.of("22392.26 8149.87"))).isZero();
    }

    @Test
    void withoutBothFilesOrWithAnImplausibleDifferenceNothingIsCorrected() {
        List<String> stat = List.of("btime 1795985532");
        assertThat(StartupTiming.bootTimeCorrection(1796007924887L, List.of(), List.of("22392.26 8149.87"))).isZero();
        assertThat(StartupTiming.bootTimeCorrection(1796007924887L, stat, List.of())).isZero();
        assertThat(StartupTiming.bootTimeCorrection(1796007924887L, stat, List.of("not a number"))).isZero();
        assertThat(StartupTiming.bootTimeCorrection(1796007924887L + 5000, stat, List.of("22392.26 8149.87"))).isZero();
        assertThat(StartupTiming.bootTimeCorrection(1796007924887L, List.of("btime x"), List.of("22392.26 8149.87"))).isZero();
    }

    /** Prints the process start as {@link StartupTiming} computes it, for the test below. */
    public static final class Probe {
        public static void main(String[] args) {
            long now = System.currentTimeMillis();
            ProcessHandle.Info info = ProcessHandle.current().info();
            System.out.println(StartupTiming.processStart(info, now, -1) + " " + info.startInstant().orElseThrow().toEpochMilli());
        }
    }

    @Test
    void theProcessStartMatchesAClockReadJustBeforeTheJvmReplacedTheShell() throws Exception {
        assumeTrue(Files.isReadable(Path.of("/proc/stat")) && Files.isReadable(Path.of("/proc/uptime")) && Files.isExecutable(Path.of("/bin/sh")));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path out = tmp.resolve("out.txt");
        // the shell records the time, then execs the JVM in the same process (as the launcher does)
        Process p = new ProcessBuilder("/bin/sh", "-c", "date +%s%3N; exec \"$0\" -cp \"$1\" \"$2\"", java,
                System.getProperty("java.class.path"), Probe.class.getName()).redirectOutput(out.toFile()).redirectErrorStream(true).start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        List<String> lines = Files.readAllLines(out);
        assertThat(p.exitValue()).as(lines.toString()).isZero();
        long recorded = Long.parseLong(lines.get(0).trim());
        String[] starts = lines.get(1).trim().split(" ");
        long corrected = Long.parseLong(starts[0]);
        long jdk = Long.parseLong(starts[1]);
        // the shell started shortly before it ran date; the JDK's own figure may be up to a second early
        assertThat(corrected).as("recorded %d, jdk %d", recorded, jdk).isBetween(recorded - 300, recorded + 20);
        assertThat(corrected).isGreaterThanOrEqualTo(jdk);
    }
}
