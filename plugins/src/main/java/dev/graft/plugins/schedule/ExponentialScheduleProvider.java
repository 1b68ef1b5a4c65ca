package dev.graft.plugins.schedule;

import dev.graft.api.GraftApi;
import dev.graft.api.config.Doc;
import dev.graft.api.schedule.Schedule;
import dev.graft.api.schedule.ScheduleProvider;

/**
 * {@code exponential}: multiplies the learning rate by {@code gamma} after every epoch, like PyTorch's
 * {@code ExponentialLR(gamma)} stepped once per epoch. The factor is constant within an epoch:
 * <pre>
 * epoch  = ceil(step / stepsPerEpoch)                (1-based)
 * factor = gamma ^ (epoch - 1)
 * </pre>
 * With {@code gamma: 0.9} epoch 1 trains at the full rate, epoch 2 at 0.9 of it, epoch 3 at 0.81.
 */
public final class ExponentialScheduleProvider implements ScheduleProvider<ExponentialScheduleProvider.Config> {

    /** Options of {@code exponential}. */
    public record Config(@Doc("factor applied after every epoch, in (0, 1]") double gamma) {
        public Config {
            if (!(gamma > 0 && gamma <= 1)) {
                throw new IllegalArgumentException("gamma must be in (0, 1], got " + gamma);
            }
        }
    }

    public ExponentialScheduleProvider() {
    }

    @Override
    public String id() {
        return "exponential";
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
        return "multiplies the learning rate by gamma after every epoch (PyTorch ExponentialLR)";
    }

    @Override
    public Schedule create(Config config) {
        return (step, stepsPerEpoch, epochs) -> {
            Steps.check(id(), step, stepsPerEpoch, epochs);
            return Math.pow(config.gamma(), Steps.epoch(step, stepsPerEpoch) - 1);
        };
    }
}
