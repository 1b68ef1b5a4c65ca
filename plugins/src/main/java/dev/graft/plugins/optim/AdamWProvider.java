package dev.graft.plugins.optim;

import dev.graft.api.GraftApi;
import dev.graft.api.config.Default;
import dev.graft.api.config.Doc;
import dev.graft.api.optim.Optimizer;
import dev.graft.api.optim.OptimizerProvider;

/**
 * {@code adamw}: Adam with decoupled weight decay (Loshchilov and Hutter, 2019) with PyTorch's
 * {@code torch.optim.AdamW} semantics (no AMSGrad). The weights shrink by {@code lr * wd * w} directly,
 * instead of {@code wd * w} being added to the gradient where Adam's scaling would weaken it for
 * parameters with large gradients. For each parameter {@code w} of a group with learning rate
 * {@code lr} and weight decay {@code wd}, at its own step {@code t = 1, 2, ...}:
 * <pre>
 * w = w - lr * wd * w
 * m = beta1 * m + (1 - beta1) * grad
 * v = beta2 * v + (1 - beta2) * grad^2
 * w = w - (lr / (1 - beta1^t)) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
 * </pre>
 * Every parameter of a group is decayed, biases included; give biases and normalisation parameters
 * a group with {@code weight-decay: 0} to spare them. Frozen groups are skipped and do not advance
 * {@code t}; parameters without a gradient too. State per parameter: {@code <param>/m},
 * {@code <param>/v} (the shape of the parameter) and {@code <param>/step} (a scalar, {@code t}).
 */
public final class AdamWProvider implements OptimizerProvider<AdamWProvider.Config> {

    /** Options of {@code adamw}. */
    public record Config(
            @Doc("learning rate, > 0") @Default("0.001") double lr,
            @Doc("decay rate of the first-moment estimate, in [0, 1)") @Default("0.9") double beta1,
            @Doc("decay rate of the second-moment estimate, in [0, 1)") @Default("0.999") double beta2,
            @Doc("term added to the denominator for stability, > 0") @Default("1e-8") double eps,
            @Doc("decoupled weight decay: each step multiplies the weights by 1 - lr * weight-decay, >= 0")
            @Default("0.01") double weightDecay) {
        public Config {
            if (!(lr > 0) || Double.isInfinite(lr)) {
                throw new IllegalArgumentException("lr must be a finite positive number, got " + lr);
            }
            if (!(beta1 >= 0 && beta1 < 1)) {
                throw new IllegalArgumentException("beta1 must be in [0, 1), got " + beta1);
            }
            if (!(beta2 >= 0 && beta2 < 1)) {
                throw new IllegalArgumentException("beta2 must be in [0, 1), got " + beta2);
            }
            if (!(eps > 0) || Double.isInfinite(eps)) {
                throw new IllegalArgumentException("eps must be a finite positive number, got " + eps);
            }
            if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
                throw new IllegalArgumentException("weight-decay must be a finite number >= 0, got " + weightDecay);
            }
        }
    }

    public AdamWProvider() {
    }

    @Override
    public String id() {
        return "adamw";
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
        return "Adam with decoupled weight decay applied to the weights (PyTorch AdamW)";
    }

    @Override
    public Optimizer create(Config config) {
        return new Adam(id(), config.lr(), config.beta1(), config.beta2(), config.eps(), config.weightDecay(), true);
    }
}
