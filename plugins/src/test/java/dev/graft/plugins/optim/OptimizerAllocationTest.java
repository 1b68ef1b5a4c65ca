package dev.graft.plugins.optim;

import dev.graft.api.optim.Optimizer;
import dev.graft.api.optim.Param;
import dev.graft.api.optim.ParamGroup;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Once an optimizer's state exists, its steps create no ND4J buffers, no native pointers and
 * (beyond a few bytes) no Java objects. ND4J
 * numbers every data buffer (and op context) it creates from one counter,
 * {@code DeallocatorService.nextValue()}, which only ever grows, so the count of arrays a stretch of
 * code creates is the counter's growth, whatever the garbage collector frees meanwhile.
 */
class OptimizerAllocationTest {
    static final long[][] SHAPES = {{64, 32}, {32}, {5, 3, 2}};

    /** ND4J buffers created so far (reading the counter advances it by one). */
    static long created() {
        return Nd4j.getDeallocatorService().nextValue();
    }

    static long heapBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    /** Two alternating step inputs: three parameters in a live group, one in a frozen group, one without gradient. */
    static List<List<ParamGroup>> inputs(DataType type, List<INDArray> weights) {
        List<List<ParamGroup>> out = new ArrayList<>();
        for (int s = 0; s < 2; s++) {
            List<Param> live = new ArrayList<>();
            for (int i = 0; i < SHAPES.length; i++) {
                INDArray g = Nd4j.rand(DataType.DOUBLE, SHAPES[i]).subi(0.5).muli(s + 1).castTo(type);
                live.add(new Param("p" + i, weights.get(i), g));
            }
            live.add(new Param("nograd", weights.get(SHAPES.length), null));
            List<Param> frozen = List.of(new Param("frozen", weights.get(SHAPES.length + 1), weights.get(SHAPES.length + 1).dup()));
            out.add(List.of(new ParamGroup("backbone", frozen, 0.1, 0.0, true), new ParamGroup("default", live, 0.01, 0.001, false)));
        }
        return out;
    }

    @Test
    void theCounterSeesAllocations() {
        INDArray x = Nd4j.ones(DataType.FLOAT, 8);
        long before = created();
        x.muli(2.0);
        INDArray y = x.add(x);
        assertThat(created() - before - 1).isGreaterThanOrEqualTo(2);
        assertThat(y.getFloat(0)).isEqualTo(4f);
    }

    @Test
    void stepsAllocateNothingOnceTheStateExists() {
        for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            for (var e : OptimizerLayoutTest.all().entrySet()) {
                String as = e.getKey() + " " + type;
                Nd4j.getRandom().setSeed(1);
                List<INDArray> weights = new ArrayList<>();
                for (long[] shape : SHAPES) {
                    weights.add(Nd4j.rand(DataType.DOUBLE, shape).castTo(type));
                }
                weights.add(Nd4j.ones(type, 4));
                weights.add(Nd4j.ones(type, 4));
                List<List<ParamGroup>> inputs = inputs(type, weights);
                INDArray start = weights.get(0).dup();
                Optimizer opt = e.getValue().get();
                opt.step(inputs.get(0), 1);
                opt.step(inputs.get(1), 2);

                int steps = 50;
                long pointers = Pointer.totalCount();
                long heap = heapBytes();
                long before = created();
                for (int s = 0; s < steps; s++) {
                    opt.step(inputs.get(s % 2), s + 3);
                }
                long buffers = created() - before - 1;
                long heapPerStep = (heapBytes() - heap) / steps;
                System.out.printf("%-16s %-6s ND4J buffers %d, JavaCPP pointers %+d, heap %d bytes per step%n", e.getKey(), type,
                        buffers, Pointer.totalCount() - pointers, heapPerStep);
                assertThat(buffers).as(as + ": ND4J buffers created in " + steps + " steps").isZero();
                assertThat(Pointer.totalCount()).as(as + ": live JavaCPP pointers").isLessThanOrEqualTo(pointers);
                // about 16 bytes a step once compiled (the thread's own bookkeeping); a pointer, array or
                // lambda per parameter and step made 2 to 4.4 KB
                assertThat(heapPerStep).as(as + ": Java heap bytes per step").isLessThan(1024);
                assertThat(weights.get(0).equalsWithEps(start, 1e-9)).as(as + ": the weights moved").isFalse();
                assertThat(weights.get(SHAPES.length).getDouble(0)).as(as + ": no gradient, no update").isEqualTo(1.0);
                assertThat(weights.get(SHAPES.length + 1).getDouble(0)).as(as + ": frozen").isEqualTo(1.0);
            }
        }
    }
}
