package dev.graft.bench;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.Properties;
import java.util.SplittableRandom;

/**
 * Single-precision GEMM throughput of ND4J's BLAS ({@code mmul}), in GFLOP/s, for the peer comparison
 * with numpy ({@code bench/gemm_numpy.py}). It also checks 64 entries of the product against a
 * double-precision dot product, because a BLAS core type the CPU does not really support can be fast
 * and wrong. It also times the same product as one direct {@code cblas_sgemm} call into the OpenBLAS
 * that ND4J loaded, on the same buffers ({@code gflops_direct_sgemm}), which tells the BLAS's own
 * speed from what ND4J's {@code mmul} adds, and the product as Graft runs it, a one-op graph on the
 * planned executor ({@code gflops_graft_plan}, checked against {@code mmul}'s result). Prints one JSON line. It measures; it asserts nothing.
 * With {@code -Dgraft.threads=N} the threads are set in-process as Graft sets them.
 *
 * <p>{@code java -cp ... dev.graft.bench.GemmProbe [M N K] [repeats]} (default 2048 2048 2048, 10).
 */
public final class GemmProbe {
    private GemmProbe() {
    }

    public static void main(String[] args) {
        int m = args.length >= 3 ? Integer.parseInt(args[0]) : 2048;
        int n = args.length >= 3 ? Integer.parseInt(args[1]) : 2048;
        int k = args.length >= 3 ? Integer.parseInt(args[2]) : 2048;
        int repeats = args.length == 4 ? Integer.parseInt(args[3]) : args.length == 1 ? Integer.parseInt(args[0]) : 10;
        SplittableRandom rng = new SplittableRandom(0);
        float[] av = new float[m * k];
        float[] bv = new float[k * n];
        for (int i = 0; i < av.length; i++) {
            av[i] = (float) (rng.nextDouble() * 2 - 1);
        }
        for (int i = 0; i < bv.length; i++) {
            bv[i] = (float) (rng.nextDouble() * 2 - 1);
        }
        if (System.getProperty(dev.graft.runtime.CpuTuning.THREADS_PROPERTY) != null) {
            dev.graft.runtime.CpuTuning.applyThreads();
        }
        INDArray a = Nd4j.createFromArray(av).reshape('c', m, k);
        INDArray b = Nd4j.createFromArray(bv).reshape('c', k, n);
        INDArray c = Nd4j.create(DataType.FLOAT, new long[] {m, n}, 'c');
        for (int i = 0; i < 3; i++) {
            a.mmuli(b, c);
        }
        double[] ms = new double[repeats];
        for (int i = 0; i < repeats; i++) {
            long t = System.nanoTime();
            a.mmuli(b, c);
            ms[i] = (System.nanoTime() - t) / 1e6;
        }
        double maxRel = 0;
        for (int s = 0; s < 64; s++) {
            int i = rng.nextInt(m);
            int j = rng.nextInt(n);
            double ref = 0;
            double mag = 0;
            for (int p = 0; p < k; p++) {
                ref += (double) av[i * k + p] * bv[p * n + j];
                mag += Math.abs((double) av[i * k + p] * bv[p * n + j]);
            }
            maxRel = Math.max(maxRel, Math.abs(c.getDouble(i, j) - ref) / mag);
        }
        FloatPointer pa = new FloatPointer(a.data().addressPointer());
        FloatPointer pb = new FloatPointer(b.data().addressPointer());
        FloatPointer pc = new FloatPointer(c.data().addressPointer());
        double[] direct = new double[repeats];
        for (int i = -2; i < repeats; i++) {
            long t = System.nanoTime();
            openblas_nolapack.cblas_sgemm(openblas_nolapack.CblasRowMajor, openblas_nolapack.CblasNoTrans, openblas_nolapack.CblasNoTrans,
                    m, n, k, 1f, pa, k, pb, n, 0f, pc, n);
            if (i >= 0) {
                direct[i] = (System.nanoTime() - t) / 1e6;
            }
        }
        // Graft's own path: the product as a one-op SameDiff graph run by the planned executor, which
        // is how a dense layer's matmul runs in training and inference
        org.nd4j.autodiff.samediff.SameDiff sd = org.nd4j.autodiff.samediff.SameDiff.create();
        sd.var("a", a);
        sd.var("b", b);
        sd.mmul("c", sd.getVariable("a"), sd.getVariable("b"));
        double[] planned = new double[repeats];
        try (dev.graft.runtime.engine.GraphPlan plan = new dev.graft.runtime.engine.GraphPlan(sd, java.util.Map.of(), java.util.List.of("c"))) {
            for (int i = -2; i < repeats; i++) {
                long t = System.nanoTime();
                plan.run(java.util.Map.of());
                if (i >= 0) {
                    planned[i] = (System.nanoTime() - t) / 1e6;
                }
            }
            INDArray pc2 = plan.outputs().get("c");
            double diff = pc2.sub(c).amaxNumber().doubleValue() / c.amaxNumber().doubleValue();
            if (!(diff < 1e-4)) {
                throw new IllegalStateException("the planned product differs from mmul's by " + diff + " (relative)");
            }
        }
        Arrays.sort(planned);
        double plannedGflops = 2.0 * m * n * k / (planned[repeats / 2] * 1e6);
        Arrays.sort(direct);
        double directGflops = 2.0 * m * n * k / (direct[repeats / 2] * 1e6);
        double[] sorted = ms.clone();
        Arrays.sort(sorted);
        double median = sorted[repeats / 2];
        double gflops = 2.0 * m * n * k / (median * 1e6);
        double best = 2.0 * m * n * k / (sorted[0] * 1e6);
        Properties env = Nd4j.getExecutioner().getEnvironmentInformation();
        System.out.printf("{\"engine\": \"nd4j-%s\", \"m\": %d, \"n\": %d, \"k\": %d, \"openblas_coretype\": \"%s\", \"omp_threads\": %s, "
                        + "\"blas_threads\": %s, \"ms_median\": %.3f, \"gflops_median\": %.1f, \"gflops_best\": %.1f, \"gflops_direct_sgemm\": %.1f, "
                        + "\"gflops_graft_plan\": %.1f, \"max_rel_error\": %.2e}%n",
                env.get("blas.vendor"), m, n, k, System.getenv("OPENBLAS_CORETYPE"), env.get("omp.threads"), env.get("blas.threads"), median,
                gflops, best, directGflops, plannedGflops, maxRel);
    }
}
