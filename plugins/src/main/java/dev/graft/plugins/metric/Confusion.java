package dev.graft.plugins.metric;

import dev.graft.api.data.Target;
import dev.graft.api.metric.Metric;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;
import java.util.TreeSet;
import java.util.function.ToDoubleFunction;

/**
 * Per-class counts of predicted versus true classes, the basis of the classification metrics.
 *
 * <p>Predictions {@code [n, classes]} become classes by argmax; a single column {@code [n, 1]} (or
 * {@code [n]}) is read as the probability of class 1 and thresholded at 0.5. Labels are class indices
 * {@code [n]} (stored as floats).
 */
final class Confusion {
    final int n;
    final int[] truth;
    final int[] predicted;

    private Confusion(int[] truth, int[] predicted) {
        this.n = truth.length;
        this.truth = truth;
        this.predicted = predicted;
    }

    static Confusion of(String metric, INDArray predictions, INDArray labels) {
        int[] truth = classIndices(metric, labels);
        int[] predicted = predictedClasses(metric, predictions);
        if (truth.length != predicted.length) {
            throw new IllegalArgumentException(metric + ": " + predicted.length + " predictions but " + truth.length + " labels");
        }
        if (truth.length == 0) {
            throw new IllegalArgumentException(metric + ": no examples to score");
        }
        return new Confusion(truth, predicted);
    }

    private static int[] predictedClasses(String metric, INDArray predictions) {
        if (predictions.rank() == 1 || (predictions.rank() == 2 && predictions.size(1) == 1)) {
            double[] p = predictions.reshape(predictions.length()).toDoubleVector();
            return Arrays.stream(p).mapToInt(v -> v >= 0.5 ? 1 : 0).toArray();
        }
        if (predictions.rank() != 2) {
            throw new IllegalArgumentException(metric + " expects predictions of shape [n, classes], got "
                    + Arrays.toString(predictions.shape()));
        }
        return Arrays.stream(predictions.argMax(1).toLongVector()).mapToInt(Math::toIntExact).toArray();
    }

    static int[] classIndices(String metric, INDArray labels) {
        if (!(labels.rank() == 1 || (labels.rank() == 2 && labels.size(1) == 1))) {
            throw new IllegalArgumentException(metric + " expects labels of class indices, shape [n], got "
                    + Arrays.toString(labels.shape()));
        }
        double[] v = labels.reshape(labels.length()).toDoubleVector();
        int[] out = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            if (!(v[i] >= 0) || v[i] != Math.rint(v[i])) {
                throw new IllegalArgumentException(metric + ": label " + v[i] + " at row " + i
                        + " is not a class index (a whole number >= 0)");
            }
            out[i] = (int) v[i];
        }
        return out;
    }

    double accuracy() {
        int correct = 0;
        for (int i = 0; i < n; i++) {
            if (truth[i] == predicted[i]) {
                correct++;
            }
        }
        return (double) correct / n;
    }

    /** Micro-averaged precision: sum tp / (sum tp + sum fp); with one label per example, the accuracy. */
    double microPrecision() {
        long tp = 0;
        long fp = 0;
        for (int i = 0; i < n; i++) {
            if (truth[i] == predicted[i]) {
                tp++;
            } else {
                fp++;
            }
        }
        return tp + fp == 0 ? 0 : (double) tp / (tp + fp);
    }

    /** Micro-averaged recall: sum tp / (sum tp + sum fn); every miss is one false negative of the true class. */
    double microRecall() {
        return microPrecision();
    }

    /** Micro-averaged F1: 2 tp / (2 tp + fp + fn), summed over the classes. */
    double microF1() {
        double p = microPrecision();
        double r = microRecall();
        return p + r == 0 ? 0 : 2 * p * r / (p + r);
    }

    /** Precision of class c, 0 when it is never predicted (scikit-learn's zero_division=0). */
    double precision(int c) {
        long tp = truePositives(c);
        long predictedC = Arrays.stream(predicted).filter(p -> p == c).count();
        return predictedC == 0 ? 0 : (double) tp / predictedC;
    }

    /** Recall of class c, 0 when it never occurs in the labels. */
    double recall(int c) {
        long tp = truePositives(c);
        long actualC = Arrays.stream(truth).filter(t -> t == c).count();
        return actualC == 0 ? 0 : (double) tp / actualC;
    }

    /** F1 of class c: 2 tp / (2 tp + fp + fn), the harmonic mean of its precision and recall. */
    double f1(int c) {
        double p = precision(c);
        double r = recall(c);
        return p + r == 0 ? 0 : 2 * p * r / (p + r);
    }

    /** The unweighted mean over the classes present in the labels or the predictions. */
    double macro(ToDoubleFunction<Integer> perClass) {
        TreeSet<Integer> classes = new TreeSet<>();
        for (int i = 0; i < n; i++) {
            classes.add(truth[i]);
            classes.add(predicted[i]);
        }
        return classes.stream().mapToDouble(perClass).average().orElse(0);
    }

    private long truePositives(int c) {
        long tp = 0;
        for (int i = 0; i < n; i++) {
            if (truth[i] == c && predicted[i] == c) {
                tp++;
            }
        }
        return tp;
    }

    /** A classification metric from a function of the counts. */
    static Metric metric(String id, ToDoubleFunction<Confusion> score) {
        return new Metric() {
            @Override
            public boolean higherIsBetter() {
                return true;
            }

            @Override
            public String checkTarget(Target target) {
                if (target instanceof Target.Regression r) {
                    return id + " needs class labels, the dataset has regression targets of shape " + r.shape()
                            + "; use mse or mae";
                }
                return null;
            }

            @Override
            public double compute(INDArray predictions, INDArray labels, Target target) {
                return score.applyAsDouble(Confusion.of(id, predictions, labels));
            }
        };
    }
}
