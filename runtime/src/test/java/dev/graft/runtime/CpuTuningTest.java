package dev.graft.runtime;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CpuTuningTest {
    private static final String AVX512 = "flags\t\t: fpu sse4_2 avx fma avx2 avx512f avx512dq avx512cd avx512bw avx512vl";
    private static final String AVX2 = "flags\t\t: fpu sse4_2 avx fma avx2";
    private static final String OLD = "flags\t\t: fpu sse sse2 sse4_2";

    @AfterEach
    void clearProperty() {
        System.clearProperty(CpuTuning.THREADS_PROPERTY);
    }

    private static CpuTuning.Cpu cpu(String flags) {
        return CpuTuning.parseCpuinfo(List.of("processor\t: 0", "model name\t: Test CPU 9000", flags, "", "processor\t: 1", "flags\t\t: other"));
    }

    @Test
    void readsModelAndFlagsOfTheFirstProcessor() {
        CpuTuning.Cpu c = cpu(AVX512);
        assertThat(c.model()).isEqualTo("Test CPU 9000");
        assertThat(c.flags()).contains("avx512f", "avx2").doesNotContain("other");
        assertThat(CpuTuning.parseCpuinfo(List.of()).model()).isEqualTo("unknown");
    }

    @Test
    void recommendsKernelsByInstructionSet() {
        assertThat(cpu(AVX512).recommendedCoreType()).isEqualTo("SkylakeX");
        assertThat(cpu(AVX2).recommendedCoreType()).isEqualTo("Haswell");
        assertThat(cpu(OLD).recommendedCoreType()).isNull();
    }

    @Test
    void warnsWhenTheCoreTypeIsMissingOnAnAvx512CpuAndNamesWhatToSet() {
        assertThat(CpuTuning.problems(cpu(AVX512), Map.of())).singleElement().asString()
                .contains("OPENBLAS_CORETYPE is not set").contains("OPENBLAS_CORETYPE=SkylakeX");
        assertThat(CpuTuning.problems(cpu(AVX512), Map.of("OPENBLAS_CORETYPE", "SkylakeX"))).isEmpty();
        // a value the user chose is kept and only noted
        assertThat(CpuTuning.problems(cpu(AVX512), Map.of("OPENBLAS_CORETYPE", "Haswell"))).isEmpty();
        assertThat(CpuTuning.notes(cpu(AVX512), Map.of("OPENBLAS_CORETYPE", "Haswell"))).singleElement().asString()
                .contains("OPENBLAS_CORETYPE is Haswell").contains("SkylakeX");
        assertThat(CpuTuning.notes(cpu(AVX512), Map.of("OPENBLAS_CORETYPE", "skylakex"))).isEmpty();
        // no advice where nothing was measured
        assertThat(CpuTuning.problems(cpu(AVX2), Map.of())).isEmpty();
        assertThat(CpuTuning.problems(cpu(OLD), Map.of())).isEmpty();
    }

    @Test
    void reportsAnUnusableThreadCount() {
        assertThat(CpuTuning.problems(cpu(AVX2), Map.of("OMP_NUM_THREADS", "two"))).singleElement().asString()
                .contains("OMP_NUM_THREADS is 'two'").contains("OMP_NUM_THREADS=1");
        assertThat(CpuTuning.problems(cpu(AVX2), Map.of("OMP_NUM_THREADS", "0"))).singleElement().asString().contains("OMP_NUM_THREADS is 0");
        assertThat(CpuTuning.problems(cpu(AVX2), Map.of("OMP_NUM_THREADS", "2", "OPENBLAS_THREAD_TIMEOUT", "20"))).isEmpty();
    }

    @Test
    void warnsWhenOpenBlasThreadsWouldPollLongWithMoreThanOneThread() {
        // one thread: OpenBLAS starts no threads, nothing to say
        assertThat(CpuTuning.problems(cpu(AVX2), Map.of())).isEmpty();
        assertThat(CpuTuning.problems(cpu(AVX2), Map.of("OMP_NUM_THREADS", "2"))).singleElement().asString()
                .contains("OPENBLAS_THREAD_TIMEOUT is not set").contains("OPENBLAS_THREAD_TIMEOUT=" + CpuTuning.THREAD_TIMEOUT);
        assertThat(CpuTuning.problems(cpu(AVX2), Map.of("OMP_NUM_THREADS", "2", "OPENBLAS_THREAD_TIMEOUT", "28"))).singleElement().asString()
                .contains("OPENBLAS_THREAD_TIMEOUT is 28").contains("2^28 clock cycles");
        assertThat(CpuTuning.problems(cpu(AVX2), Map.of("OMP_NUM_THREADS", "2", "OPENBLAS_THREAD_TIMEOUT", "soon"))).singleElement().asString()
                .contains("OPENBLAS_THREAD_TIMEOUT is soon").contains("2^28 clock cycles");
        assertThat(CpuTuning.problems(cpu(AVX2), Map.of("OMP_NUM_THREADS", "2", "OPENBLAS_THREAD_TIMEOUT", "23"))).singleElement().asString()
                .contains("2^23 clock cycles");
        assertThat(CpuTuning.problems(cpu(AVX2), Map.of("OMP_NUM_THREADS", "2", "OPENBLAS_THREAD_TIMEOUT", "16"))).isEmpty();
        // -Dgraft.threads counts, over OMP_NUM_THREADS
        System.setProperty(CpuTuning.THREADS_PROPERTY, "2");
        assertThat(CpuTuning.problems(cpu(AVX2), Map.of("OMP_NUM_THREADS", "1"))).singleElement().asString().contains("OPENBLAS_THREAD_TIMEOUT");
        assertThat(CpuTuning.describeThreadTimeout(Map.of())).isEqualTo("unset (idle OpenBLAS threads poll for 2^28 cycles)");
        assertThat(CpuTuning.describeThreadTimeout(Map.of("OPENBLAS_THREAD_TIMEOUT", "20"))).isEqualTo("20 (idle OpenBLAS threads poll for 2^20 cycles)");
        assertThat(CpuTuning.describeThreadTimeout(Map.of("OPENBLAS_THREAD_TIMEOUT", "2"))).contains("2^4 cycles");
    }

    @Test
    void threadPropertyOverridesAndIsChecked() {
        System.setProperty(CpuTuning.THREADS_PROPERTY, "3");
        assertThat(CpuTuning.configuredThreads()).isEqualTo(3);
        System.setProperty(CpuTuning.THREADS_PROPERTY, "0");
        assertThatThrownBy(CpuTuning::configuredThreads).isInstanceOf(GraftException.class)
                .hasMessageContaining("-Dgraft.threads=0").hasMessageContaining("positive integer");
    }

    @Test
    void setsNd4jThreadsInProcess() {
        org.nd4j.nativeblas.NativeOps ops;
        try {
            CpuTuning.setThreads(2);
            ops = org.nd4j.nativeblas.NativeOpsHolder.getInstance().getDeviceNativeOps();
            assertThat(CpuTuning.appliedThreads()).isEqualTo(2);
            assertThat(ops.ompGetMaxThreads()).isEqualTo(2);
            assertThat(org.nd4j.linalg.factory.Nd4j.factory().blas().getMaxThreads()).isEqualTo(2);
        } finally {
            CpuTuning.setThreads(1);
        }
        assertThat(ops.ompGetMaxThreads()).isEqualTo(1);
        assertThat(org.nd4j.linalg.factory.Nd4j.factory().blas().getMaxThreads()).isEqualTo(1);
        assertThat(org.nd4j.linalg.factory.Nd4j.getEnvironment().maxMasterThreads()).isEqualTo(1);
        assertThatThrownBy(() -> CpuTuning.setThreads(0)).isInstanceOf(GraftException.class).hasMessageContaining("at least 1");
    }
}
