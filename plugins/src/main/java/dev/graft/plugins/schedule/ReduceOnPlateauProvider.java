package dev.graft.plugins.schedule;

import dev.graft.api.GraftApi;
import dev.graft.api.config.Default;
import dev.graft.api.config.Doc;
import dev.graft.api.schedule.Schedule;
import dev.graft.api.schedule.ScheduleProvider;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code reduce-on-plateau}: multiplies the learning rate by {@code factor} when a validation result
 * stops improving, like PyTorch's {@code ReduceLROnPlateau} with {@code threshold_mode="rel"}. After
 * every epoch's validation, with {@code v} the monitored value:
 * <pre>
 * improved = mode min: v &lt; best * (1 - threshold)       mode max: v &gt; best * (1 + threshold)
 *            (the first value always improves; NaN never does)
 * if improved: best = v, bad-epochs = 0   else: bad-epochs += 1
 * if cooldown-counter &gt; 0: cooldown-counter -= 1, bad-epochs = 0
 * if bad-epochs &gt; patience: current = max(current * factor, min-factor),
 *                           cooldown-counter = cooldown, bad-epochs = 0
 * </pre>
 * and {@link Schedule#factor} returns {@code current} (starting at 1) for every step of the next
 * epoch. So with {@code patience: 10} the rate drops after the 11th epoch in a row without
 * improvement. Unlike PyTorch it does not skip reductions smaller than 1e-8.
 *
 * <p>{@code monitor} names a validation result: {@code val-loss} or {@code val-<metric id>} such as
 * {@code val-accuracy} (the metric must be listed in {@code training.metrics}). {@code mode: auto}
 * minimises {@code val-loss} and the built-in error metrics {@code val-mse} and {@code val-mae}, and
 * maximises everything else; set {@code min} or {@code max} for other metrics where lower is better.
 *
 * <p>State (saved in checkpoints): {@code factor}, {@code bad-epochs}, {@code cooldown-counter} and,
 * once a value has been seen, {@code best}.
 */
public final class ReduceOnPlateauProvider implements ScheduleProvider<ReduceOnPlateauProvider.Config> {

    /** Whether the monitored value should go down or up. */
    public enum Mode {
        /** min for val-loss, val-mse and val-mae, max otherwise. */
        AUTO,
        MIN,
        MAX
    }

    /** Keys {@link Mode#AUTO} minimises. */
    static final Set<String> LOWER_IS_BETTER = Set.of("val-loss", "val-mse", "val-mae");

    /** Options of {@code reduce-on-plateau}. */
    public record Config(
            @Doc("the validation result to watch: val-loss or val-<metric id>") @Default("val-loss") String monitor,
            @Doc("min, max, or auto (min for val-loss, val-mse and val-mae, else max)") @Default("auto") Mode mode,
            @Doc("multiplier applied to the learning rate on a plateau, in (0, 1)") @Default("0.1") double factor,
            @Doc("epochs without improvement tolerated before reducing, >= 0") @Default("10") int patience,
            @Doc("relative improvement that counts, >= 0 (1e-4: better by 0.01 percent)") @Default("1e-4") double threshold,
            @Doc("epochs after a reduction during which bad epochs are not counted, >= 0") @Default("0") int cooldown,
            @Doc("the smallest factor of the base learning rate, in [0, 1]") @Default("0.0") double minFactor) {
        public Config {
            if (monitor == null || monitor.isBlank()) {
                throw new IllegalArgumentException("monitor must name a validation result such as val-loss or val-accuracy");
            }
            if (mode == null) {
                throw new IllegalArgumentException("mode must be auto, min or max");
            }
            if (!(factor > 0 && factor < 1)) {
                throw new IllegalArgumentException("factor must be in (0, 1), got " + factor);
            }
            if (patience < 0) {
                throw new IllegalArgumentException("patience must be a whole number of epochs >= 0, got " + patience);
            }
            if (!(threshold >= 0) || Double.isInfinite(threshold)) {
                throw new IllegalArgumentException("threshold must be a finite number >= 0, got " + threshold);
            }
            if (cooldown < 0) {
                throw new IllegalArgumentException("cooldown must be a whole number of epochs >= 0, got " + cooldown);
            }
            if (!(minFactor >= 0 && minFactor <= 1)) {
                throw new IllegalArgumentException("min-factor must be in [0, 1], got " + minFactor);
            }
        }

        /** Whether the monitored value should go down, resolving {@link Mode#AUTO}. */
        public boolean minimizes() {
            return mode == Mode.AUTO ? LOWER_IS_BETTER.contains(monitor) : mode == Mode.MIN;
        }
    }

    public ReduceOnPlateauProvider() {
    }

    @Override
    public String id() {
        return "reduce-on-plateau";
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
        return "multiplies the learning rate by factor when a validation result stops improving (PyTorch ReduceLROnPlateau)";
    }

    @Override
    public Schedule create(Config config) {
        return new Plateau(id(), config);
    }

    private static final class Plateau implements Schedule {
        private static final String FACTOR = "factor";
        private static final String BEST = "best";
        private static final String BAD = "bad-epochs";
        private static final String COOLDOWN = "cooldown-counter";
        private final String id;
        private final Config config;
        private final boolean minimize;
        private double current = 1.0;
        private boolean hasBest;
        private double best;
        private int badEpochs;
        private int cooldownCounter;

        Plateau(String id, Config config) {
            this.id = id;
            this.config = config;
            this.minimize = config.minimizes();
        }

        @Override
        public double factor(long step, long stepsPerEpoch, int epochs) {
            Steps.check(id, step, stepsPerEpoch, epochs);
            return current;
        }

        private boolean improves(double v) {
            if (Double.isNaN(v)) {
                return false;
            }
            if (!hasBest) {
                return true;
            }
            return minimize ? v < best * (1 - config.threshold()) : v > best * (1 + config.threshold());
        }

        @Override
        public void onEpochEnd(int epoch, Map<String, Double> validation) {
            Double value = validation.get(config.monitor());
            if (value == null) {
                throw new IllegalArgumentException(id + " monitors '" + config.monitor() + "' but epoch " + epoch
                        + (validation.isEmpty() ? " has no validation results (is there a validation split?)"
                        : " has only " + new TreeSet<>(validation.keySet()))
                        + "; set monitor to val-loss or val-<metric id> of a metric in training.metrics");
            }
            double v = value;
            if (improves(v)) {
                best = v;
                hasBest = true;
                badEpochs = 0;
            } else {
                badEpochs++;
            }
            if (cooldownCounter > 0) {
                cooldownCounter--;
                badEpochs = 0;
            }
            if (badEpochs > config.patience()) {
                current = Math.max(current * config.factor(), config.minFactor());
                cooldownCounter = config.cooldown();
                badEpochs = 0;
            }
        }

        @Override
        public Map<String, Double> state() {
            Map<String, Double> s = new LinkedHashMap<>();
            s.put(FACTOR, current);
            if (hasBest) {
                s.put(BEST, best);
            }
            s.put(BAD, (double) badEpochs);
            s.put(COOLDOWN, (double) cooldownCounter);
            return s;
        }

        @Override
        public void loadState(Map<String, Double> state) {
            Set<String> required = Set.of(FACTOR, BAD, COOLDOWN);
            Set<String> keys = new TreeSet<>(state.keySet());
            Set<String> unknown = new TreeSet<>(keys);
            unknown.removeAll(Set.of(FACTOR, BEST, BAD, COOLDOWN));
            if (!keys.containsAll(required) || !unknown.isEmpty()) {
                throw new IllegalArgumentException(id + " state needs factor, bad-epochs and cooldown-counter (and best once"
                        + " a value was seen), got " + keys);
            }
            double f = state.get(FACTOR);
            if (!(f > 0 && f <= 1)) {
                throw new IllegalArgumentException(id + " state factor must be in (0, 1], got " + f);
            }
            int bad = count(BAD, state.get(BAD));
            int cool = count(COOLDOWN, state.get(COOLDOWN));
            Double b = state.get(BEST);
            if (b != null && !Double.isFinite(b)) {
                throw new IllegalArgumentException(id + " state best must be a finite number, got " + b);
            }
            current = f;
            badEpochs = bad;
            cooldownCounter = cool;
            hasBest = b != null;
            best = hasBest ? b : 0;
        }

        private int count(String key, Double v) {
            if (v == null || !(v >= 0) || v != Math.rint(v) || v > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(id + " state " + key + " must be a whole number >= 0, got " + v);
            }
            return v.intValue();
        }
    }
}
