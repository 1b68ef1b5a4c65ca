package dev.graft.plugins.metric;

import dev.graft.api.data.Target;
import dev.graft.api.metric.Metric;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;
import java.util.function.DoubleUnaryOperator;

/** Regression metrics: the mean of a function of {@code prediction - label} over all elements. */
final class Errors {
    private Errors() {
    }

    static Metric metric(String id, DoubleUnaryOperator ofDifference) {
        return new Metric() {
            @Override
            public boolean higherIsBetter() {
                return false;
            }

            @Override
            public String checkTarget(Target target) {
                if (target instanceof Target.Classes c) {
                    return id + " needs regression targets, the dataset has " + c.count()
                            + " classes; use accuracy, precision, recall or f1-macro";
                }
                return null;
            }

            @Override
            public double compute(INDArray predictions, INDArray labels, Target target) {
                if (predictions.length() != labels.length() || predictions.size(0) != labels.size(0)) {
                    throw new IllegalArgumentException(id + ": predictions of shape " + Arrays.toString(predictions.shape())
                            + " do not match labels of shape " + Arrays.toString(labels.shape()));
                }
                if (predictions.length() == 0) {
                    throw new IllegalArgumentException(id + ": no examples to score");
                }
                double[] p = predictions.castTo(DataType.DOUBLE).reshape(predictions.length()).toDoubleVector();
                double[] y = labels.castTo(DataType.DOUBLE).reshape(labels.length()).toDoubleVector();
                double sum = 0;
                for (int i = 0; i < p.length; i++) {
                    sum += ofDifference.applyAsDouble(p[i] - y[i]);
                }
                return sum / p.length;
            }
        };
    }
}
