package dev.graft.plugins.schedule;

import dev.graft.api.GraftApi;
import dev.graft.api.config.Default;
import dev.graft.api.config.Doc;
import dev.graft.api.schedule.Schedule;
import dev.graft.api.schedule.ScheduleProvider;

/**
 * {@code step}: multiplies the learning rate by {@code gamma} every {@code step-size} epochs, like
 * PyTorch's {@code StepLR(step_size, gamma)} stepped once per epoch. The factor is constant within an
 * epoch:
 * <pre>
 * epoch  = ceil(step / stepsPerEpoch)                (1-based: steps 1..stepsPerEpoch are epoch 1)
 * factor = gamma ^ floor((epoch - 1) / step-size)
 * </pre>
 * With {@code step-size: 2, gamma: 0.1}: epochs 1 and 2 train at the full rate, 3 and 4 at a tenth,
 * 5 and 6 at a hundredth.
 */
public final class StepScheduleProvider implements ScheduleProvider<StepScheduleProvider.Config> {

    /** Options of {@code step}. */
    public record Config(
            @Doc("epochs between two decays, >= 1") int stepSize,
            @Doc("factor applied at each decay, in (0, 1]") @Default("0.1") double gamma) {
        public Config {
            if (stepSize < 1) {
                throw new IllegalArgumentException("step-size must be a whole number of epochs >= 1, got " + stepSize);
            }
            if (!(gamma > 0 && gamma <= 1)) {
                throw new IllegalArgumentException("gamma must be in (0, 1], got " + gamma);
            }
        }
    }

    public StepScheduleProvider() {
    }

    @Override
    public String id() {
        return "step";
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
        return "multiplies the learning rate by gamma every step-size epochs (PyTorch StepLR)";
    }

    @Override
    public Schedule create(Config config) {
        return (step, stepsPerEpoch, epochs) -> {
            Steps.check(id(), step, stepsPerEpoch, epochs);
            long decays = (Steps.epoch(step, stepsPerEpoch) - 1) / config.stepSize();
            return Math.pow(config.gamma(), decays);
        };
    }
}
