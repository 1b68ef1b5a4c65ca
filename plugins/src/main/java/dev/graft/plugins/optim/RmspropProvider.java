package dev.graft.plugins.optim;

import dev.graft.api.GraftApi;
import dev.graft.api.config.Default;
import dev.graft.api.config.Doc;
import dev.graft.api.optim.Optimizer;
import dev.graft.api.optim.OptimizerProvider;
import dev.graft.api.optim.Param;
import dev.graft.api.optim.ParamGroup;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code rmsprop}: RMSprop (Hinton's lecture 6e) with PyTorch's {@code torch.optim.RMSprop} semantics.
 * For each parameter {@code w} of a group with learning rate {@code lr} and weight decay {@code wd}:
 * <pre>
 * g   = grad + wd * w
 * s   = alpha * s + (1 - alpha) * g^2                      (s starts at 0)
 * centered:      a = alpha * a + (1 - alpha) * g           (a starts at 0)
 *                d = sqrt(s - a^2) + eps
 * not centered:  d = sqrt(s) + eps
 * momentum &gt; 0:  buf = momentum * buf + g / d;  w = w - lr * buf      (buf starts at 0)
 * momentum = 0:  w = w - lr * g / d
 * </pre>
 * Centering divides by an estimate of the gradient's standard deviation instead of its root mean
 * square. There is no bias correction, so the first steps are large ({@code lr * g / (sqrt(1 - alpha)
 * * |g|)} on the first step); a small {@code lr} is customary. Frozen groups are skipped, parameters
 * without a gradient too. State per parameter: {@code <param>/square_avg} ({@code s}), with
 * {@code centered} also {@code <param>/grad_avg} ({@code a}), with momentum also
 * {@code <param>/momentum} ({@code buf}).
 */
public final class RmspropProvider implements OptimizerProvider<RmspropProvider.Config> {

    /** Options of {@code rmsprop}. */
    public record Config(
            @Doc("learning rate, > 0") @Default("0.01") double lr,
            @Doc("decay rate of the running mean of squared gradients, in [0, 1)") @Default("0.99") double alpha,
            @Doc("term added to the denominator for stability, > 0") @Default("1e-8") double eps,
            @Doc("momentum factor in [0, 1); 0 applies the scaled gradient directly") @Default("0.0") double momentum,
            @Doc("divide by the gradient's estimated standard deviation instead of its root mean square")
            @Default("false") boolean centered,
            @Doc("L2 penalty added to the gradient as weight-decay * w, >= 0") @Default("0.0") double weightDecay) {
        public Config {
            if (!(lr > 0) || Double.isInfinite(lr)) {
                throw new IllegalArgumentException("lr must be a finite positive number, got " + lr);
            }
            if (!(alpha >= 0 && alpha < 1)) {
                throw new IllegalArgumentException("alpha must be in [0, 1), got " + alpha);
            }
            if (!(eps > 0) || Double.isInfinite(eps)) {
                throw new IllegalArgumentException("eps must be a finite positive number, got " + eps);
            }
            if (!(momentum >= 0 && momentum < 1)) {
                throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
            }
            if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
                throw new IllegalArgumentException("weight-decay must be a finite number >= 0, got " + weightDecay);
            }
        }
    }

    public RmspropProvider() {
    }

    @Override
    public String id() {
        return "rmsprop";
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
        return "RMSprop with optional momentum, centering and weight decay (PyTorch RMSprop)";
    }

    @Override
    public Optimizer create(Config config) {
        return new Rmsprop(id(), config);
    }

    private static final class Rmsprop implements Optimizer {
        private static final String SQUARE = "square_avg";
        private static final String GRAD = "grad_avg";
        private static final String MOMENTUM = "momentum";
        private final String id;
        private final Config config;
        private final Set<String> slots = new HashSet<>();
        /** Keyed {@code <param>/<slot>}. */
        private final Map<String, INDArray> state = new LinkedHashMap<>();

        Rmsprop(String id, Config config) {
            this.id = id;
            this.config = config;
            slots.add(SQUARE);
            if (config.centered()) {
                slots.add(GRAD);
            }
            if (config.momentum() > 0) {
                slots.add(MOMENTUM);
            }
        }

        @Override
        public double learningRate() {
            return config.lr();
        }

        @Override
        public double weightDecay() {
            return config.weightDecay();
        }

        /** The slot's array for this parameter: zeros the first time, else the saved one checked against the parameter. */
        private INDArray slot(Param p, String slot) {
            String key = p.name() + "/" + slot;
            INDArray a = state.get(key);
            a = a == null ? Nd4j.zeros(p.value().dataType(), p.value().shape()) : States.requireShapeOf(id, key, a, p);
            state.put(key, a);
            return a;
        }

        @Override
        public void step(List<ParamGroup> groups, long step) {
            double alpha = config.alpha();
            for (ParamGroup group : groups) {
                if (group.frozen()) {
                    continue;
                }
                for (Param p : group.params()) {
                    if (p.grad() == null) {
                        continue;
                    }
                    States.requireMatchingGrad(id, p);
                    INDArray w = p.value();
                    INDArray g = group.weightDecay() != 0 ? p.grad().add(w.mul(group.weightDecay())) : p.grad();
                    INDArray s = slot(p, SQUARE);
                    s.muli(alpha).addi(g.mul(g).muli(1 - alpha));
                    INDArray d;
                    if (config.centered()) {
                        INDArray a = slot(p, GRAD);
                        a.muli(alpha).addi(g.mul(1 - alpha));
                        d = Transforms.sqrt(s.sub(a.mul(a)), false).addi(config.eps());
                    } else {
                        d = Transforms.sqrt(s, true).addi(config.eps());
                    }
                    INDArray scaled = g.div(d);
                    if (config.momentum() > 0) {
                        INDArray buf = slot(p, MOMENTUM);
                        buf.muli(config.momentum()).addi(scaled);
                        w.subi(buf.mul(group.lr()));
                    } else {
                        w.subi(scaled.muli(group.lr()));
                    }
                }
            }
        }

        /** A copy of the running averages and momentum buffers, {@code <param>/<slot>}. */
        @Override
        public Map<String, INDArray> state() {
            return Collections.unmodifiableMap(States.copy(state));
        }

        @Override
        public void loadState(Map<String, INDArray> saved) {
            States.byParam(id, saved, slots, slots);
            state.clear();
            state.putAll(States.copy(saved));
        }
    }
}
