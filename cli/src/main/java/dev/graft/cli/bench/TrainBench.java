package dev.graft.cli.bench;

import dev.graft.api.data.Examples;
import dev.graft.runtime.Graft;
import dev.graft.runtime.train.TrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;

/**
 * Times a training workload through the trainer: {@code warmup + steps} optimizer steps over
 * distinct synthetic batches in one epoch; a step's time is the wall time between the trainer's
 * consecutive step notifications (so it covers everything the trainer does per step: batch
 * selection, label encoding, forward, loss, backward, regularisation and clipping checks, the
 * optimizer update, listeners). Then inference: the network's prediction on one batch, timed the same
 * way.
 */
public final class TrainBench {
    private TrainBench() {
    }

    /**
     * Step and inference statistics, wall-clock and CPU time, and the process's minor page faults
     * per timed training step (-1 when unknown).
     */
    public record Result(Measure.Timing train, Measure.Timing infer, double minorFaultsPerStep, String executor) {
    }

    public static Result run(Graft graft, String workload, int batch, int steps, int warmup) {
        int total = warmup + steps;
        double[] ms = new double[steps];
        double[] cpu = new double[steps];
        long[] faults = {-1, -1};
        TrainingListener timer = new TrainingListener() {
            private long last;
            private long lastCpu;
            private int done;

            @Override
            public void onStart(int epochs, long stepsPerEpoch, long trainExamples) {
                if (warmup == 0) {
                    faults[0] = Measure.minorFaults();
                }
                lastCpu = Measure.threadCpuNanos();
                last = System.nanoTime();
            }

            @Override
            public void onStep(int epoch, long stepInEpoch, double loss) {
                long now = System.nanoTime();
                long nowCpu = Measure.threadCpuNanos();
                if (done >= warmup && done < total) {
                    ms[done - warmup] = (now - last) / 1e6;
                    cpu[done - warmup] = (nowCpu - lastCpu) / 1e6;
                }
                done++;
                if (done == warmup) {
                    faults[0] = Measure.minorFaults();
                } else if (done == total) {
                    faults[1] = Measure.minorFaults();
                }
                lastCpu = Measure.threadCpuNanos();
                last = System.nanoTime();
            }
        };
        Workloads.Training t = Workloads.training(graft, workload, batch, 1, List.of(timer));
        Examples data = Workloads.data((long) batch * total, 0);
        t.fit(data);
        INDArray x = data.features().get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, batch)).dup();
        Measure.Timing infer = Measure.timedWithCpu(() -> t.network().predict(x, batch), warmup, steps);
        double perStep = faults[0] < 0 || faults[1] < 0 ? -1 : (faults[1] - faults[0]) / (double) steps;
        return new Result(new Measure.Timing(Measure.Stats.of(ms), Measure.Stats.of(cpu)), infer, perStep, t.network().trainExecutor());
    }
}
