package dev.graft.plugins.loss;

import dev.graft.api.GraftApi;
import dev.graft.api.config.Default;
import dev.graft.api.config.Doc;
import dev.graft.api.data.Target;
import dev.graft.api.loss.Loss;
import dev.graft.api.loss.LossProvider;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * {@code huber}: the Huber loss, like PyTorch's {@code HuberLoss(reduction="mean", delta=delta)}. For
 * each element with error {@code d = output - label}:
 * <pre>
 * l(d) = 0.5 * d^2                      if |d| &lt;= delta
 *        delta * (|d| - 0.5 * delta)    otherwise
 * </pre>
 * and the loss is the mean of {@code l} over <em>all</em> elements of the batch. Quadratic near 0
 * like {@code mse}, linear for large errors like {@code mae}, so outliers pull less. Regression targets
 * only. It is computed as {@code 0.5 * q^2 + delta * (|d| - q)} with {@code q = clip(|d|, 0, delta)},
 * which is the same function written with ops whose gradients are checked.
 */
public final class HuberProvider implements LossProvider<HuberProvider.Config> {

    /** Options of {@code huber}. */
    public record Config(
            @Doc("where the loss turns from quadratic to linear, > 0") @Default("1.0") double delta) {
        public Config {
            if (!(delta > 0) || Double.isInfinite(delta)) {
                throw new IllegalArgumentException("delta must be a finite positive number, got " + delta);
            }
        }
    }

    public HuberProvider() {
    }

    @Override
    public String id() {
        return "huber";
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
        return "Huber loss: squared error below delta, linear above, mean over all elements (PyTorch HuberLoss)";
    }

    @Override
    public Loss create(Config config) {
        double delta = config.delta();
        return new Loss() {
            @Override
            public SDVariable compute(SameDiff sd, SDVariable output, SDVariable labels) {
                SDVariable a = sd.math().abs(output.sub(labels));
                SDVariable q = sd.math().clipByValue(a, 0.0, delta);
                return q.mul(q).mul(0.5).add(a.sub(q).mul(delta)).mean();
            }

            @Override
            public String checkTarget(Target target) {
                return target instanceof Target.Classes c ? Ops.needsRegression(id(), c) : null;
            }
        };
    }
}
