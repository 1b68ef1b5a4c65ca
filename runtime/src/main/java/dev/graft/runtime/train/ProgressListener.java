package dev.graft.runtime.train;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.PrintStream;
import java.util.Map;

/**
 * Shows training progress: a progress bar with ETA and throughput on a terminal, or one plain line
 * per epoch otherwise. Writes to standard error so standard output stays machine-readable.
 */
public final class ProgressListener implements TrainingListener {
    private final boolean bar;
    private final PrintStream out;
    private int epochs;
    private long steps;
    private long examples;
    private ProgressBar pb;
    private int epoch;

    /** @param bar true for a progress bar, false for log lines */
    public ProgressListener(boolean bar, PrintStream out) {
        this.bar = bar;
        this.out = out;
    }

    @Override
    public void onStart(int epochs, long stepsPerEpoch, long trainExamples) {
        this.epochs = epochs;
        this.steps = stepsPerEpoch;
        this.examples = trainExamples;
        if (!bar) {
            out.printf("training: %d epochs of %d steps on %d examples%n", epochs, stepsPerEpoch, trainExamples);
        }
    }

    @Override
    public void onStep(int epoch, long stepInEpoch, double loss) {
        if (!bar) {
            return;
        }
        if (pb == null || epoch != this.epoch) {
            closeBar();
            this.epoch = epoch;
            pb = new ProgressBarBuilder().setTaskName(String.format("epoch %d/%d", epoch, epochs)).setInitialMax(steps)
                    .setStyle(ProgressBarStyle.ASCII).setUnit(" steps", 1).showSpeed().setConsumer(
                            new me.tongfei.progressbar.ConsoleProgressBarConsumer(out)).build();
        }
        pb.stepTo(stepInEpoch);
        pb.setExtraMessage(String.format(" loss %.4f", loss));
    }

    private void closeBar() {
        if (pb != null) {
            pb.close();
            pb = null;
        }
    }

    @Override
    public void onEpoch(EpochStats s) {
        closeBar();
        StringBuilder sb = new StringBuilder(String.format("epoch %d/%d  loss %.4f", s.epoch(), epochs, s.trainLoss()));
        if (!Double.isNaN(s.valLoss())) {
            sb.append(String.format("  val-loss %.4f", s.valLoss()));
        }
        for (Map.Entry<String, Double> e : s.valMetrics().entrySet()) {
            sb.append(String.format("  val-%s %.4f", e.getKey(), e.getValue()));
        }
        sb.append(String.format("  %.1fs  %.0f examples/s", s.seconds(), s.examplesPerSec()));
        out.println(sb);
    }

    @Override
    public void onEnd(String reason) {
        closeBar();
        out.println("training ended: " + reason);
    }
}
