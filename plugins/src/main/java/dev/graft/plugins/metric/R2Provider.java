package dev.graft.plugins.metric;

import dev.graft.api.config.NoConfig;
import dev.graft.api.data.Target;
import dev.graft.api.metric.Metric;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;

/**
 * {@code r2}: the coefficient of determination, as scikit-learn's {@code r2_score} with
 * {@code multioutput="uniform_average"}. Examples of any shape are flattened to {@code d} outputs;
 * for each output {@code j}, over the {@code n} examples,
 * <pre>
 * R2_j = 1 - sum_i (y_ij - p_ij)^2 / sum_i (y_ij - mean_i y_ij)^2
 * </pre>
 * and the metric is the unweighted mean of {@code R2_j}. 1 is a perfect fit, 0 is no better than
 * predicting each output's mean, and worse models go negative. An output whose labels are constant
 * scores 1 if it is predicted exactly and 0 otherwise (scikit-learn's {@code force_finite}). With
 * fewer than 2 examples R2 is undefined and the metric is NaN, as in scikit-learn. Higher is better.
 */
public final class R2Provider extends MetricProviderBase {
    public R2Provider() {
        super("r2", "coefficient of determination, averaged over the outputs (regression)");
    }

    @Override
    public Metric create(NoConfig config) {
        String id = id();
        return new Metric() {
            @Override
            public boolean higherIsBetter() {
                return true;
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
                int n = (int) predictions.size(0);
                if (n == 0) {
                    throw new IllegalArgumentException(id + ": no examples to score");
                }
                if (n < 2) {
                    return Double.NaN;
                }
                int d = (int) (predictions.length() / n);
                double[] p = predictions.castTo(DataType.DOUBLE).dup('c').reshape(-1).toDoubleVector();
                double[] y = labels.castTo(DataType.DOUBLE).dup('c').reshape(-1).toDoubleVector();
                double sum = 0;
                for (int j = 0; j < d; j++) {
                    double mean = 0;
                    for (int i = 0; i < n; i++) {
                        mean += y[i * d + j];
                    }
                    mean /= n;
                    double residual = 0;
                    double total = 0;
                    for (int i = 0; i < n; i++) {
                        double e = y[i * d + j] - p[i * d + j];
                        double c = y[i * d + j] - mean;
                        residual += e * e;
                        total += c * c;
                    }
                    sum += total != 0 ? 1 - residual / total : residual == 0 ? 1 : 0;
                }
                return sum / d;
            }
        };
    }
}
