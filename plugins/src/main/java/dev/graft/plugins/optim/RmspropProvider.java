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
        /** State by parameter name. */
        private final Map<String, Slots> state = new LinkedHashMap<>();
        private final Flat scratch = new Flat();
        private final Flat.FloatWindows windows = new Flat.FloatWindows(5);

        /** The state of one parameter; {@code gradAvg} only when centered, {@code momentum} only with momentum. */
        private static final class Slots {
            INDArray squareAvg;
            INDArray gradAvg;
            INDArray momentum;
        }

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

        /** The state of {@code p}: zeros the first time, else the saved arrays checked against the parameter. */
        private Slots stateOf(Param p, DataType type) {
            Slots s = state.get(p.name());
            if (s == null) {
                s = new Slots();
                s.squareAvg = Nd4j.zeros(type, p.value().shape());
                s.gradAvg = config.centered() ? Nd4j.zeros(type, p.value().shape()) : null;
                s.momentum = config.momentum() > 0 ? Nd4j.zeros(type, p.value().shape()) : null;
                state.put(p.name(), s);
            } else {
                s.squareAvg = States.requireShapeOf(id, p, SQUARE, s.squareAvg);
                if (s.gradAvg != null) {
                    s.gradAvg = States.requireShapeOf(id, p, GRAD, s.gradAvg);
                }
                if (s.momentum != null) {
                    s.momentum = States.requireShapeOf(id, p, MOMENTUM, s.momentum);
                }
            }
            return s;
        }

        @Override
        public void step(List<ParamGroup> groups, long step) {
            double alpha = config.alpha();
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
                    States.requireMatchingGrad(id, p);
                    DataType type = Flat.elementType(id, p);
                    Slots s = stateOf(p, type);
                    INDArray w = scratch.in(p, "value", p.value(), type);
                    INDArray g = scratch.in(p, "grad", p.grad(), type);
                    long n = w.length();
                    if (type == DataType.FLOAT) {
                        stepFloat(w, g, s.squareAvg, s.gradAvg, s.momentum,
                                n, wd != 0, (float) wd, (float) alpha, (float) (1 - alpha), (float) config.eps(),
                                (float) config.momentum(), (float) -lr);
                    } else {
                        stepDouble(Flat.doubles(w), Flat.doubles(g), Flat.doubles(s.squareAvg),
                                s.gradAvg == null ? null : Flat.doubles(s.gradAvg), s.momentum == null ? null : Flat.doubles(s.momentum),
                                n, wd != 0, wd, alpha, 1 - alpha, config.eps(), config.momentum(), -lr);
                    }
                    Flat.out(p.value(), w);
                }
            }
        }

        /**
         * One RMSprop step over float32 elements, rounded as torch.optim.RMSprop's in-place CPU kernels
         * round them ({@code fma(a, b, c)}: {@code a * b + c} rounded once): {@code g = fma(wd, w, g)},
         * {@code s = fma((1 - alpha) * g, g, s * alpha)}; centered {@code a = fma(1 - alpha, g, a * alpha)},
         * {@code d = sqrt(fma(-a, a, s)) + eps}, else {@code d = sqrt(s) + eps}; with momentum
         * {@code buf = buf * momentum + g / d}, {@code w = fma(-lr, buf, w)}, else
         * {@code w = w + (-lr) * g / d}. {@code a} is null when not centered, {@code buf} without momentum.
         */
        private void stepFloat(INDArray w, INDArray g, INDArray s, INDArray a, INDArray buf, long n,
                               boolean decay, float wd, float alpha, float oneMinusAlpha, float eps, float momentum,
                               float negLr) {
            // through heap windows (Flat.FloatWindows) instead of element by element through the indexers
            windows.start(n);
            windows.bind(0, w, true, true);
            windows.bind(1, g, true, false);
            windows.bind(2, s, true, true);
            windows.bind(3, a, true, true);
            windows.bind(4, buf, true, true);
            float[] wv = windows.buffer(0);
            float[] gv = windows.buffer(1);
            float[] sv = windows.buffer(2);
            float[] av = windows.buffer(3);
            float[] bv = windows.buffer(4);
            for (int m = windows.next(); m > 0; m = windows.next()) {
                for (int i = 0; i < m; i++) {
                    float wi = wv[i];
                    float gi = gv[i];
                    if (decay) {
                        gi = Math.fma(wd, wi, gi);
                    }
                    float si = Math.fma(oneMinusAlpha * gi, gi, sv[i] * alpha);
                    sv[i] = si;
                    float d;
                    if (a != null) {
                        float ai = Math.fma(oneMinusAlpha, gi, av[i] * alpha);
                        av[i] = ai;
                        d = (float) Math.sqrt(Math.fma(-ai, ai, si)) + eps;
                    } else {
                        d = (float) Math.sqrt(si) + eps;
                    }
                    if (buf != null) {
                        float b = bv[i] * momentum + gi / d;
                        bv[i] = b;
                        wv[i] = Math.fma(negLr, b, wi);
                    } else {
                        wv[i] = wi + negLr * gi / d;
                    }
                }
            }
        }

        /** {@link #stepFloat} over float64 elements. */
        private static void stepDouble(DoubleIndexer w, DoubleIndexer g, DoubleIndexer s, DoubleIndexer a, DoubleIndexer buf, long n,
                                       boolean decay, double wd, double alpha, double oneMinusAlpha, double eps, double momentum,
                                       double negLr) {
            for (long i = 0; i < n; i++) {
                double wi = w.get(i);
                double gi = g.get(i);
                if (decay) {
                    gi = Math.fma(wd, wi, gi);
                }
                double si = Math.fma(oneMinusAlpha * gi, gi, s.get(i) * alpha);
                s.put(i, si);
                double d;
                if (a != null) {
                    double ai = Math.fma(oneMinusAlpha, gi, a.get(i) * alpha);
                    a.put(i, ai);
                    d = Math.sqrt(Math.fma(-ai, ai, si)) + eps;
                } else {
                    d = Math.sqrt(si) + eps;
                }
                if (buf != null) {
                    double b = buf.get(i) * momentum + gi / d;
                    buf.put(i, b);
                    w.put(i, Math.fma(negLr, b, wi));
                } else {
                    w.put(i, wi + negLr * gi / d);
                }
            }
        }

        /** A copy of the running averages and momentum buffers, {@code <param>/<slot>}. */
        @Override
        public Map<String, INDArray> state() {
            Map<String, INDArray> out = new LinkedHashMap<>();
            state.forEach((name, s) -> {
                out.put(name + "/" + SQUARE, s.squareAvg.dup());
                if (s.gradAvg != null) {
                    out.put(name + "/" + GRAD, s.gradAvg.dup());
                }
                if (s.momentum != null) {
                    out.put(name + "/" + MOMENTUM, s.momentum.dup());
                }
            });
            return Collections.unmodifiableMap(out);
        }

        @Override
        public void loadState(Map<String, INDArray> saved) {
            Map<String, Slots> loaded = new LinkedHashMap<>();
            for (var e : States.byParam(id, saved, slots, slots).entrySet()) {
                Map<String, INDArray> arrays = e.getValue();
                Slots s = new Slots();
                s.squareAvg = arrays.get(SQUARE).dup();
                s.gradAvg = arrays.containsKey(GRAD) ? arrays.get(GRAD).dup() : null;
                s.momentum = arrays.containsKey(MOMENTUM) ? arrays.get(MOMENTUM).dup() : null;
                loaded.put(e.getKey(), s);
            }
            state.clear();
            state.putAll(loaded);
        }
    }
}
