package dev.graft.runtime;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class CpuBootstrapTest {

    /** Runs {@link CpuBootstrapProbe} in a fresh JVM with the OpenBLAS and OpenMP variables removed, with an optional JVM option and argument. */
    private static List<String> probe(String jvmArg, String arg) throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> cmd = new java.util.ArrayList<>(List.of(java.toString(), "-cp", System.getProperty("java.class.path")));
        if (jvmArg != null) {
            cmd.add(jvmArg);
        }
        cmd.add(CpuBootstrapProbe.class.getName());
        if (arg != null) {
            cmd.add(arg);
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("OPENBLAS_") || k.startsWith("OMP_"));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out.lines().filter(l -> l.matches("^(state|OMP_WAIT_POLICY|corename|thread_timeout)=.*")).toList();
    }

    @Test
    void setsTheCoreTypeWaitPolicyAndThreadTimeoutBeforeNd4jLoads() throws Exception {
        String want = CpuTuning.cpu().recommendedCoreType();
        assumeTrue(want != null && System.getProperty("os.name").toLowerCase(java.util.Locale.ROOT).contains("linux"),
                "a Linux CPU for which Graft recommends an OpenBLAS core type");
        List<String> out = probe(null, null);
        assertThat(out).contains("OMP_WAIT_POLICY=PASSIVE", "corename=" + want, "thread_timeout=" + CpuTuning.THREAD_TIMEOUT);
        assertThat(out.get(0)).startsWith("state=set before ND4J loaded:").contains("OPENBLAS_CORETYPE=" + want);
        // turned off: OpenBLAS detects the CPU itself, and nothing is set
        List<String> off = probe("-D" + CpuTuning.BOOTSTRAP_PROPERTY + "=false", null);
        assertThat(off).contains("state=off (-Dgraft.cpu.bootstrap=false)", "OMP_WAIT_POLICY=null", "thread_timeout=0");
    }

    @Test
    void onceNd4jIsLoadedItIsTooLateAndNothingIsSet() throws Exception {
        assumeTrue(System.getProperty("os.name").toLowerCase(java.util.Locale.ROOT).contains("linux"), "Linux (/proc/self/maps)");
        List<String> out = probe(null, "late");
        assertThat(out.get(0)).startsWith("state=too late: lib").endsWith("was loaded before Graft started");
        assertThat(out).contains("OMP_WAIT_POLICY=null", "thread_timeout=0");
    }
}
