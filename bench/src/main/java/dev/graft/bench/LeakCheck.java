package dev.graft.bench;

import dev.graft.cli.bench.Measure;
import dev.graft.cli.bench.Workloads;
import dev.graft.runtime.CpuTuning;
import dev.graft.runtime.Graft;
import dev.graft.runtime.train.TrainingListener;

import java.util.ArrayList;
import java.util.List;

/**
 * Off-heap leak check: trains the mlp workload through the trainer for {@code steps} steps (default
 * 20,000; 100 distinct batches, cycled by epochs) and samples the resident set size every {@code
 * every} steps. Prints the samples, then one JSON line with the first sample (after the first
 * {@code every} steps, once start-up allocation is done), the last, the maximum and the ratios
 * last/first and max/first. Flat means a ratio within 1.05. It measures; it asserts nothing.
 *
 * <p>The check protects a shared machine: when the resident set passes {@code max-rss-mb} (default
 * 4096) it stops training and reports how far it got ({@code "stopped_early": true}). With {@code
 * gc-every} above 0 it calls {@code System.gc()} every that many steps, to tell memory that is merely
 * waiting for a collection (off-heap buffers are freed when their Java objects are collected) from
 * memory that is never freed.
 *
 * <p>{@code java -cp ... dev.graft.bench.LeakCheck [steps] [every] [batch] [max-rss-mb] [gc-every]}
 */
public final class LeakCheck {
    private LeakCheck() {
    }

    public static void main(String[] args) {
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int every = args.length > 1 ? Integer.parseInt(args[1]) : 500;
        int batch = args.length > 2 ? Integer.parseInt(args[2]) : 128;
        double maxRss = args.length > 3 ? Double.parseDouble(args[3]) : 4096;
        int gcEvery = args.length > 4 ? Integer.parseInt(args[4]) : 0;
        int perEpoch = 100;
        int epochs = (steps + perEpoch - 1) / perEpoch;
        List<double[]> samples = new ArrayList<>();
        long t0 = System.nanoTime();
        TrainingListener sampler = new TrainingListener() {
            private long done;

            @Override
            public void onStep(int epoch, long stepInEpoch, double loss) {
                done++;
                if (gcEvery > 0 && done % gcEvery == 0) {
                    System.gc();
                }
                if (done % every == 0) {
                    double rss = Measure.rssMb();
                    samples.add(new double[] {done, rss});
                    System.out.printf("step %6d  rss %7.1f MB  heap used %6.1f MB  %.1f s%n", done, rss,
                            (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) / 1048576.0, (System.nanoTime() - t0) / 1e9);
                    if (rss > maxRss) {
                        throw new Stop();
                    }
                }
            }
        };
        Graft graft = Graft.create();
        CpuTuning.applyThreads();
        Workloads.Training t = Workloads.training(graft, "mlp", batch, epochs, List.of(sampler));
        boolean stopped = false;
        try {
            t.fit(Workloads.data((long) batch * perEpoch, 0));
        } catch (Stop e) {
            stopped = true;
        }
        double first = samples.get(0)[1];
        double last = samples.get(samples.size() - 1)[1];
        double max = samples.stream().mapToDouble(s -> s[1]).max().orElse(Double.NaN);
        System.out.printf("{\"check\": \"rss-leak\", \"workload\": \"mlp\", \"batch\": %d, \"steps\": %d, \"sample_every\": %d, \"first_step\": %d, "
                        + "\"rss_first_mb\": %.1f, \"rss_last_mb\": %.1f, \"rss_max_mb\": %.1f, \"last_over_first\": %.3f, \"max_over_first\": %.3f, "
                        + "\"max_heap_mb\": %d, \"gc_every\": %d, \"max_rss_mb\": %.0f, \"stopped_early\": %s, \"seconds\": %.1f}%n",
                batch, (long) samples.get(samples.size() - 1)[0], every, (long) samples.get(0)[0], first, last, max, last / first, max / first,
                Runtime.getRuntime().maxMemory() / 1048576, gcEvery, maxRss, stopped, (System.nanoTime() - t0) / 1e9);
    }

    /** Ends the run when the resident set passes the limit. */
    private static final class Stop extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Stop() {
            super("resident set above the limit", null, false, false);
        }
    }
}
