package dev.graft.bench.jmh;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The fixed cost of one operation, on an array so small (16 floats) that the arithmetic is free:
 * an in-place add through ND4J's executioner ({@code addi}), a new-array add ({@code add}, which also
 * allocates), and one SameDiff graph execution of a single add op ({@code sameDiffOutput}, what every
 * op of a layer pays per step inside a graph, plus the graph call itself).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "-XX:+UseParallelGC")
public class DispatchBench {
    private INDArray small;
    private SameDiff sd;
    private Map<String, INDArray> feed;

    @Setup
    public void setup() {
        small = Nd4j.ones(DataType.FLOAT, 16);
        sd = SameDiff.create();
        SDVariable in = sd.placeHolder("in", DataType.FLOAT, 16);
        in.add("out", 1.0);
        feed = Map.of("in", small);
    }

    @Benchmark
    public INDArray addi() {
        return small.addi(1.0);
    }

    @Benchmark
    public INDArray add() {
        return small.add(1.0);
    }

    @Benchmark
    public INDArray sameDiffOutput() {
        return sd.output(feed, "out").get("out");
    }
}
