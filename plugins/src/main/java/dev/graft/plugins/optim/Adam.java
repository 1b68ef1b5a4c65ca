package dev.graft.plugins.optim;

import dev.graft.api.optim.Optimizer;
import dev.graft.api.optim.Param;
import dev.graft.api.optim.ParamGroup;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Adam update shared by {@code adam} (weight decay as an L2 term in the gradient) and {@code adamw}
 * (decoupled weight decay, applied to the weights before the update). State per parameter:
 * {@code <param>/m}, {@code <param>/v} and {@code <param>/step}.
 */
final class Adam implements Optimizer {
    private static final Set<String> SLOTS = Set.of("m", "v", "step");
    private final String id;
    private final double lr;
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final boolean decoupled;
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

    Adam(String id, double lr, double beta1, double beta2, double eps, double weightDecay, boolean decoupled) {
        this.id = id;
        this.lr = lr;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.decoupled = decoupled;
    }

    @Override
    public double learningRate() {
        return lr;
    }

    @Override
    public double weightDecay() {
        return weightDecay;
    }

    @Override
    public void step(List<ParamGroup> groups, long step) {
        for (ParamGroup group : groups) {
            if (group.frozen()) {
                continue;
            }
            double wd = group.weightDecay();
            for (Param p : group.params()) {
                if (p.grad() == null) {
                    continue;
                }
                States.requireMatchingGrad(id, p);
                INDArray w = p.value();
                INDArray g = p.grad();
                if (wd != 0) {
                    if (decoupled) {
                        w.muli(1 - group.lr() * wd);
                    } else {
                        g = g.add(w.mul(wd));
                    }
                }
                Moments s = moments.get(p.name());
                if (s == null) {
                    s = new Moments(Nd4j.zeros(w.dataType(), w.shape()), Nd4j.zeros(w.dataType(), w.shape()), 0);
                    moments.put(p.name(), s);
                } else {
                    s.m = States.requireShapeOf(id, p.name() + "/m", s.m, p);
                    s.v = States.requireShapeOf(id, p.name() + "/v", s.v, p);
                }
                s.t++;
                s.m.muli(beta1).addi(g.mul(1 - beta1));
                s.v.muli(beta2).addi(g.mul(g).muli(1 - beta2));
                double biasCorrection1 = 1 - Math.pow(beta1, s.t);
                double biasCorrection2 = 1 - Math.pow(beta2, s.t);
                INDArray denominator = Transforms.sqrt(s.v, true).divi(Math.sqrt(biasCorrection2)).addi(eps);
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
        Map<String, Moments> loaded = new LinkedHashMap<>();
        for (var e : States.byParam(id, state, SLOTS, SLOTS).entrySet()) {
            String name = e.getKey();
            Map<String, INDArray> slots = e.getValue();
            INDArray m = slots.get("m");
            INDArray v = slots.get("v");
            if (!Arrays.equals(m.shape(), v.shape())) {
                throw new IllegalArgumentException(id + " state " + name + "/m has shape " + Arrays.toString(m.shape())
                        + " but " + name + "/v has shape " + Arrays.toString(v.shape()));
            }
            loaded.put(name, new Moments(m.dup(), v.dup(), States.stepCount(id, name, slots.get("step"))));
        }
        moments.clear();
        moments.putAll(loaded);
    }
}
