package dev.graft.cli;

import dev.graft.api.GraftApi;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;

@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Versions, the ND4J backend, BLAS vendor and threads, CPU features, and whether the BLAS settings suit this CPU.")
final class InfoCommand implements Callable<Integer> {
    @Mixin
    Common common;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("graft", Versions.graft());
        j.put("api", GraftApi.VERSION);
        j.put("java", System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")");
        j.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        j.put("cores", Runtime.getRuntime().availableProcessors());
        j.put("max_heap_mb", Runtime.getRuntime().maxMemory() / (1 << 20));
        List<String> flags = cpuFlags();
        j.put("cpu_model", cpuModel());
        j.put("cpu_features", flags.stream().filter(f -> f.matches("sse4_2|avx|avx2|fma|avx512f|avx512bw|avx512vl|avx512_vnni|amx_tile")).toList());
        j.put("env_OPENBLAS_CORETYPE", String.valueOf(System.getenv("OPENBLAS_CORETYPE")));
        j.put("env_OMP_NUM_THREADS", String.valueOf(System.getenv("OMP_NUM_THREADS")));
        Properties env = org.nd4j.linalg.factory.Nd4j.getExecutioner().getEnvironmentInformation();
        j.put("nd4j_backend", org.nd4j.linalg.factory.Nd4j.getBackend().getClass().getSimpleName());
        j.put("nd4j_version", Versions.get("nd4j"));
        j.put("openblas_version", Versions.get("openblas"));
        j.put("blas_vendor", String.valueOf(env.get("blas.vendor")));
        j.put("blas_threads", env.get("blas.threads"));
        j.put("omp_threads", env.get("omp.threads"));
        List<String> warnings = new java.util.ArrayList<>();
        String core = System.getenv("OPENBLAS_CORETYPE");
        if (flags.contains("avx512f") && core == null) {
            warnings.add("this CPU has AVX-512 but OPENBLAS_CORETYPE is not set: the bundled OpenBLAS misdetects it and runs several times"
                    + " slower; the graft launcher sets SkylakeX, or set it yourself");
        } else if (flags.contains("avx512f") && !"SkylakeX".equalsIgnoreCase(core)) {
            warnings.add("OPENBLAS_CORETYPE is " + core + "; on this AVX-512 CPU SkylakeX kernels are usually several times faster"
                    + " (the value is yours, Graft does not override it)");
        }
        if (System.getenv("OMP_NUM_THREADS") == null) {
            warnings.add("OMP_NUM_THREADS is not set: ND4J may oversubscribe the cores on small matrices (the graft launcher sets it)");
        }
        j.put("warnings", warnings);
        PrintStream out = Main.stdout(spec);
        j.forEach((k, v) -> {
            if (!k.equals("warnings")) {
                out.printf("%-22s %s%n", k, v);
            }
        });
        warnings.forEach(w -> spec.commandLine().getErr().println("warning: " + w));
        if (common.json) {
            out.println(Common.json(j));
        }
        return 0;
    }

    private static List<String> cpuFlags() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("flags")) {
                    return List.of(line.substring(line.indexOf(':') + 1).trim().split("\\s+"));
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux or not readable
        }
        return List.of();
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux or not readable
        }
        return "unknown";
    }
}
