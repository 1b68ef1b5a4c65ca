package dev.graft.plugins.optim;

import dev.graft.api.GraftApi;
import dev.graft.api.config.Default;
import dev.graft.api.config.Doc;
import dev.graft.api.optim.Optimizer;
import dev.graft.api.optim.OptimizerProvider;
import dev.graft.api.optim.Param;
import dev.graft.api.optim.ParamGroup;
import org.bytedeco.javacpp.indexer.DoubleIndexer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

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
        /** Momentum buffers by parameter name. */
        private final Map<String, INDArray> buffers = new LinkedHashMap<>();
        private final Flat scratch = new Flat();
        private final Flat.FloatWindows windows = new Flat.FloatWindows(3);

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
            for (int gi = 0; gi < groups.size(); gi++) {
                ParamGroup group = groups.get(gi);
                if (group.frozen()) {
                    continue;
                }
                double lr = group.lr();
                double wd = group.weightDecay();
                List<Param> params = group.params();
                for (int pi = 0; pi < params.size(); pi++) {
                    Param p = params.get(pi);
                    if (p.grad() == null) {
                        continue;
                    }
                    States.requireMatchingGrad("sgd", p);
                    DataType type = Flat.elementType("sgd", p);
                    INDArray buf = null;
                    boolean first = false;
                    if (momentum != 0) {
                        buf = buffers.get(p.name());
                        if (buf == null) {
                            buf = Nd4j.create(type, p.value().shape());
                            first = true;
                        } else {
                            buf = States.requireShapeOf("sgd", p, SLOT, buf);
                        }
                        buffers.put(p.name(), buf);
                    }
                    INDArray w = scratch.in(p, "value", p.value(), type);
                    INDArray g = scratch.in(p, "grad", p.grad(), type);
                    long n = w.length();
                    if (type == DataType.FLOAT) {
                        stepFloat(w, g, buf, n, wd != 0, (float) wd, first, (float) momentum, config.nesterov(), (float) -lr);
                    } else {
                        stepDouble(Flat.doubles(w), Flat.doubles(g), buf == null ? null : Flat.doubles(buf), n, wd != 0, wd,
                                first, momentum, config.nesterov(), -lr);
                    }
                    Flat.out(p.value(), w);
                }
            }
        }

        /**
         * One SGD step over float32 elements through heap windows ({@link Flat.FloatWindows}), rounded
         * as torch.optim.SGD's in-place CPU kernels round them ({@code fma(a, b, c)}: {@code a * b + c}
         * rounded once): {@code d = fma(wd, w, g)}; with momentum {@code buf = d} on the first step,
         * else {@code buf = buf * momentum + d}, then {@code d = buf} or (Nesterov) {@code d =
         * fma(momentum, buf, d)}; {@code w = fma(-lr, d, w)}. {@code buf} is null without momentum.
         */
        private void stepFloat(INDArray w, INDArray g, INDArray buf, long n, boolean decay, float wd,
                               boolean first, float momentum, boolean nesterov, float negLr) {
            boolean plain = buf == null && !decay;
            windows.start(n);
            windows.bind(0, w, true, true);
            windows.bind(1, g, true, false);
            windows.bind(2, buf, !first, true);
            float[] wv = windows.buffer(0);
            float[] gv = windows.buffer(1);
            float[] bv = windows.buffer(2);
            for (int m = windows.next(); m > 0; m = windows.next()) {
                if (plain) {
                    for (int i = 0; i < m; i++) {
                        wv[i] = Math.fma(negLr, gv[i], wv[i]);
                    }
                    continue;
                }
                for (int i = 0; i < m; i++) {
                    float wi = wv[i];
                    float d = gv[i];
                    if (decay) {
                        d = Math.fma(wd, wi, d);
                    }
                    if (buf != null) {
                        float b = first ? d : bv[i] * momentum + d;
                        bv[i] = b;
                        d = nesterov ? Math.fma(momentum, b, d) : b;
                    }
                    wv[i] = Math.fma(negLr, d, wi);
                }
            }
        }

        /** {@link #stepFloat} over float64 elements, through the indexers. */
        private static void stepDouble(DoubleIndexer w, DoubleIndexer g, DoubleIndexer buf, long n, boolean decay, double wd,
                                       boolean first, double momentum, boolean nesterov, double negLr) {
            for (long i = 0; i < n; i++) {
                double wi = w.get(i);
                double d = g.get(i);
                if (decay) {
                    d = Math.fma(wd, wi, d);
                }
                if (buf != null) {
                    double b = first ? d : buf.get(i) * momentum + d;
                    buf.put(i, b);
                    d = nesterov ? Math.fma(momentum, b, d) : b;
                }
                w.put(i, Math.fma(negLr, d, wi));
            }
        }

        /** A copy of the momentum buffers, {@code <param>/momentum}. */
        @Override
        public Map<String, INDArray> state() {
            Map<String, INDArray> out = new LinkedHashMap<>();
            buffers.forEach((name, buf) -> out.put(name + "/" + SLOT, buf.dup()));
            return Collections.unmodifiableMap(out);
        }

        @Override
        public void loadState(Map<String, INDArray> state) {
            if (config.momentum() == 0 && !state.isEmpty()) {
                throw new IllegalArgumentException("sgd without momentum keeps no state, but the state has keys "
                        + state.keySet());
            }
            Map<String, INDArray> loaded = new LinkedHashMap<>();
            for (var e : state.entrySet()) {
                String[] key = States.splitKey("sgd", e.getKey(), Set.of(SLOT));
                if (e.getValue() == null) {
                    throw new IllegalArgumentException("sgd state " + e.getKey() + " has no array");
                }
                loaded.put(key[0], e.getValue().dup());
            }
            buffers.clear();
            buffers.putAll(loaded);
        }
    }
}
