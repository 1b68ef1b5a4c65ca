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

/**
 * SGD, Adam, AdamW, RMSprop and Adagrad against plain-Java references of PyTorch's formulas
 * (torch/optim/*.py, single-tensor code paths), frozen groups, state save/restore.
 */
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

    /** torch.optim.AdamW (no amsgrad): decay the weights, then the Adam step on the raw gradient. */
    static double[][] adamwReference(double lr, double b1, double b2, double eps, double wd, double[] w0, double[][] grads) {
        double[] w = w0.clone();
        double[] m = new double[w.length];
        double[] v = new double[w.length];
        double[][] after = new double[grads.length][];
        for (int t = 1; t <= grads.length; t++) {
            for (int i = 0; i < w.length; i++) {
                w[i] *= 1 - lr * wd;
                double g = grads[t - 1][i];
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

    /** torch.optim.RMSprop, element by element. */
    static double[][] rmspropReference(double lr, double alpha, double eps, double momentum, boolean centered, double wd,
                                       double[] w0, double[][] grads) {
        double[] w = w0.clone();
        double[] sq = new double[w.length];
        double[] ga = new double[w.length];
        double[] buf = new double[w.length];
        double[][] after = new double[grads.length][];
        for (int t = 1; t <= grads.length; t++) {
            for (int i = 0; i < w.length; i++) {
                double g = grads[t - 1][i] + wd * w[i];
                sq[i] = alpha * sq[i] + (1 - alpha) * g * g;
                double avg;
                if (centered) {
                    ga[i] = alpha * ga[i] + (1 - alpha) * g;
                    avg = Math.sqrt(sq[i] - ga[i] * ga[i]) + eps;
                } else {
                    avg = Math.sqrt(sq[i]) + eps;
                }
                if (momentum > 0) {
                    buf[i] = momentum * buf[i] + g / avg;
                    w[i] -= lr * buf[i];
                } else {
                    w[i] -= lr * g / avg;
                }
            }
            after[t - 1] = w.clone();
        }
        return after;
    }

    /** torch.optim.Adagrad, element by element. */
    static double[][] adagradReference(double lr, double lrDecay, double init, double eps, double wd, double[] w0,
                                       double[][] grads) {
        double[] w = w0.clone();
        double[] sum = new double[w.length];
        java.util.Arrays.fill(sum, init);
        double[][] after = new double[grads.length][];
        for (int t = 1; t <= grads.length; t++) {
            double clr = lr / (1 + (t - 1) * lrDecay);
            for (int i = 0; i < w.length; i++) {
                double g = grads[t - 1][i] + wd * w[i];
                sum[i] += g * g;
                w[i] -= clr * g / (Math.sqrt(sum[i]) + eps);
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

    static Optimizer adamw(double lr, double wd) {
        return new AdamWProvider().create(new AdamWProvider.Config(lr, 0.9, 0.999, 1e-8, wd));
    }

    static Optimizer rmsprop(double lr, double alpha, double eps, double momentum, boolean centered, double wd) {
        return new RmspropProvider().create(new RmspropProvider.Config(lr, alpha, eps, momentum, centered, wd));
    }

    static Optimizer adagrad(double lr, double lrDecay, double init, double eps, double wd) {
        return new AdagradProvider().create(new AdagradProvider.Config(lr, lrDecay, init, eps, wd));
    }

    /** One of each optimizer, all with state, for the shared checks; each entry is built anew on every call. */
    static Map<String, java.util.function.Supplier<Optimizer>> withState() {
        Map<String, java.util.function.Supplier<Optimizer>> all = new java.util.LinkedHashMap<>();
        all.put("sgd", () -> sgd(0.1, 0.9, true, 0.01));
        all.put("adam", () -> adam(0.05, 0.01));
        all.put("adamw", () -> adamw(0.05, 0.01));
        all.put("rmsprop", () -> rmsprop(0.05, 0.9, 1e-8, 0.5, true, 0.01));
        all.put("rmsprop plain", () -> rmsprop(0.05, 0.99, 1e-8, 0, false, 0));
        all.put("adagrad", () -> adagrad(0.05, 0.1, 0.2, 1e-10, 0.01));
        return all;
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
        for (Optimizer opt : withState().values().stream().map(java.util.function.Supplier::get).toList()) {
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
        for (var e : withState().entrySet()) {
            Optimizer first = e.getValue().get();
            double[][] all = run(e.getValue().get(), 0.05, 0.01, W0, GRADS);
            double[][] two = run(first, 0.05, 0.01, W0, new double[][] {GRADS[0], GRADS[1]});
            Map<String, INDArray> saved = first.state();
            Map<String, double[]> snapshot = new HashMap<>();
            saved.forEach((k, v) -> snapshot.put(k, v.toDoubleVector()));

            Optimizer resumed = e.getValue().get();
            resumed.loadState(saved);
            double[][] third = run(resumed, 0.05, 0.01, two[1], new double[][] {GRADS[2]});
            assertThat(third[0]).as(e.getKey()).containsExactly(all[2], within(1e-15));
            // the saved copy is a snapshot: stepping the original or the resumed one does not change it
            run(first, 0.05, 0.01, two[1], new double[][] {GRADS[2]});
            saved.forEach((k, v) -> assertThat(v.toDoubleVector()).as(e.getKey() + " " + k).containsExactly(snapshot.get(k)));
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
    void adamwHandComputedFirstStep() {
        // w = 1 * (1 - 0.1 * 0.5) = 0.95, then the Adam step of about lr * sign(g) = 0.1
        double[] after = run(adamw(0.1, 0.5), 0.1, 0.5, new double[] {1.0}, new double[][] {{0.5}})[0];
        assertThat(after).containsExactly(new double[] {0.95 - 0.1 * 0.5 / (0.5 + 1e-8)}, within(1e-15));
    }

    @Test
    void adamwMatchesTheReferenceForThreeSteps() {
        assertSteps(run(adamw(0.01, 0.01), 0.01, 0.01, W0, GRADS), adamwReference(0.01, 0.9, 0.999, 1e-8, 0.01, W0, GRADS));
        // the group's rate and decay win over the config's
        assertSteps(run(adamw(0.001, 0.01), 0.05, 0.2, W0, GRADS), adamwReference(0.05, 0.9, 0.999, 1e-8, 0.2, W0, GRADS));
        Optimizer custom = new AdamWProvider().create(new AdamWProvider.Config(0.02, 0.5, 0.9, 1e-3, 0));
        assertSteps(run(custom, 0.02, 0, W0, GRADS), adamReference(0.02, 0.5, 0.9, 1e-3, 0, W0, GRADS));
        // with decay, adamw and adam differ
        assertThat(run(adamw(0.05, 0.1), 0.05, 0.1, W0, GRADS)[2][0]).isNotCloseTo(run(adam(0.05, 0.1), 0.05, 0.1, W0, GRADS)[2][0],
                within(1e-6));
    }

    @Test
    void rmspropHandComputedFirstStep() {
        // s = (1 - 0.99) * 0.25 = 0.0025, sqrt 0.05; w = 1 - 0.01 * 0.5 / (0.05 + 1e-8)
        double[] after = run(rmsprop(0.01, 0.99, 1e-8, 0, false, 0), 0.01, 0, new double[] {1.0}, new double[][] {{0.5}})[0];
        assertThat(after).containsExactly(new double[] {1 - 0.01 * 0.5 / (0.05 + 1e-8)}, within(1e-15));
        // centered: a = 0.005, s - a^2 = 0.0025 - 0.000025 = 0.002475
        double[] centered = run(rmsprop(0.01, 0.99, 1e-8, 0, true, 0), 0.01, 0, new double[] {1.0}, new double[][] {{0.5}})[0];
        assertThat(centered).containsExactly(new double[] {1 - 0.01 * 0.5 / (Math.sqrt(0.002475) + 1e-8)}, within(1e-15));
    }

    @Test
    void rmspropMatchesTheReferenceForThreeSteps() {
        for (boolean centered : new boolean[] {false, true}) {
            for (double momentum : new double[] {0, 0.9}) {
                String as = "centered " + centered + ", momentum " + momentum;
                Optimizer opt = rmsprop(0.01, 0.99, 1e-8, momentum, centered, 0);
                double[][] expected = rmspropReference(0.01, 0.99, 1e-8, momentum, centered, 0, W0, GRADS);
                double[][] actual = run(opt, 0.01, 0, W0, GRADS);
                for (int s = 0; s < 3; s++) {
                    assertThat(actual[s]).as(as + ", step " + (s + 1)).containsExactly(expected[s], within(1e-12));
                }
            }
        }
        assertSteps(run(rmsprop(0.01, 0.9, 1e-6, 0.5, true, 0.0), 0.03, 0.1, W0, GRADS),
                rmspropReference(0.03, 0.9, 1e-6, 0.5, true, 0.1, W0, GRADS));
        Optimizer defaults = new RmspropProvider().create(new RmspropProvider.Config(0.01, 0.99, 1e-8, 0, false, 0));
        assertThat(defaults.learningRate()).isEqualTo(0.01);
        assertThat(defaults.weightDecay()).isEqualTo(0.0);
    }

    @Test
    void adagradHandComputedSteps() {
        // sum = 0.25 -> w = 1 - 0.1 * 0.5 / 0.5 = 0.9; step 2, lr-decay 1: clr = 0.05, sum = 0.25 + 0.01, g = 0.1
        double[][] after = run(adagrad(0.1, 1.0, 0, 1e-10, 0), 0.1, 0, new double[] {1.0}, new double[][] {{0.5}, {0.1}});
        assertThat(after[0]).containsExactly(new double[] {1 - 0.1 * 0.5 / (0.5 + 1e-10)}, within(1e-15));
        assertThat(after[1]).containsExactly(new double[] {after[0][0] - 0.05 * 0.1 / (Math.sqrt(0.26) + 1e-10)}, within(1e-15));
    }

    @Test
    void adagradMatchesTheReferenceForThreeSteps() {
        assertSteps(run(adagrad(0.01, 0, 0, 1e-10, 0), 0.01, 0, W0, GRADS), adagradReference(0.01, 0, 0, 1e-10, 0, W0, GRADS));
        assertSteps(run(adagrad(0.01, 0.5, 0.1, 1e-10, 0), 0.2, 0.05, W0, GRADS),
                adagradReference(0.2, 0.5, 0.1, 1e-10, 0.05, W0, GRADS));
        // a zero gradient on a zero accumulator moves nothing (eps keeps 0 / 0 away)
        assertThat(run(adagrad(0.1, 0, 0, 1e-10, 0), 0.1, 0, new double[] {3.0}, new double[][] {{0.0}})[0])
                .containsExactly(3.0);
    }

    /**
     * The plain-Java references agree with PyTorch 1.13 itself, float64, on W0 and GRADS:
     * <pre>
     * w = torch.tensor([1.0, -2.0, 0.5], dtype=torch.float64, requires_grad=True); opt = ...([w])
     * for g in [[0.5, -0.3, 0.0], [0.1, 0.2, -0.7], [-0.4, 0.6, 0.25]]:
     *     w.grad = torch.tensor(g, dtype=torch.float64); opt.step(); print(w.tolist())
     * </pre>
     */
    @Test
    void newOptimizersMatchPyTorch() {
        // torch.optim.AdamW(lr=0.01, weight_decay=0.01)
        assertSteps(run(adamw(0.01, 0.01), 0.01, 0.01, W0, GRADS), new double[][] {
                {0.9899000002, -1.9898000003333334, 0.49995},
                {0.9817706006384452, -1.9881558150928265, 0.5073413730853691},
                {0.9807354295757373, -1.9928587123461305, 0.5105579032439744}});
        // torch.optim.RMSprop(lr=0.01, alpha=0.99, momentum=0.9, centered=True)
        assertSteps(run(rmsprop(0.01, 0.99, 1e-8, 0.9, true, 0), 0.01, 0, W0, GRADS), new double[][] {
                {0.899496238676095, -1.8994962521441012, 0.5},
                {0.7891993903633998, -1.8647261926874852, 0.6005037670959088},
                {0.7520566322263916, -1.9195642106807216, 0.6571126778810534}});
        // torch.optim.Adagrad(lr=0.2, lr_decay=0.5, initial_accumulator_value=0.1, weight_decay=0.05)
        assertSteps(run(adagrad(0.2, 0.5, 0.1, 1e-10, 0.05), 0.2, 0.05, W0, GRADS), new double[][] {
                {0.826615710654727, -1.843107091920222, 0.48423779188018695},
                {0.7976239016375832, -1.870696862093428, 0.6049355169787896},
                {0.8460872426888307, -1.9403877666944356, 0.5697906161582705}});
    }

    @Test
    void newOptimizersStateKeys() {
        Optimizer w = adamw(0.1, 0.01);
        run(w, 0.1, 0.01, W0, GRADS);
        assertThat(w.state()).containsOnlyKeys("fc.W/m", "fc.W/v", "fc.W/step");
        assertThat(w.state().get("fc.W/step").getDouble(0)).isEqualTo(3.0);

        Optimizer plain = rmsprop(0.01, 0.99, 1e-8, 0, false, 0);
        run(plain, 0.01, 0, W0, GRADS);
        assertThat(plain.state()).containsOnlyKeys("fc.W/square_avg");
        Optimizer full = rmsprop(0.01, 0.99, 1e-8, 0.9, true, 0);
        run(full, 0.01, 0, W0, GRADS);
        assertThat(full.state()).containsOnlyKeys("fc.W/square_avg", "fc.W/grad_avg", "fc.W/momentum");
        assertThat(full.state().get("fc.W/grad_avg").shape()).containsExactly(3);

        Optimizer a = adagrad(0.1, 0, 0.5, 1e-10, 0);
        run(a, 0.1, 0, W0, GRADS);
        assertThat(a.state()).containsOnlyKeys("fc.W/sum", "fc.W/step");
        assertThat(a.state().get("fc.W/step").getDouble(0)).isEqualTo(3.0);
    }

    @Test
    void newOptimizersRejectStateThatDoesNotFit() {
        assertThatThrownBy(() -> rmsprop(0.01, 0.99, 1e-8, 0, false, 0).loadState(Map.of("fc.W/momentum", Nd4j.zeros(3))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("rmsprop state key 'fc.W/momentum' is not <parameter>/<slot> with a slot in [square_avg]");
        assertThatThrownBy(() -> rmsprop(0.01, 0.99, 1e-8, 0, true, 0).loadState(Map.of("fc.W/square_avg", Nd4j.zeros(3))))
                .hasMessage("rmsprop state for fc.W needs fc.W/grad_avg and fc.W/square_avg, got [fc.W/square_avg]");
        assertThatThrownBy(() -> adagrad(0.1, 0, 0, 1e-10, 0).loadState(Map.of("fc.W/sum", Nd4j.zeros(3))))
                .hasMessage("adagrad state for fc.W needs fc.W/sum and fc.W/step, got [fc.W/sum]");
        assertThatThrownBy(() -> adagrad(0.1, 0, 0, 1e-10, 0).loadState(Map.of("fc.W/sum", Nd4j.zeros(3), "fc.W/step", Nd4j.scalar(-1.0))))
                .hasMessage("adagrad state fc.W/step must be a scalar whole number >= 0, got -1.0");
        assertThatThrownBy(() -> adamw(0.1, 0).loadState(Map.of("fc.W/m", Nd4j.zeros(3), "fc.W/v", Nd4j.zeros(2),
                "fc.W/step", Nd4j.scalar(1.0))))
                .hasMessage("adamw state fc.W/m has shape [3] but fc.W/v has shape [2]");

        Optimizer opt = adagrad(0.1, 0, 0, 1e-10, 0);
        opt.loadState(Map.of("fc.W/sum", Nd4j.zeros(DataType.DOUBLE, 2), "fc.W/step", Nd4j.scalar(1.0)));
        assertThatThrownBy(() -> run(opt, 0.1, 0, W0, GRADS))
                .hasMessage("adagrad state fc.W/sum has shape [2] but parameter fc.W has shape [3];"
                        + " the saved optimizer state does not belong to this model");
    }

    @Test
    void configsAreValidated() {
        assertThatThrownBy(() -> new AdamWProvider.Config(0.1, 1.0, 0.999, 1e-8, 0)).hasMessage("beta1 must be in [0, 1), got 1.0");
        assertThatThrownBy(() -> new AdamWProvider.Config(0.1, 0.9, 0.999, 1e-8, -0.1))
                .hasMessage("weight-decay must be a finite number >= 0, got -0.1");
        assertThatThrownBy(() -> new RmspropProvider.Config(0.01, 1.0, 1e-8, 0, false, 0)).hasMessage("alpha must be in [0, 1), got 1.0");
        assertThatThrownBy(() -> new RmspropProvider.Config(0.01, 0.99, 1e-8, -0.5, false, 0))
                .hasMessage("momentum must be in [0, 1), got -0.5");
        assertThatThrownBy(() -> new RmspropProvider.Config(-1, 0.99, 1e-8, 0, false, 0))
                .hasMessage("lr must be a finite positive number, got -1.0");
        assertThatThrownBy(() -> new AdagradProvider.Config(0.01, -1, 0, 1e-10, 0)).hasMessage("lr-decay must be a finite number >= 0, got -1.0");
        assertThatThrownBy(() -> new AdagradProvider.Config(0.01, 0, -1, 1e-10, 0))
                .hasMessage("initial-accumulator must be a finite number >= 0, got -1.0");
        assertThatThrownBy(() -> new AdagradProvider.Config(0.01, 0, 0, 0, 0)).hasMessage("eps must be a finite positive number, got 0.0");
    }

    @Test
    void oldConfigsAreValidated() {
        assertThatThrownBy(() -> new SgdProvider.Config(0, 0, false, 0)).hasMessage("lr must be a finite positive number, got 0.0");
        assertThatThrownBy(() -> new SgdProvider.Config(0.1, 1, false, 0)).hasMessage("momentum must be in [0, 1), got 1.0");
        assertThatThrownBy(() -> new SgdProvider.Config(0.1, 0, true, 0)).hasMessage("nesterov = true needs momentum > 0");
        assertThatThrownBy(() -> new SgdProvider.Config(0.1, 0, false, -1))
                .hasMessage("weight-decay must be a finite number >= 0, got -1.0");
        assertThatThrownBy(() -> new AdamProvider.Config(0.1, 0.9, 1.0, 1e-8, 0)).hasMessage("beta2 must be in [0, 1), got 1.0");
        assertThatThrownBy(() -> new AdamProvider.Config(0.1, 0.9, 0.999, 0, 0))
                .hasMessage("eps must be a finite positive number, got 0.0");
    }

    /**
     * Float parameters longer than the update's heap window (4096 elements), with an offset view
     * and every SGD variant: each element as the float32 formula computes it, step after step.
     */
    @Test
    void sgdOnLongFloatParametersMatchesTheElementFormulaEverywhere() {
        int n = 10_003;
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(3);
        for (double[] cfg : new double[][] {{0, 0, 0}, {0.9, 0, 0}, {0.9, 1, 0.01}, {0, 0, 0.01}}) {
            float lr = 0.05f;
            float momentum = (float) cfg[0];
            boolean nesterov = cfg[1] == 1;
            float wd = (float) cfg[2];
            Optimizer opt = new SgdProvider().create(new SgdProvider.Config(lr, momentum, nesterov, wd));
            float[] w = new float[n];
            for (int i = 0; i < n; i++) {
                w[i] = (float) rnd.nextDouble(-1, 1);
            }
            INDArray wa = Nd4j.createFromArray(w.clone());
            float[] buf = new float[n];
            for (int s = 0; s < 3; s++) {
                float[] g = new float[n];
                for (int i = 0; i < n; i++) {
                    g[i] = (float) rnd.nextDouble(-1, 1);
                }
                opt.step(List.of(new ParamGroup("default", List.of(new Param("p", wa, Nd4j.createFromArray(g))), lr, wd, false)), s + 1);
                for (int i = 0; i < n; i++) {
                    float d = wd != 0 ? Math.fma(wd, w[i], g[i]) : g[i];
                    if (momentum != 0) {
                        buf[i] = s == 0 ? d : buf[i] * momentum + d;
                        d = nesterov ? Math.fma(momentum, buf[i], d) : buf[i];
                    }
                    w[i] = Math.fma(-lr, d, w[i]);
                }
                assertThat(wa.toFloatVector()).as("sgd %s, step %d", java.util.Arrays.toString(cfg), s + 1).containsExactly(w);
            }
        }
    }

    /** Adam (with L2) and AdamW on float parameters longer than a heap window: each element as the float32 formula computes it. */
    @Test
    void adamOnLongFloatParametersMatchesTheElementFormulaEverywhere() {
        int n = 10_003;
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(4);
        double lr = 0.01;
        double b1 = 0.9;
        double b2 = 0.999;
        double eps = 1e-8;
        for (boolean decoupled : new boolean[] {false, true}) {
            double wd = decoupled ? 0.01 : 0.05;
            Optimizer opt = decoupled ? new AdamWProvider().create(new AdamWProvider.Config(lr, b1, b2, eps, wd))
                    : new AdamProvider().create(new AdamProvider.Config(lr, b1, b2, eps, wd));
            float[] w = new float[n];
            for (int i = 0; i < n; i++) {
                w[i] = (float) rnd.nextDouble(-1, 1);
            }
            INDArray wa = Nd4j.createFromArray(w.clone());
            float[] m = new float[n];
            float[] v = new float[n];
            for (int s = 1; s <= 3; s++) {
                float[] g = new float[n];
                for (int i = 0; i < n; i++) {
                    g[i] = (float) rnd.nextDouble(-1, 1);
                }
                opt.step(List.of(new ParamGroup("default", List.of(new Param("p", wa, Nd4j.createFromArray(g))), lr, wd, false)), s);
                float negStep = (float) -(lr / (1 - Math.pow(b1, s)));
                float bc2Sqrt = (float) Math.sqrt(1 - Math.pow(b2, s));
                for (int i = 0; i < n; i++) {
                    float gi = decoupled ? g[i] : Math.fma((float) wd, w[i], g[i]);
                    float wi = decoupled ? w[i] * (float) (1 - lr * wd) : w[i];
                    m[i] = Math.fma((float) (1 - b1), gi, m[i] * (float) b1);
                    v[i] = Math.fma((float) (1 - b2) * gi, gi, v[i] * (float) b2);
                    w[i] = wi + negStep * m[i] / ((float) Math.sqrt(v[i]) / bc2Sqrt + (float) eps);
                }
                assertThat(wa.toFloatVector()).as("%s, step %d", decoupled ? "adamw" : "adam", s).containsExactly(w);
            }
        }
    }
}
