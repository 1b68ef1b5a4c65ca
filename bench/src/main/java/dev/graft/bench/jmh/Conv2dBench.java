package dev.graft.bench.jmh;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.enums.WeightsFormat;
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
 * The CNN workload's two convolutions at batch 128, forward only, as Graft's conv2d layer calls
 * ND4J ({@code cnn.conv2d}, NCHW input, YXIO weights, bias): {@code conv1} 1-&gt;6 channels, 5x5,
 * padding 2 on 28x28; {@code conv2} 6-&gt;16 channels, 5x5, no padding on 14x14.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "-XX:+UseParallelGC")
public class Conv2dBench {
    @Param({"conv1", "conv2"})
    public String layer;

    private INDArray x;
    private INDArray w;
    private INDArray b;
    private Conv2DConfig cfg;

    @Setup
    public void setup() {
        boolean first = layer.equals("conv1");
        long in = first ? 1 : 6;
        long out = first ? 6 : 16;
        long size = first ? 28 : 14;
        int pad = first ? 2 : 0;
        Nd4j.getRandom().setSeed(0);
        x = Nd4j.rand(DataType.FLOAT, 128, in, size, size);
        w = Nd4j.rand(DataType.FLOAT, 5, 5, in, out);
        b = Nd4j.rand(DataType.FLOAT, out);
        cfg = Conv2DConfig.builder().kH(5).kW(5).sH(1).sW(1).pH(pad).pW(pad).dH(1).dW(1)
                .paddingMode(PaddingMode.VALID).dataFormat(Conv2DConfig.NCHW).weightsFormat(WeightsFormat.YXIO).build();
    }

    @Benchmark
    public INDArray forward() {
        return Nd4j.cnn().conv2d(x, w, b, cfg);
    }
}
