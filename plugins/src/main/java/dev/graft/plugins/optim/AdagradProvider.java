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
 * {@code adagrad}: Adagrad (Duchi, Hazan and Singer, 2011) with PyTorch's {@code torch.optim.Adagrad}
 * semantics. For each parameter {@code w} of a group with learning rate {@code lr} and weight decay
 * {@code wd}, at its own step {@code t = 1, 2, ...}:
 * <pre>
 * g   = grad + wd * w
 * clr = lr / (1 + (t - 1) * lr-decay)
 * sum = sum + g^2                               (sum starts at initial-accumulator)
 * w   = w - clr * g / (sqrt(sum) + eps)
 * </pre>
 * Each element's step shrinks as its squared gradients accumulate, so rarely updated elements keep
 * large steps. Frozen groups are skipped and do not advance {@code t}; parameters without a gradient
 * too. State per parameter: {@code <param>/sum} (the shape of the parameter) and
 * {@code <param>/step} (a scalar, {@code t}).
 */
public final class AdagradProvider implements OptimizerProvider<AdagradProvider.Config> {

    /** Options of {@code adagrad}. */
    public record Config(
            @Doc("learning rate, > 0") @Default("0.01") double lr,
            @Doc("learning-rate decay: step t uses lr / (1 + (t - 1) * lr-decay), >= 0") @Default("0.0") double lrDecay,
            @Doc("starting value of the sum of squared gradients, >= 0") @Default("0.0") double initialAccumulator,
            @Doc("term added to the denominator for stability, > 0") @Default("1e-10") double eps,
            @Doc("L2 penalty added to the gradient as weight-decay * w, >= 0") @Default("0.0") double weightDecay) {
        public Config {
            if (!(lr > 0) || Double.isInfinite(lr)) {
                throw new IllegalArgumentException("lr must be a finite positive number, got " + lr);
            }
            if (!(lrDecay >= 0) || Double.isInfinite(lrDecay)) {
                throw new IllegalArgumentException("lr-decay must be a finite number >= 0, got " + lrDecay);
            }
            if (!(initialAccumulator >= 0) || Double.isInfinite(initialAccumulator)) {
                throw new IllegalArgumentException("initial-accumulator must be a finite number >= 0, got " + initialAccumulator);
            }
            if (!(eps > 0) || Double.isInfinite(eps)) {
                throw new IllegalArgumentException("eps must be a finite positive number, got " + eps);
            }
            if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
                throw new IllegalArgumentException("weight-decay must be a finite number >= 0, got " + weightDecay);
            }
        }
    }

    public AdagradProvider() {
    }

    @Override
    public String id() {
        return "adagrad";
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
        return "Adagrad: per-element steps scaled by accumulated squared gradients (PyTorch Adagrad)";
    }

    @Override
    public Optimizer create(Config config) {
        return new Adagrad(id(), config);
    }

    private static final class Adagrad implements Optimizer {
        private static final Set<String> SLOTS = Set.of("sum", "step");
        private final String id;
        private final Config config;
        private final Map<String, Accumulator> sums = new LinkedHashMap<>();
        private final Flat scratch = new Flat();
        private final Flat.FloatWindows windows = new Flat.FloatWindows(3);

        private static final class Accumulator {
            INDArray sum;
            long t;

            Accumulator(INDArray sum, long t) {
                this.sum = sum;
                this.t = t;
            }
        }

        Adagrad(String id, Config config) {
            this.id = id;
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
            for (int gi = 0; gi < groups.size(); gi++) {
                ParamGroup group = groups.get(gi);
                if (group.frozen()) {
                    continue;
                }
                double wd = group.weightDecay();
                List<Param> params = group.params();
                for (int pi = 0; pi < params.size(); pi++) {
                    Param p = params.get(pi);
                    if (p.grad() == null) {
                        continue;
                    }
                    States.requireMatchingGrad(id, p);
                    DataType type = Flat.elementType(id, p);
                    Accumulator a = sums.get(p.name());
                    if (a == null) {
                        a = new Accumulator(Nd4j.valueArrayOf(p.value().shape(), config.initialAccumulator(), type), 0);
                        sums.put(p.name(), a);
                    } else {
                        a.sum = States.requireShapeOf(id, p, "sum", a.sum);
                    }
                    a.t++;
                    double clr = group.lr() / (1 + (a.t - 1) * config.lrDecay());
                    INDArray w = scratch.in(p, "value", p.value(), type);
                    INDArray g = scratch.in(p, "grad", p.grad(), type);
                    long n = w.length();
                    if (type == DataType.FLOAT) {
                        stepFloat(w, g, a.sum, n, wd != 0, (float) wd,
                                (float) config.eps(), (float) -clr);
                    } else {
                        stepDouble(Flat.doubles(w), Flat.doubles(g), Flat.doubles(a.sum), n, wd != 0, wd, config.eps(), -clr);
                    }
                    Flat.out(p.value(), w);
                }
            }
        }

        /**
         * One Adagrad step over float32 elements, rounded as torch.optim.Adagrad's in-place CPU kernels
         * round them ({@code fma(a, b, c)}: {@code a * b + c} rounded once): {@code g = fma(wd, w, g)},
         * {@code sum = fma(g, g, sum)}, {@code w = w + (-clr) * g / (sqrt(sum) + eps)}.
         */
        private void stepFloat(INDArray w, INDArray g, INDArray sum, long n, boolean decay, float wd, float eps, float negClr) {
            // through heap windows (Flat.FloatWindows) instead of element by element through the indexers
            windows.start(n);
            windows.bind(0, w, true, true);
            windows.bind(1, g, true, false);
            windows.bind(2, sum, true, true);
            float[] wv = windows.buffer(0);
            float[] gv = windows.buffer(1);
            float[] sv = windows.buffer(2);
            for (int m = windows.next(); m > 0; m = windows.next()) {
                for (int i = 0; i < m; i++) {
                    float wi = wv[i];
                    float gi = gv[i];
                    if (decay) {
                        gi = Math.fma(wd, wi, gi);
                    }
                    float si = Math.fma(gi, gi, sv[i]);
                    sv[i] = si;
                    float std = (float) Math.sqrt(si) + eps;
                    wv[i] = wi + negClr * gi / std;
                }
            }
        }

        /** {@link #stepFloat} over float64 elements. */
        private static void stepDouble(DoubleIndexer w, DoubleIndexer g, DoubleIndexer sum, long n, boolean decay, double wd, double eps,
                                       double negClr) {
            for (long i = 0; i < n; i++) {
                double wi = w.get(i);
                double gi = g.get(i);
                if (decay) {
                    gi = Math.fma(wd, wi, gi);
                }
                double si = Math.fma(gi, gi, sum.get(i));
                sum.put(i, si);
                double std = Math.sqrt(si) + eps;
                w.put(i, wi + negClr * gi / std);
            }
        }

        /** A copy of the sums and step counts: {@code <param>/sum}, {@code <param>/step}. */
        @Override
        public Map<String, INDArray> state() {
            Map<String, INDArray> out = new LinkedHashMap<>();
            sums.forEach((name, a) -> {
                out.put(name + "/sum", a.sum.dup());
                out.put(name + "/step", Nd4j.scalar(DataType.INT64, a.t));
            });
            return Collections.unmodifiableMap(out);
        }

        @Override
        public void loadState(Map<String, INDArray> state) {
            Map<String, Accumulator> loaded = new LinkedHashMap<>();
            for (var e : States.byParam(id, state, SLOTS, SLOTS).entrySet()) {
                Map<String, INDArray> slots = e.getValue();
                loaded.put(e.getKey(), new Accumulator(slots.get("sum").dup(), States.stepCount(id, e.getKey(), slots.get("step"))));
            }
            sums.clear();
            sums.putAll(loaded);
        }
    }
}
