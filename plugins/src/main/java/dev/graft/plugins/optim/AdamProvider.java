package dev.graft.plugins.optim;

import dev.graft.api.GraftApi;
import dev.graft.api.config.Default;
import dev.graft.api.config.Doc;
import dev.graft.api.optim.Optimizer;
import dev.graft.api.optim.OptimizerProvider;
import dev.graft.api.optim.Param;
import dev.graft.api.optim.ParamGroup;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.List;

/**
 * {@code adam}: Adam (Kingma and Ba, 2015) with PyTorch's {@code torch.optim.Adam} semantics
 * (weight decay as an L2 term added to the gradient, not AdamW; no AMSGrad). For each parameter
 * {@code w} of a group with learning rate {@code lr} and weight decay {@code wd}, at its own step
 * {@code t = 1, 2, ...}:
 * <pre>
 * g = grad + wd * w
 * m = beta1 * m + (1 - beta1) * g
 * v = beta2 * v + (1 - beta2) * g^2
 * w = w - (lr / (1 - beta1^t)) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
 * </pre>
 * Frozen groups are skipped and do not advance {@code t}; parameters without a gradient too. State
 * per parameter: {@code <param>/m}, {@code <param>/v} (the shape of the parameter) and
 * {@code <param>/step} (a scalar, {@code t}).
 */
public final class AdamProvider implements OptimizerProvider<AdamProvider.Config> {

    /** Options of {@code adam}. */
    public record Config(
            @Doc("learning rate, > 0") @Default("0.001") double lr,
            @Doc("decay rate of the first-moment estimate, in [0, 1)") @Default("0.9") double beta1,
            @Doc("decay rate of the second-moment estimate, in [0, 1)") @Default("0.999") double beta2,
            @Doc("term added to the denominator for stability, > 0") @Default("1e-8") double eps,
            @Doc("L2 penalty added to the gradient as weight-decay * w, >= 0") @Default("0.0") double weightDecay) {
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

    public AdamProvider() {
    }

    @Override
    public String id() {
        return "adam";
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
        return "Adam with bias correction and L2 weight decay (PyTorch Adam)";
    }

    @Override
    public Optimizer create(Config config) {
        return new Adam(config);
    }

    private static final class Adam implements Optimizer {
        private static final Set<String> SLOTS = Set.of("m", "v", "step");
        private final Config config;
        private final Map<String, Moments> moments = new LinkedHashMap<>();

        /** The state of one parameter. */
        private static final class Moments {
            INDArray m;
            INDArray v;
            long t;

            Moments(INDArray m, INDArray v, long t) {
                this.m = m;
                this.v = v;
                this.t = t;
            }
        }

        Adam(Config config) {
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
            double b1 = config.beta1();
            double b2 = config.beta2();
            for (ParamGroup group : groups) {
                if (group.frozen()) {
                    continue;
                }
                for (Param p : group.params()) {
                    if (p.grad() == null) {
                        continue;
                    }
                    States.requireMatchingGrad("adam", p);
                    INDArray w = p.value();
                    INDArray g = group.weightDecay() != 0 ? p.grad().add(w.mul(group.weightDecay())) : p.grad();
                    Moments s = moments.get(p.name());
                    if (s == null) {
                        s = new Moments(Nd4j.zeros(w.dataType(), w.shape()), Nd4j.zeros(w.dataType(), w.shape()), 0);
                        moments.put(p.name(), s);
                    } else {
                        s.m = States.requireShapeOf("adam", p.name() + "/m", s.m, p);
                        s.v = States.requireShapeOf("adam", p.name() + "/v", s.v, p);
                    }
                    s.t++;
                    s.m.muli(b1).addi(g.mul(1 - b1));
                    s.v.muli(b2).addi(g.mul(g).muli(1 - b2));
                    double biasCorrection1 = 1 - Math.pow(b1, s.t);
                    double biasCorrection2 = 1 - Math.pow(b2, s.t);
                    INDArray denominator = Transforms.sqrt(s.v, true).divi(Math.sqrt(biasCorrection2)).addi(config.eps());
                    w.subi(s.m.div(denominator).muli(group.lr() / biasCorrection1));
                }
            }
        }

        /** A copy of the moments and step counts: {@code <param>/m}, {@code <param>/v}, {@code <param>/step}. */
        @Override
        public Map<String, INDArray> state() {
            Map<String, INDArray> out = new LinkedHashMap<>();
            moments.forEach((name, s) -> {
                out.put(name + "/m", s.m.dup());
                out.put(name + "/v", s.v.dup());
                out.put(name + "/step", Nd4j.scalar(DataType.INT64, s.t));
            });
            return Collections.unmodifiableMap(out);
        }

        @Override
        public void loadState(Map<String, INDArray> state) {
            Map<String, Map<String, INDArray>> byParam = new TreeMap<>();
            for (var e : state.entrySet()) {
                String[] key = States.splitKey("adam", e.getKey(), SLOTS);
                if (e.getValue() == null) {
                    throw new IllegalArgumentException("adam state " + e.getKey() + " has no array");
                }
                byParam.computeIfAbsent(key[0], k -> new LinkedHashMap<>()).put(key[1], e.getValue());
            }
            Map<String, Moments> loaded = new LinkedHashMap<>();
            for (var e : byParam.entrySet()) {
                String name = e.getKey();
                Map<String, INDArray> slots = e.getValue();
                if (!slots.keySet().equals(SLOTS)) {
                    throw new IllegalArgumentException("adam state for " + name + " needs " + name + "/m, " + name
                            + "/v and " + name + "/step, got " + slots.keySet().stream().map(s -> name + "/" + s).sorted().toList());
                }
                INDArray m = slots.get("m");
                INDArray v = slots.get("v");
                if (!Arrays.equals(m.shape(), v.shape())) {
                    throw new IllegalArgumentException("adam state " + name + "/m has shape " + Arrays.toString(m.shape())
                            + " but " + name + "/v has shape " + Arrays.toString(v.shape()));
                }
                INDArray stepArray = slots.get("step");
                double t = stepArray.length() == 1 ? stepArray.getDouble(0) : Double.NaN;
                if (!(t >= 0) || t != Math.rint(t)) {
                    throw new IllegalArgumentException("adam state " + name + "/step must be a scalar whole number >= 0, got "
                            + (stepArray.length() == 1 ? String.valueOf(stepArray.getDouble(0)) : "shape " + Arrays.toString(stepArray.shape())));
                }
                loaded.put(name, new Moments(m.dup(), v.dup(), (long) t));
            }
            moments.clear();
            moments.putAll(loaded);
        }
    }
}
