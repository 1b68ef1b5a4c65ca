package dev.graft.bench;

import dev.graft.api.PluginKind;
import dev.graft.api.optim.Optimizer;
import dev.graft.api.optim.OptimizerProvider;
import dev.graft.api.optim.Param;
import dev.graft.api.optim.ParamGroup;
import dev.graft.cli.bench.Measure;
import dev.graft.runtime.Graft;
import dev.graft.runtime.config.RecordBinder;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one optimizer step allocates, over the MLP workload's parameters (235,146 floats), after
 * warm-up steps that create the state: ND4J data buffers created per step (ND4J numbers every
 * buffer it creates from one counter that only grows, {@code DeallocatorService.nextValue()}), the
 * change of live JavaCPP pointers, Java heap bytes allocated by the stepping thread, collections,
 * minor page faults (fresh memory from the kernel), resident-set growth and mean time per step.
 * Two gradient sets, made beforehand, alternate.
 *
 * <p>Usage: {@code OptimizerAllocations [steps] [warmup]} (default 500 and 50). Prints one line per
 * optimizer, then one JSON line per optimizer.
 */
public final class OptimizerAllocations {
    private OptimizerAllocations() {
    }

    /** The optimizers measured, as the JMH {@code OptimizerBench} configures them. */
    static Map<String, Map<String, Object>> configs() {
        Map<String, Map<String, Object>> c = new LinkedHashMap<>();
        c.put("sgd", Map.of("lr", 0.01));
        c.put("sgd-momentum", Map.of("lr", 0.01, "momentum", 0.9, "nesterov", true, "weight-decay", 1e-4));
        c.put("adam", Map.of("lr", 0.01));
        c.put("adamw", Map.of("lr", 0.01));
        c.put("rmsprop", Map.of("lr", 0.01));
        c.put("adagrad", Map.of("lr", 0.01));
        return c;
    }

    static long heapBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    static long collections() {
        long n = 0;
        for (GarbageCollectorMXBean b : ManagementFactory.getGarbageCollectorMXBeans()) {
            n += Math.max(0, b.getCollectionCount());
        }
        return n;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    public static void main(String[] args) {
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 500;
        int warmup = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        Graft graft = Graft.create();
        long[][] shapes = {{784, 256}, {256}, {256, 128}, {128}, {128, 10}, {10}};
        List<String> json = new ArrayList<>();
        for (var e : configs().entrySet()) {
            String id = e.getKey().equals("sgd-momentum") ? "sgd" : e.getKey();
            OptimizerProvider p = graft.plugins().get(PluginKind.OPTIMIZER, id, "optimizer");
            Optimizer opt = p.create(RecordBinder.bind(p.configType(), e.getValue(), "optimizer", id));
            Nd4j.getRandom().setSeed(0);
            List<INDArray> weights = new ArrayList<>();
            for (long[] shape : shapes) {
                weights.add(Nd4j.rand(DataType.FLOAT, shape));
            }
            List<List<ParamGroup>> inputs = new ArrayList<>();
            for (int s = 0; s < 2; s++) {
                List<Param> ps = new ArrayList<>();
                for (int i = 0; i < shapes.length; i++) {
                    ps.add(new Param("p" + i, weights.get(i), Nd4j.rand(DataType.FLOAT, shapes[i]).subi(0.5).muli(1e-3)));
                }
                inputs.add(List.of(new ParamGroup("default", ps, 0.01, opt.weightDecay(), false)));
            }
            long step = 0;
            for (int s = 0; s < warmup; s++) {
                opt.step(inputs.get(s % 2), ++step);
            }
            System.gc();
            double rss0 = Measure.rssMb();
            long faults0 = Measure.minorFaults();
            long gc0 = collections();
            long pointers0 = Pointer.totalCount();
            long heap0 = heapBytes();
            long buffers0 = Nd4j.getDeallocatorService().nextValue();
            long t0 = System.nanoTime();
            for (int s = 0; s < steps; s++) {
                opt.step(inputs.get(s % 2), ++step);
            }
            long t1 = System.nanoTime();
            long buffers = Nd4j.getDeallocatorService().nextValue() - buffers0 - 1;
            long heap = heapBytes() - heap0;
            long pointers = Pointer.totalCount() - pointers0;
            long gcs = collections() - gc0;
            double rss1 = Measure.rssMb();
            double faults = (Measure.minorFaults() - faults0) / (double) steps;
            System.out.printf("%-13s ND4J buffers/step %7.2f  JavaCPP live pointers %+6d  heap B/step %9.1f  GCs %3d  minor faults/step %7.1f  RSS %+7.1f MB  %8.1f us/step%n",
                    e.getKey(), buffers / (double) steps, pointers, heap / (double) steps, gcs, faults, rss1 - rss0, (t1 - t0) / 1e3 / steps);
            json.add(String.format("{\"probe\": \"optimizer-allocations\", \"optimizer\": \"%s\", \"steps\": %d, \"nd4j_buffers_per_step\": %.3f, "
                            + "\"javacpp_live_pointer_change\": %d, \"heap_bytes_per_step\": %.1f, \"gcs\": %d, \"minor_faults_per_step\": %.1f, "
                            + "\"rss_change_mb\": %.1f, \"us_per_step\": %.1f}",
                    e.getKey(), steps, buffers / (double) steps, pointers, heap / (double) steps, gcs, faults, rss1 - rss0, (t1 - t0) / 1e3 / steps));
        }
        json.forEach(System.out::println);
    }
}
