package dev.graft.plugins.schedule;

import dev.graft.api.GraftApi;
import dev.graft.api.config.Default;
import dev.graft.api.config.Doc;
import dev.graft.api.schedule.Schedule;
import dev.graft.api.schedule.ScheduleProvider;

/**
 * {@code cosine}: an optional linear warm-up, then cosine annealing to {@code min-factor} over the rest
 * of the run, updated at every step. With {@code t = step - 1} optimizer steps already taken,
 * {@code W = warmup-epochs * stepsPerEpoch} warm-up steps and {@code T = epochs * stepsPerEpoch}
 * steps in the run:
 * <pre>
 * t &lt; W:   factor = warmup-start + (1 - warmup-start) * t / W
 * t &gt;= W:  p      = min(1, (t - W) / (T - W))
 *          factor = min-factor + (1 - min-factor) * (1 + cos(pi * p)) / 2
 * </pre>
 * So the first step uses {@code warmup-start} (the default 0 makes it a step with learning rate 0), the
 * factor reaches 1 at the first step after the warm-up and falls towards {@code min-factor}, which the
 * step after the last one of the run would reach. Without warm-up this is PyTorch's
 * {@code CosineAnnealingLR(T_max = T, eta_min = min-factor * lr)} stepped after every batch; with it,
 * the shape of Hugging Face's {@code get_cosine_schedule_with_warmup}. A warm-up as long as the run or
 * longer never reaches the cosine part; steps past the end of the run stay at {@code min-factor}.
 */
public final class CosineScheduleProvider implements ScheduleProvider<CosineScheduleProvider.Config> {

    /** Options of {@code cosine}. */
    public record Config(
            @Doc("epochs of linear warm-up before the cosine decay, >= 0") @Default("0") int warmupEpochs,
            @Doc("factor at the first warm-up step, in [0, 1]") @Default("0.0") double warmupStart,
            @Doc("factor the cosine decays to at the end of the run, in [0, 1]") @Default("0.0") double minFactor) {
        public Config {
            if (warmupEpochs < 0) {
                throw new IllegalArgumentException("warmup-epochs must be a whole number >= 0, got " + warmupEpochs);
            }
            if (!(warmupStart >= 0 && warmupStart <= 1)) {
                throw new IllegalArgumentException("warmup-start must be in [0, 1], got " + warmupStart);
            }
            if (!(minFactor >= 0 && minFactor <= 1)) {
                throw new IllegalArgumentException("min-factor must be in [0, 1], got " + minFactor);
            }
        }
    }

    public CosineScheduleProvider() {
    }

    @Override
    public String id() {
        return "cosine";
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
        return "optional linear warm-up, then cosine decay to min-factor over the run, per step";
    }

    @Override
    public Schedule create(Config config) {
        return (step, stepsPerEpoch, epochs) -> {
            Steps.check(id(), step, stepsPerEpoch, epochs);
            long t = step - 1;
            long warmup = config.warmupEpochs() * stepsPerEpoch;
            long total = epochs * stepsPerEpoch;
            if (t < warmup) {
                return config.warmupStart() + (1 - config.warmupStart()) * t / warmup;
            }
            double p = total > warmup ? Math.min(1.0, (double) (t - warmup) / (total - warmup)) : 1.0;
            return config.minFactor() + (1 - config.minFactor()) * (1 + Math.cos(Math.PI * p)) / 2;
        };
    }
}
