package dev.graft.bench.jmh;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Float GEMM {@code [M, K] x [K, N]} at the sizes the benchmark workloads run (batch 128): the MLP's
 * forward products (128x784x256, 128x256x128, 128x128x10), its first weight gradient
 * ({@code x^T . dY}: 784x128x256), the CNN's first dense layer (128x400x120), and 2048^3 for the peak.
 * {@code mmulC} is what SameDiff's matmul gets (c-ordered arrays); {@code mmulF} the same product on
 * f-ordered (column-major) arrays, which ND4J hands to BLAS without reordering.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "-XX:+UseParallelGC")
public class GemmBench {
    @Param({"128x784x256", "128x256x128", "128x128x10", "784x128x256", "128x400x120", "2048x2048x2048"})
    public String mkn;

    private INDArray a;
    private INDArray b;
    private INDArray c;
    private INDArray af;
    private INDArray bf;
    private INDArray cf;

    @Setup
    public void setup() {
        String[] p = mkn.split("x");
        long m = Long.parseLong(p[0]);
        long k = Long.parseLong(p[1]);
        long n = Long.parseLong(p[2]);
        Nd4j.getRandom().setSeed(0);
        a = Nd4j.rand(DataType.FLOAT, m, k);
        b = Nd4j.rand(DataType.FLOAT, k, n);
        c = Nd4j.create(DataType.FLOAT, m, n);
        af = a.dup('f');
        bf = b.dup('f');
        cf = Nd4j.create(DataType.FLOAT, new long[] {m, n}, 'f');
    }

    @Benchmark
    public INDArray mmulC() {
        return a.mmuli(b, c);
    }

    @Benchmark
    public INDArray mmulF() {
        return af.mmuli(bf, cf);
    }
}
