package dev.graft.runtime;

import java.nio.file.Files;
import java.nio.file.Path;

/** Run in a fresh JVM by {@link CpuBootstrapTest}: bootstraps, loads ND4J (or the other way round), prints what the native side sees. */
public final class CpuBootstrapProbe {
    private CpuBootstrapProbe() {
    }

    /** With the argument {@code late}, ND4J is loaded before the bootstrap runs. */
    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("late")) {
            org.nd4j.linalg.factory.Nd4j.create(1);
        }
        CpuTuning.bootstrap();
        org.nd4j.linalg.factory.Nd4j.create(1);
        System.out.println("state=" + CpuTuning.describeBootstrap());
        com.sun.jna.Function getenv = com.sun.jna.NativeLibrary.getInstance("c").getFunction("getenv");
        System.out.println("OMP_WAIT_POLICY=" + getenv.invokeString(new Object[] {"OMP_WAIT_POLICY"}, false));
        String lib = Files.readAllLines(Path.of("/proc/self/maps")).stream().filter(l -> l.contains("libopenblas"))
                .map(l -> l.substring(l.indexOf('/'))).findFirst().orElseThrow();
        String core = com.sun.jna.NativeLibrary.getInstance(lib).getFunction("openblas_get_corename").invokeString(new Object[0], false);
        System.out.println("corename=" + core);
        // the value OpenBLAS read when it loaded (0 when the variable was unset)
        System.out.println("thread_timeout=" + com.sun.jna.NativeLibrary.getInstance(lib).getFunction("openblas_thread_timeout").invokeInt(new Object[0]));
    }
}
