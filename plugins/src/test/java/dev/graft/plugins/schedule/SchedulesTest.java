package dev.graft.plugins.schedule;

import dev.graft.api.config.NoConfig;
import dev.graft.api.schedule.Schedule;
import dev.graft.plugins.schedule.ReduceOnPlateauProvider.Mode;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * The schedules against factors worked out by hand, and against PyTorch 1.13's schedulers (learning rate
 * 1.0, so the rate is the factor):
 * <pre>
 * o = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)
 * s = torch.optim.lr_scheduler.ReduceLROnPlateau(o, mode='min', factor=0.5, patience=2, cooldown=1)
 * for v in values: s.step(v); print(o.param_groups[0]['lr'])
 * s = torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=8, eta_min=0.1)
 * for i in range(8): print(o.param_groups[0]['lr']); o.step(); s.step()
 * s = torch.optim.lr_scheduler.StepLR(o, step_size=2, gamma=0.1)      # stepped per epoch
 * </pre>
 */
class SchedulesTest {

    static double[] factors(Schedule s, long steps, long stepsPerEpoch, int epochs) {
        double[] f = new double[(int) steps];
        for (int i = 0; i < steps; i++) {
            f[i] = s.factor(i + 1, stepsPerEpoch, epochs);
        }
        return f;
    }

    static Schedule plateau(String monitor, Mode mode, double factor, int patience, double threshold, int cooldown,
                            double minFactor) {
        return new ReduceOnPlateauProvider().create(
                new ReduceOnPlateauProvider.Config(monitor, mode, factor, patience, threshold, cooldown, minFactor));
    }

    /** Feeds val-loss values one epoch at a time; returns the factor in force after each. */
    static double[] feed(Schedule s, String key, double... values) {
        double[] out = new double[values.length];
        for (int e = 0; e < values.length; e++) {
            s.onEpochEnd(e + 1, Map.of(key, values[e], "val-other", 0.0));
            out[e] = s.factor(1, 1, 100);
        }
        return out;
    }

    @Test
    void constantIsOne() {
        Schedule s = new ConstantScheduleProvider().create(NoConfig.INSTANCE);
        assertThat(factors(s, 7, 3, 3)).containsOnly(1.0);
        assertThat(s.state()).isEmpty();
        s.loadState(Map.of());
        assertThatThrownBy(() -> s.loadState(Map.of("factor", 0.5))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void stepDecaysEveryStepSizeEpochs() {
        // 3 steps per epoch, step-size 2, gamma 0.1: epochs 1-2 (steps 1-6) at 1, epochs 3-4 (steps 7-12) at 0.1, epoch 5 at 0.01
        Schedule s = new StepScheduleProvider().create(new StepScheduleProvider.Config(2, 0.1));
        double[] f = factors(s, 13, 3, 5);
        assertThat(f).containsExactly(new double[] {1, 1, 1, 1, 1, 1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.01}, within(1e-15));
        // one step per epoch is PyTorch's StepLR(step_size=2, gamma=0.1): 1.0, 1.0, 0.1, 0.1, 0.010000000000000002
        assertThat(factors(s, 5, 1, 5)).containsExactly(new double[] {1.0, 1.0, 0.1, 0.1, 0.010000000000000002}, within(1e-15));
        Schedule half = new StepScheduleProvider().create(new StepScheduleProvider.Config(1, 0.5));
        assertThat(factors(half, 4, 2, 2)).containsExactly(1, 1, 0.5, 0.5);
    }

    @Test
    void exponentialDecaysEveryEpoch() {
        Schedule s = new ExponentialScheduleProvider().create(new ExponentialScheduleProvider.Config(0.9));
        assertThat(factors(s, 7, 2, 4)).containsExactly(new double[] {1, 1, 0.9, 0.9, 0.81, 0.81, 0.729}, within(1e-15));
    }

    @Test
    void cosineWithoutWarmupIsPyTorchsCosineAnnealing() {
        // 4 epochs of 2 steps: T = 8; min-factor 0.1 as eta_min = 0.1 with lr 1
        Schedule s = new CosineScheduleProvider().create(new CosineScheduleProvider.Config(0, 0, 0.1));
        assertThat(factors(s, 8, 2, 4)).containsExactly(new double[] {1.0, 0.9657457896300791, 0.8681980515339464,
                0.7222075445642905, 0.55, 0.3777924554357097, 0.2318019484660537, 0.134254210369921}, within(1e-12));
        // by hand: half-way (t = 4 of 8) is the mean of 1 and 0.1
        assertThat(s.factor(5, 2, 4)).isCloseTo(0.55, within(1e-15));
        // past the end of the run: min-factor
        assertThat(s.factor(9, 2, 4)).isCloseTo(0.1, within(1e-15));
        assertThat(s.factor(50, 2, 4)).isCloseTo(0.1, within(1e-15));
    }

    @Test
    void cosineWarmsUpLinearlyThenDecays() {
        // 1 warm-up epoch of 4 steps from 0.2, then 8 cosine steps to 0 (3 epochs in all)
        Schedule s = new CosineScheduleProvider().create(new CosineScheduleProvider.Config(1, 0.2, 0));
        double[] f = factors(s, 12, 4, 3);
        assertThat(f).containsExactly(new double[] {
                0.2, 0.4, 0.6, 0.8,                                           // 0.2 + 0.8 * t / 4, t = 0..3
                1.0, (1 + Math.cos(Math.PI / 8)) / 2, 0.5 + 0.5 * Math.cos(Math.PI / 4), (1 + Math.cos(3 * Math.PI / 8)) / 2,
                0.5, (1 + Math.cos(5 * Math.PI / 8)) / 2, 0.5 + 0.5 * Math.cos(3 * Math.PI / 4), (1 + Math.cos(7 * Math.PI / 8)) / 2},
                within(1e-15));
        // default warm-up start 0: the first step has factor 0
        Schedule zero = new CosineScheduleProvider().create(new CosineScheduleProvider.Config(2, 0, 0));
        assertThat(zero.factor(1, 5, 4)).isEqualTo(0.0);
        assertThat(zero.factor(6, 5, 4)).isCloseTo(0.5, within(1e-15));
        // a warm-up as long as the run never decays
        assertThat(factors(zero, 10, 5, 2)).containsExactly(new double[] {0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9},
                within(1e-15));
    }

    @Test
    void reduceOnPlateauMatchesPyTorch() {
        Schedule s = plateau("val-loss", Mode.AUTO, 0.5, 2, 1e-4, 1, 0);
        // 1.0 best; 1.0 bad 1; 0.99995 is not 0.01% better: bad 2; 1.1 bad 3 > 2: halve, cooldown 1;
        // 1.2 bad, but in cooldown: 0; 1.3, 1.4 bad 1, 2; 1.5 bad 3: halve; 0.5 best; 0.6 bad 1
        assertThat(feed(s, "val-loss", 1.0, 1.0, 0.99995, 1.1, 1.2, 1.3, 1.4, 1.5, 0.5, 0.6))
                .containsExactly(1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25);
        // max mode with a floor: PyTorch gives 1, 1, 1, 0.1, 0.1, 0.01, 0.01, 0.005, 0.005
        Schedule max = plateau("val-accuracy", Mode.MAX, 0.1, 1, 1e-4, 0, 0.005);
        assertThat(feed(max, "val-accuracy", 0.5, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6))
                .containsExactly(new double[] {1, 1, 1, 0.1, 0.1, 0.01, 0.01, 0.005, 0.005}, within(1e-15));
        // defaults: patience 10, factor 0.1 -> the 11th bad epoch in a row reduces
        Schedule defaults = plateau("val-loss", Mode.AUTO, 0.1, 10, 1e-4, 0, 0);
        double[] f = feed(defaults, "val-loss", 3, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1);
        assertThat(f[12]).isEqualTo(1.0);
        assertThat(f[13]).isCloseTo(0.1, within(1e-15));
    }

    @Test
    void autoModeMinimisesLossAndErrorsAndMaximisesTheRest() {
        assertThat(new ReduceOnPlateauProvider.Config("val-loss", Mode.AUTO, 0.1, 1, 0, 0, 0).minimizes()).isTrue();
        assertThat(new ReduceOnPlateauProvider.Config("val-mse", Mode.AUTO, 0.1, 1, 0, 0, 0).minimizes()).isTrue();
        assertThat(new ReduceOnPlateauProvider.Config("val-mae", Mode.AUTO, 0.1, 1, 0, 0, 0).minimizes()).isTrue();
        assertThat(new ReduceOnPlateauProvider.Config("val-accuracy", Mode.AUTO, 0.1, 1, 0, 0, 0).minimizes()).isFalse();
        assertThat(new ReduceOnPlateauProvider.Config("val-loss", Mode.MAX, 0.1, 1, 0, 0, 0).minimizes()).isFalse();
        // rising accuracy is improvement in auto mode: no reduction
        Schedule s = plateau("val-accuracy", Mode.AUTO, 0.5, 0, 0, 0, 0);
        assertThat(feed(s, "val-accuracy", 0.1, 0.2, 0.3)).containsOnly(1.0);
        assertThat(feed(s, "val-accuracy", 0.2)).containsExactly(0.5);
    }

    @Test
    void nanIsNeverAnImprovement() {
        Schedule s = plateau("val-loss", Mode.MIN, 0.5, 0, 0, 0, 0);
        assertThat(feed(s, "val-loss", Double.NaN, 1.0, Double.NaN)).containsExactly(0.5, 0.5, 0.25);
    }

    @Test
    void reduceOnPlateauStateRoundTrips() {
        double[] values = {1.0, 0.9, 0.95, 0.97, 0.99, 0.98, 0.5, 0.6, 0.7, 0.8};
        Schedule uninterrupted = plateau("val-loss", Mode.AUTO, 0.5, 1, 1e-4, 1, 0.1);
        double[] all = feed(uninterrupted, "val-loss", values);

        Schedule first = plateau("val-loss", Mode.AUTO, 0.5, 1, 1e-4, 1, 0.1);
        assertThat(first.state()).containsOnlyKeys("factor", "bad-epochs", "cooldown-counter");
        feed(first, "val-loss", java.util.Arrays.copyOf(values, 5));
        Map<String, Double> saved = new LinkedHashMap<>(first.state());
        assertThat(saved).containsOnlyKeys("factor", "best", "bad-epochs", "cooldown-counter");
        assertThat(saved.get("best")).isEqualTo(0.9);

        Schedule resumed = plateau("val-loss", Mode.AUTO, 0.5, 1, 1e-4, 1, 0.1);
        resumed.loadState(saved);
        assertThat(resumed.state()).isEqualTo(saved);
        assertThat(resumed.factor(1, 1, 10)).isEqualTo(all[4]);
        double[] rest = feed(resumed, "val-loss", java.util.Arrays.copyOfRange(values, 5, 10));
        assertThat(rest).containsExactly(java.util.Arrays.copyOfRange(all, 5, 10));
        assertThat(resumed.state()).isEqualTo(uninterrupted.state());
    }

    @Test
    void reduceOnPlateauRejectsBadState() {
        Schedule s = plateau("val-loss", Mode.AUTO, 0.5, 1, 1e-4, 0, 0);
        assertThatThrownBy(() -> s.loadState(Map.of("factor", 0.5)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("reduce-on-plateau state needs factor, bad-epochs and cooldown-counter (and best once a value"
                        + " was seen), got [factor]");
        assertThatThrownBy(() -> s.loadState(Map.of("factor", 0.5, "bad-epochs", 0.0, "cooldown-counter", 0.0, "lr", 1.0)))
                .hasMessageEndingWith("got [bad-epochs, cooldown-counter, factor, lr]");
        assertThatThrownBy(() -> s.loadState(Map.of("factor", 0.0, "bad-epochs", 0.0, "cooldown-counter", 0.0)))
                .hasMessage("reduce-on-plateau state factor must be in (0, 1], got 0.0");
        assertThatThrownBy(() -> s.loadState(Map.of("factor", 0.5, "bad-epochs", 1.5, "cooldown-counter", 0.0)))
                .hasMessage("reduce-on-plateau state bad-epochs must be a whole number >= 0, got 1.5");
    }

    @Test
    void aMissingMonitoredKeyNamesTheAvailableOnes() {
        Schedule s = plateau("val-accuracy", Mode.AUTO, 0.5, 1, 1e-4, 0, 0);
        assertThatThrownBy(() -> s.onEpochEnd(3, Map.of("val-loss", 0.4, "val-mse", 0.1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("reduce-on-plateau monitors 'val-accuracy' but epoch 3 has only [val-loss, val-mse];"
                        + " set monitor to val-loss or val-<metric id> of a metric in training.metrics");
        assertThatThrownBy(() -> s.onEpochEnd(1, Map.of()))
                .hasMessage("reduce-on-plateau monitors 'val-accuracy' but epoch 1 has no validation results"
                        + " (is there a validation split?); set monitor to val-loss or val-<metric id> of a metric in training.metrics");
    }

    @Test
    void argumentsAndConfigsAreValidated() {
        Schedule s = new ConstantScheduleProvider().create(NoConfig.INSTANCE);
        assertThatThrownBy(() -> s.factor(0, 10, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("constant: step, steps per epoch and epochs must be >= 1, got step 0, 10 steps per epoch, 1 epochs");
        assertThatThrownBy(() -> new StepScheduleProvider.Config(0, 0.1))
                .hasMessage("step-size must be a whole number of epochs >= 1, got 0");
        assertThatThrownBy(() -> new StepScheduleProvider.Config(1, 1.5)).hasMessage("gamma must be in (0, 1], got 1.5");
        assertThatThrownBy(() -> new ExponentialScheduleProvider.Config(0)).hasMessage("gamma must be in (0, 1], got 0.0");
        assertThatThrownBy(() -> new CosineScheduleProvider.Config(-1, 0, 0))
                .hasMessage("warmup-epochs must be a whole number >= 0, got -1");
        assertThatThrownBy(() -> new CosineScheduleProvider.Config(0, 1.5, 0)).hasMessage("warmup-start must be in [0, 1], got 1.5");
        assertThatThrownBy(() -> new CosineScheduleProvider.Config(0, 0, -0.1)).hasMessage("min-factor must be in [0, 1], got -0.1");
        assertThatThrownBy(() -> new ReduceOnPlateauProvider.Config(" ", Mode.AUTO, 0.1, 1, 0, 0, 0))
                .hasMessage("monitor must name a validation result such as val-loss or val-accuracy");
        assertThatThrownBy(() -> new ReduceOnPlateauProvider.Config("val-loss", Mode.AUTO, 1.0, 1, 0, 0, 0))
                .hasMessage("factor must be in (0, 1), got 1.0");
        assertThatThrownBy(() -> new ReduceOnPlateauProvider.Config("val-loss", Mode.AUTO, 0.1, -1, 0, 0, 0))
                .hasMessage("patience must be a whole number of epochs >= 0, got -1");
        assertThatThrownBy(() -> new ReduceOnPlateauProvider.Config("val-loss", Mode.AUTO, 0.1, 1, -1, 0, 0))
                .hasMessage("threshold must be a finite number >= 0, got -1.0");
        assertThatThrownBy(() -> new ReduceOnPlateauProvider.Config("val-loss", Mode.AUTO, 0.1, 1, 0, -2, 0))
                .hasMessage("cooldown must be a whole number of epochs >= 0, got -2");
    }
}
