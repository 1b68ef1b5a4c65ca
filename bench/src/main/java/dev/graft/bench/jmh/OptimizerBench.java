package dev.graft.bench.jmh;

import dev.graft.api.PluginKind;
import dev.graft.api.optim.Optimizer;
import dev.graft.api.optim.OptimizerProvider;
import dev.graft.api.optim.ParamGroup;
import dev.graft.runtime.Graft;
import dev.graft.runtime.config.RecordBinder;
import org.nd4j.linalg.api.buffer.DataType;
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

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One optimizer step of Graft's optimizer plugins over the MLP workload's parameters (784x256,
 * 256, 256x128, 128, 128x10, 10: 235,146 floats), gradients fixed. {@code sgd} and {@code adam}
 * with {@code lr 0.01} and their defaults; {@code sgd-momentum} adds momentum 0.9, Nesterov and weight
 * decay 1e-4; {@code adamw}, {@code rmsprop} and {@code adagrad} with {@code lr 0.01} and their defaults.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "-XX:+UseParallelGC")
public class OptimizerBench {
    @org.openjdk.jmh.annotations.Param({"sgd", "sgd-momentum", "adam", "adamw", "rmsprop", "adagrad"})
    public String optimizer;

    private Optimizer opt;
    private List<ParamGroup> groups;
    private long step;

    @Setup
    @SuppressWarnings({"unchecked", "rawtypes"})
    public void setup() {
        Graft graft = Graft.create();
        String id = optimizer.equals("sgd-momentum") ? "sgd" : optimizer;
        Map<String, Object> options = optimizer.equals("sgd-momentum")
                ? Map.of("lr", 0.01, "momentum", 0.9, "nesterov", true, "weight-decay", 1e-4) : Map.of("lr", 0.01);
        OptimizerProvider p = graft.plugins().get(PluginKind.OPTIMIZER, id, "optimizer");
        opt = p.create(RecordBinder.bind(p.configType(), options, "optimizer", id));
        long[][] shapes = {{784, 256}, {256}, {256, 128}, {128}, {128, 10}, {10}};
        List<dev.graft.api.optim.Param> ps = new ArrayList<>();
        Nd4j.getRandom().setSeed(0);
        for (int i = 0; i < shapes.length; i++) {
            ps.add(new dev.graft.api.optim.Param("p" + i, Nd4j.rand(DataType.FLOAT, shapes[i]), Nd4j.rand(DataType.FLOAT, shapes[i]).muli(1e-6)));
        }
        groups = List.of(new ParamGroup("default", ps, 0.01, 0, false));
    }

    @Benchmark
    public long step() {
        opt.step(groups, ++step);
        return step;
    }
}
