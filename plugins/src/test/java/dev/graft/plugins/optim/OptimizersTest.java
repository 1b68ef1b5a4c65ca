package dev.graft.plugins.optim;

import dev.graft.api.optim.Optimizer;
import dev.graft.api.optim.Param;
import dev.graft.api.optim.ParamGroup;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** SGD and Adam against plain-Java references of PyTorch's formulas, frozen groups, state save/restore. */
class OptimizersTest {
    static final double[] W0 = {1.0, -2.0, 0.5};
    static final double[][] GRADS = {{0.5, -0.3, 0.0}, {0.1, 0.2, -0.7}, {-0.4, 0.6, 0.25}};

    /** Runs an optimizer for the given gradients on one parameter in one group; returns w after each step. */
    static double[][] run(Optimizer opt, double lr, double wd, double[] w0, double[][] grads) {
        INDArray w = Nd4j.createFromArray(w0.clone());
        double[][] after = new double[grads.length][];
        for (int s = 0; s < grads.length; s++) {
            Param p = new Param("fc.W", w, Nd4j.createFromArray(grads[s].clone()));
            opt.step(List.of(new ParamGroup("default", List.of(p), lr, wd, false)), s + 1);
            after[s] = w.toDoubleVector();
        }
        return after;
    }

    /** torch.optim.SGD (dampening 0), element by element. */
    static double[][] sgdReference(double lr, double momentum, boolean nesterov, double wd, double[] w0, double[][] grads) {
        double[] w = w0.clone();
        double[] buf = null;
        double[][] after = new double[grads.length][];
        for (int s = 0; s < grads.length; s++) {
            double[] d = new double[w.length];
            for (int i = 0; i < w.length; i++) {
                d[i] = grads[s][i] + wd * w[i];
            }
            double[] update = d;
            if (momentum != 0) {
                if (buf == null) {
                    buf = d.clone();
                } else {
                    for (int i = 0; i < w.length; i++) {
                        buf[i] = momentum * buf[i] + d[i];
                    }
                }
                update = new double[w.length];
                for (int i = 0; i < w.length; i++) {
                    update[i] = nesterov ? d[i] + momentum * buf[i] : buf[i];
                }
            }
            for (int i = 0; i < w.length; i++) {
                w[i] -= lr * update[i];
            }
            after[s] = w.clone();
        }
        return after;
    }

    /** torch.optim.Adam (no amsgrad), element by element. */
    static double[][] adamReference(double lr, double b1, double b2, double eps, double wd, double[] w0, double[][] grads) {
        double[] w = w0.clone();
        double[] m = new double[w.length];
        double[] v = new double[w.length];
        double[][] after = new double[grads.length][];
        for (int t = 1; t <= grads.length; t++) {
            for (int i = 0; i < w.length; i++) {
                double g = grads[t - 1][i] + wd * w[i];
                m[i] = b1 * m[i] + (1 - b1) * g;
                v[i] = b2 * v[i] + (1 - b2) * g * g;
                double mHat = m[i] / (1 - Math.pow(b1, t));
                double vHat = v[i] / (1 - Math.pow(b2, t));
                w[i] -= lr * mHat / (Math.sqrt(vHat) + eps);
            }
            after[t - 1] = w.clone();
        }
        return after;
    }

    static void assertSteps(double[][] actual, double[][] expected) {
        for (int s = 0; s < expected.length; s++) {
            assertThat(actual[s]).as("after step %d", s + 1).containsExactly(expected[s], within(1e-12));
        }
    }

    static Optimizer sgd(double lr, double momentum, boolean nesterov, double wd) {
        return new SgdProvider().create(new SgdProvider.Config(lr, momentum, nesterov, wd));
    }

    static Optimizer adam(double lr, double wd) {
        return new AdamProvider().create(new AdamProvider.Config(lr, 0.9, 0.999, 1e-8, wd));
    }

    @Test
    void sgdHandComputedSteps() {
        // plain: d = g + wd * w = [0.5 + 0.1, -0.3 - 0.2, 0 + 0.05]; w - 0.1 * d
        assertThat(run(sgd(0.1, 0, false, 0.1), 0.1, 0.1, W0, new double[][] {GRADS[0]})[0])
                .containsExactly(new double[] {0.94, -1.95, 0.495}, within(1e-15));
        // momentum 0.9: buf 0.5 -> w 0.95; buf 0.9 * 0.5 + 0.1 = 0.55 -> w 0.895
        double[][] w1 = {{1}};
        assertThat(run(sgd(0.1, 0.9, false, 0), 0.1, 0, w1[0], new double[][] {{0.5}, {0.1}})[1])
                .containsExactly(new double[] {0.895}, within(1e-15));
        // nesterov: u1 = 0.5 + 0.9 * 0.5 = 0.95 -> 0.905; u2 = 0.1 + 0.9 * 0.55 = 0.595 -> 0.8455
        assertThat(run(sgd(0.1, 0.9, true, 0), 0.1, 0, w1[0], new double[][] {{0.5}, {0.1}})[1])
                .containsExactly(new double[] {0.8455}, within(1e-15));
    }

    @Test
    void sgdMatchesTheReferenceForThreeSteps() {
        assertSteps(run(sgd(0.1, 0, false, 0), 0.1, 0, W0, GRADS), sgdReference(0.1, 0, false, 0, W0, GRADS));
        assertSteps(run(sgd(0.1, 0.9, false, 0.01), 0.1, 0.01, W0, GRADS), sgdReference(0.1, 0.9, false, 0.01, W0, GRADS));
        assertSteps(run(sgd(0.1, 0.8, true, 0.05), 0.1, 0.05, W0, GRADS), sgdReference(0.1, 0.8, true, 0.05, W0, GRADS));
    }

    @Test
    void sgdUsesTheGroupsLearningRateAndWeightDecay() {
        Optimizer opt = sgd(0.1, 0.9, false, 0.0);
        assertThat(opt.learningRate()).isEqualTo(0.1);
        assertThat(opt.weightDecay()).isEqualTo(0.0);
        assertSteps(run(opt, 0.03, 0.2, W0, GRADS), sgdReference(0.03, 0.9, false, 0.2, W0, GRADS));
    }

    @Test
    void adamHandComputedFirstStep() {
        // bias correction makes the first step lr * g / (|g| + eps): about lr * sign(g)
        double[] after = run(adam(0.1, 0), 0.1, 0, new double[] {1.0, 1.0}, new double[][] {{0.5, -2.0}})[0];
        assertThat(after).containsExactly(new double[] {1 - 0.1 * 0.5 / (0.5 + 1e-8), 1 + 0.1 * 2.0 / (2.0 + 1e-8)},
                within(1e-15));
    }

    @Test
    void adamMatchesTheReferenceForThreeSteps() {
        assertSteps(run(adam(0.01, 0), 0.01, 0, W0, GRADS), adamReference(0.01, 0.9, 0.999, 1e-8, 0, W0, GRADS));
        assertSteps(run(adam(0.001, 0.1), 0.05, 0.1, W0, GRADS), adamReference(0.05, 0.9, 0.999, 1e-8, 0.1, W0, GRADS));
        Optimizer custom = new AdamProvider().create(new AdamProvider.Config(0.02, 0.5, 0.9, 1e-3, 0));
        assertSteps(run(custom, 0.02, 0, W0, GRADS), adamReference(0.02, 0.5, 0.9, 1e-3, 0, W0, GRADS));
    }

    @Test
    void frozenGroupsAreUntouchedAndKeepNoState() {
        for (Optimizer opt : List.of(sgd(0.1, 0.9, false, 0.1), adam(0.1, 0.1))) {
            INDArray frozen = Nd4j.createFromArray(1.0, 2.0);
            INDArray live = Nd4j.createFromArray(1.0, 2.0);
            INDArray grad = Nd4j.createFromArray(0.5, 0.5);
            List<ParamGroup> groups = List.of(
                    new ParamGroup("backbone", List.of(new Param("enc.W", frozen, grad.dup())), 0.1, 0.1, true),
                    new ParamGroup("default", List.of(new Param("head.W", live, grad.dup())), 0.1, 0.1, false));
            opt.step(groups, 1);
            opt.step(groups, 2);
            assertThat(frozen.toDoubleVector()).containsExactly(1.0, 2.0);
            assertThat(live.toDoubleVector()).doesNotContain(1.0, 2.0);
            assertThat(opt.state().keySet()).allMatch(k -> k.startsWith("head.W/"));
        }
    }

    @Test
    void parametersAreUpdatedInPlace() {
        INDArray w = Nd4j.createFromArray(1.0f, 2.0f);
        INDArray same = w;
        sgd(0.5, 0, false, 0).step(List.of(new ParamGroup("default",
                List.of(new Param("p", w, Nd4j.createFromArray(1.0f, 1.0f))), 0.5, 0, false)), 1);
        assertThat(same.toFloatVector()).containsExactly(0.5f, 1.5f);
        assertThat(w.dataType()).isEqualTo(DataType.FLOAT);
    }

    @Test
    void stateKeysAndShapes() {
        Optimizer s = sgd(0.1, 0.9, false, 0);
        run(s, 0.1, 0, W0, GRADS);
        assertThat(s.state()).containsOnlyKeys("fc.W/momentum");
        assertThat(s.state().get("fc.W/momentum").shape()).containsExactly(3);
        assertThat(sgd(0.1, 0, false, 0).state()).isEmpty();

        Optimizer a = adam(0.1, 0);
        run(a, 0.1, 0, W0, GRADS);
        assertThat(a.state()).containsOnlyKeys("fc.W/m", "fc.W/v", "fc.W/step");
        assertThat(a.state().get("fc.W/step").getDouble(0)).isEqualTo(3.0);
    }

    @Test
    void restoredStateContinuesIdentically() {
        for (boolean useAdam : new boolean[] {false, true}) {
            Optimizer first = useAdam ? adam(0.05, 0.01) : sgd(0.1, 0.9, true, 0.01);
            Optimizer uninterrupted = useAdam ? adam(0.05, 0.01) : sgd(0.1, 0.9, true, 0.01);
            double[][] all = run(uninterrupted, 0.05, 0.01, W0, GRADS);
            double[][] two = run(first, 0.05, 0.01, W0, new double[][] {GRADS[0], GRADS[1]});
            Map<String, INDArray> saved = first.state();

            Optimizer resumed = useAdam ? adam(0.05, 0.01) : sgd(0.1, 0.9, true, 0.01);
            resumed.loadState(saved);
            double[][] third = run(resumed, 0.05, 0.01, two[1], new double[][] {GRADS[2]});
            assertThat(third[0]).as(useAdam ? "adam" : "sgd").containsExactly(all[2], within(1e-15));
            // the saved copy is a snapshot: stepping the original does not change it
            run(first, 0.05, 0.01, two[1], new double[][] {GRADS[2]});
            assertThat(saved.values()).allSatisfy(a -> assertThat(a).isNotNull());
        }
    }

    @Test
    void loadStateRejectsWhatDoesNotFit() {
        assertThatThrownBy(() -> sgd(0.1, 0.9, false, 0).loadState(Map.of("fc.W/velocity", Nd4j.zeros(3))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("sgd state key 'fc.W/velocity' is not <parameter>/<slot> with a slot in [momentum]");
        assertThatThrownBy(() -> sgd(0.1, 0, false, 0).loadState(Map.of("fc.W/momentum", Nd4j.zeros(3))))
                .hasMessage("sgd without momentum keeps no state, but the state has keys [fc.W/momentum]");
        assertThatThrownBy(() -> adam(0.1, 0).loadState(Map.of("fc.W/m", Nd4j.zeros(3), "fc.W/step", Nd4j.scalar(1.0))))
                .hasMessage("adam state for fc.W needs fc.W/m, fc.W/v and fc.W/step, got [fc.W/m, fc.W/step]");
        assertThatThrownBy(() -> adam(0.1, 0).loadState(
                Map.of("fc.W/m", Nd4j.zeros(3), "fc.W/v", Nd4j.zeros(2), "fc.W/step", Nd4j.scalar(1.0))))
                .hasMessage("adam state fc.W/m has shape [3] but fc.W/v has shape [2]");
        assertThatThrownBy(() -> adam(0.1, 0).loadState(
                Map.of("fc.W/m", Nd4j.zeros(3), "fc.W/v", Nd4j.zeros(3), "fc.W/step", Nd4j.scalar(1.5))))
                .hasMessage("adam state fc.W/step must be a scalar whole number >= 0, got 1.5");

        Optimizer opt = sgd(0.1, 0.9, false, 0);
        Map<String, INDArray> wrongShape = new HashMap<>();
        wrongShape.put("fc.W/momentum", Nd4j.zeros(DataType.DOUBLE, 2));
        opt.loadState(wrongShape);
        assertThatThrownBy(() -> run(opt, 0.1, 0, W0, GRADS))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("sgd state fc.W/momentum has shape [2] but parameter fc.W has shape [3];"
                        + " the saved optimizer state does not belong to this model");
    }

    @Test
    void configsAreValidated() {
        assertThatThrownBy(() -> new SgdProvider.Config(0, 0, false, 0)).hasMessage("lr must be a finite positive number, got 0.0");
        assertThatThrownBy(() -> new SgdProvider.Config(0.1, 1, false, 0)).hasMessage("momentum must be in [0, 1), got 1.0");
        assertThatThrownBy(() -> new SgdProvider.Config(0.1, 0, true, 0)).hasMessage("nesterov = true needs momentum > 0");
        assertThatThrownBy(() -> new SgdProvider.Config(0.1, 0, false, -1))
                .hasMessage("weight-decay must be a finite number >= 0, got -1.0");
        assertThatThrownBy(() -> new AdamProvider.Config(0.1, 0.9, 1.0, 1e-8, 0)).hasMessage("beta2 must be in [0, 1), got 1.0");
        assertThatThrownBy(() -> new AdamProvider.Config(0.1, 0.9, 0.999, 0, 0))
                .hasMessage("eps must be a finite positive number, got 0.0");
    }
}
