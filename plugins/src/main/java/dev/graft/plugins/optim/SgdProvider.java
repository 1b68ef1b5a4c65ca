package dev.graft.plugins.optim;

import dev.graft.api.GraftApi;
import dev.graft.api.config.Default;
import dev.graft.api.config.Doc;
import dev.graft.api.optim.Optimizer;
import dev.graft.api.optim.OptimizerProvider;
import dev.graft.api.optim.Param;
import dev.graft.api.optim.ParamGroup;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code sgd}: stochastic gradient descent with optional momentum, Nesterov momentum and L2 weight
 * decay, with PyTorch's {@code torch.optim.SGD} semantics (dampening 0). For each parameter {@code w}
 * of a group with learning rate {@code lr} and weight decay {@code wd}:
 * <pre>
 * g   = grad + wd * w
 * buf = momentum * buf + g            (buf starts at 0, so the first buf is g)
 * u   = nesterov ? g + momentum * buf : buf      (u = g without momentum)
 * w   = w - lr * u
 * </pre>
 * The group's {@code lr} and {@code weightDecay} are used (they default to this config's); frozen
 * groups are skipped, parameters without a gradient too. State: {@code <param>/momentum}, only when
 * {@code momentum > 0}.
 */
public final class SgdProvider implements OptimizerProvider<SgdProvider.Config> {

    /** Options of {@code sgd}. */
    public record Config(
            @Doc("learning rate, > 0") double lr,
            @Doc("momentum factor in [0, 1); 0 is plain SGD") @Default("0.0") double momentum,
            @Doc("use Nesterov momentum (needs momentum > 0)") @Default("false") boolean nesterov,
            @Doc("L2 penalty added to the gradient as weight-decay * w, >= 0") @Default("0.0") double weightDecay) {
        public Config {
            if (!(lr > 0) || Double.isInfinite(lr)) {
                throw new IllegalArgumentException("lr must be a finite positive number, got " + lr);
            }
            if (!(momentum >= 0 && momentum < 1)) {
                throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
            }
            if (nesterov && momentum == 0) {
                throw new IllegalArgumentException("nesterov = true needs momentum > 0");
            }
            if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
                throw new IllegalArgumentException("weight-decay must be a finite number >= 0, got " + weightDecay);
            }
        }
    }

    public SgdProvider() {
    }

    @Override
    public String id() {
        return "sgd";
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
        return "stochastic gradient descent with optional (Nesterov) momentum and weight decay (PyTorch SGD)";
    }

    @Override
    public Optimizer create(Config config) {
        return new Sgd(config);
    }

    private static final class Sgd implements Optimizer {
        private static final String SLOT = "momentum";
        private final Config config;
        private final Map<String, INDArray> buffers = new LinkedHashMap<>();

        Sgd(Config config) {
            this.config = config;
        }

        @Override
        public double learningRate() {
            return config.lr();
        }

        @Override
        public double weightDecay() {
            return config.weightDecay();
        }

        @Override
        public void step(List<ParamGroup> groups, long step) {
            double momentum = config.momentum();
            for (ParamGroup group : groups) {
                if (group.frozen()) {
                    continue;
                }
                for (Param p : group.params()) {
                    if (p.grad() == null) {
                        continue;
                    }
                    States.requireMatchingGrad("sgd", p);
                    INDArray w = p.value();
                    INDArray g = group.weightDecay() != 0 ? p.grad().add(w.mul(group.weightDecay())) : p.grad();
                    INDArray update = g;
                    if (momentum != 0) {
                        String key = p.name() + "/" + SLOT;
                        INDArray buf = buffers.get(key);
                        if (buf == null) {
                            buf = g.dup();
                            buffers.put(key, buf);
                        } else {
                            buf = States.requireShapeOf("sgd", key, buf, p);
                            buffers.put(key, buf);
                            buf.muli(momentum).addi(g);
                        }
                        update = config.nesterov() ? g.add(buf.mul(momentum)) : buf;
                    }
                    w.subi(update.mul(group.lr()));
                }
            }
        }

        /** A copy of the momentum buffers, {@code <param>/momentum}. */
        @Override
        public Map<String, INDArray> state() {
            return Collections.unmodifiableMap(States.copy(buffers));
        }

        @Override
        public void loadState(Map<String, INDArray> state) {
            if (config.momentum() == 0 && !state.isEmpty()) {
                throw new IllegalArgumentException("sgd without momentum keeps no state, but the state has keys "
                        + state.keySet());
            }
            for (var e : state.entrySet()) {
                States.splitKey("sgd", e.getKey(), Set.of(SLOT));
                if (e.getValue() == null) {
                    throw new IllegalArgumentException("sgd state " + e.getKey() + " has no array");
                }
            }
            buffers.clear();
            buffers.putAll(States.copy(state));
        }
    }
}
