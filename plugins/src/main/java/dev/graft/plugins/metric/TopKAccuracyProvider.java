package dev.graft.plugins.metric;

import dev.graft.api.GraftApi;
import dev.graft.api.config.Default;
import dev.graft.api.config.Doc;
import dev.graft.api.data.Target;
import dev.graft.api.metric.Metric;
import dev.graft.api.metric.MetricProvider;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;

/**
 * {@code top-k-accuracy}: the fraction of examples whose true class is among the {@code k} classes with
 * the highest scores, like scikit-learn's {@code top_k_accuracy_score}. Predictions are {@code [n,
 * classes]} scores or probabilities, labels class indices. The rank of the true class {@code y} in a
 * row {@code s} is
 * <pre>
 * rank = #{c : s_c &gt; s_y} + #{c &lt; y : s_c == s_y}
 * </pre>
 * and the example counts when {@code rank < k}: ties go to the lower class index, as {@code argmax}
 * and the {@code accuracy} metric break them, so {@code k = 1} is exactly {@code accuracy}. (Where
 * scores tie, scikit-learn's order can differ.) {@code k} must be smaller than the number of classes,
 * or every example would count.
 */
public final class TopKAccuracyProvider implements MetricProvider<TopKAccuracyProvider.Config> {

    /** Options of {@code top-k-accuracy}. */
    public record Config(@Doc("how many of the best-scored classes may hold the true one, >= 1 and < classes")
                         @Default("3") int k) {
        public Config {
            if (k < 1) {
                throw new IllegalArgumentException("k must be a whole number >= 1, got " + k);
            }
        }
    }

    public TopKAccuracyProvider() {
    }

    @Override
    public String id() {
        return "top-k-accuracy";
    }

    @Override
    public String version() {
        return "1.0.0";
    }

    @Override
    public String apiVersion() {
        return GraftApi.VERSION;
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public String description() {
        return "fraction of examples whose true class is among the k highest-scored classes";
    }

    @Override
    public Metric create(Config config) {
        int k = config.k();
        return new Metric() {
            @Override
            public boolean higherIsBetter() {
                return true;
            }

            @Override
            public String checkTarget(Target target) {
                if (target instanceof Target.Regression r) {
                    return id() + " needs class labels, the dataset has regression targets of shape " + r.shape()
                            + "; use mse or mae";
                }
                int classes = ((Target.Classes) target).count();
                if (k >= classes) {
                    return id() + " with k = " + k + " needs more than " + k + " classes, the dataset has " + classes
                            + "; set k below " + classes + " or use accuracy";
                }
                return null;
            }

            @Override
            public double compute(INDArray predictions, INDArray labels, Target target) {
                if (predictions.rank() != 2 || predictions.size(1) <= k) {
                    throw new IllegalArgumentException(id() + " with k = " + k + " expects predictions of shape [n, classes]"
                            + " with more than " + k + " classes, got " + Arrays.toString(predictions.shape()));
                }
                int[] truth = Confusion.classIndices(id(), labels);
                int n = (int) predictions.size(0);
                int classes = (int) predictions.size(1);
                if (truth.length != n) {
                    throw new IllegalArgumentException(id() + ": " + n + " predictions but " + truth.length + " labels");
                }
                if (n == 0) {
                    throw new IllegalArgumentException(id() + ": no examples to score");
                }
                double[] s = predictions.castTo(DataType.DOUBLE).dup('c').reshape(-1).toDoubleVector();
                int hits = 0;
                for (int i = 0; i < n; i++) {
                    int y = truth[i];
                    if (y >= classes) {
                        throw new IllegalArgumentException(id() + ": label " + y + " at row " + i + " is not one of the "
                                + classes + " classes");
                    }
                    double sy = s[i * classes + y];
                    int rank = 0;
                    for (int c = 0; c < classes; c++) {
                        double sc = s[i * classes + c];
                        if (sc > sy || (sc == sy && c < y)) {
                            rank++;
                        }
                    }
                    if (rank < k) {
                        hits++;
                    }
                }
                return (double) hits / n;
            }
        };
    }
}
