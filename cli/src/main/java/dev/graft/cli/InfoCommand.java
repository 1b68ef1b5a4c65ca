package dev.graft.cli;

import dev.graft.api.GraftApi;
import dev.graft.runtime.CpuTuning;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.io.PrintStream;
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
        CpuTuning.Cpu cpu = CpuTuning.cpu();
        CpuTuning.bootstrap();
        Map<String, String> environment = CpuTuning.environment();
        j.put("cpu_model", cpu.model());
        j.put("cpu_features", cpu.flags().stream().filter(f -> f.matches("sse4_2|avx|avx2|fma|avx512f|avx512bw|avx512vl|avx512_vnni|avx512_bf16|amx_tile"))
                .sorted().toList());
        j.put("recommended_coretype", String.valueOf(cpu.recommendedCoreType()));
        j.put("env_OPENBLAS_CORETYPE", String.valueOf(environment.get("OPENBLAS_CORETYPE")));
        j.put("env_OMP_NUM_THREADS", String.valueOf(environment.get("OMP_NUM_THREADS")));
        j.put("openblas_coretype", CpuTuning.describeCoreType(environment));
        j.put("blas_thread_timeout", CpuTuning.describeThreadTimeout(environment));
        j.put("native_env", CpuTuning.describeBootstrap());
        CpuTuning.applyThreads();
        Properties env = org.nd4j.linalg.factory.Nd4j.getExecutioner().getEnvironmentInformation();
        j.put("nd4j_backend", org.nd4j.linalg.factory.Nd4j.getBackend().getClass().getSimpleName());
        j.put("nd4j_version", Versions.get("nd4j"));
        j.put("openblas_version", Versions.get("openblas"));
        j.put("blas_vendor", String.valueOf(env.get("blas.vendor")));
        j.put("graft_threads", CpuTuning.appliedThreads() + (System.getProperty(CpuTuning.THREADS_PROPERTY) != null ? " (-Dgraft.threads)"
                : environment.get("OMP_NUM_THREADS") != null ? " (OMP_NUM_THREADS)" : " (default)"));
        j.put("blas_threads", env.get("blas.threads"));
        j.put("omp_threads", env.get("omp.threads"));
        j.put("onednn", !dev.graft.runtime.engine.OneDnn.built() ? "not in this ND4J build"
                : dev.graft.runtime.engine.OneDnn.enabled() ? "on for planned convolutions and max pooling" : "off (-D" + dev.graft.runtime.engine.OneDnn.PROPERTY + "=false)");
        j.put("native_allocator", dev.graft.runtime.NativeAllocator.describe());
        List<String> warnings = CpuTuning.problems(cpu, environment);
        List<String> notes = CpuTuning.notes(cpu, environment);
        j.put("warnings", warnings);
        j.put("notes", notes);
        PrintStream out = Main.stdout(spec);
        j.forEach((k, v) -> {
            if (!k.equals("warnings") && !k.equals("notes")) {
                out.printf("%-22s %s%n", k, v);
            }
        });
        warnings.forEach(w -> spec.commandLine().getErr().println("warning: " + w));
        notes.forEach(w -> spec.commandLine().getErr().println("note: " + w));
        if (common.json) {
            out.println(Common.json(j));
        }
        return 0;
    }
}
