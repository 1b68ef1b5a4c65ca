package dev.graft.plugins.schedule;

import dev.graft.api.GraftApi;
import dev.graft.api.config.NoConfig;
import dev.graft.api.schedule.Schedule;
import dev.graft.api.schedule.ScheduleProvider;

/**
 * {@code constant}: the learning rate never changes; the factor is 1 at every step. The same as
 * giving no schedule, useful to switch a schedule off explicitly.
 */
public final class ConstantScheduleProvider implements ScheduleProvider<NoConfig> {

    public ConstantScheduleProvider() {
    }

    @Override
    public String id() {
        return "constant";
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
    public Class<NoConfig> configType() {
        return NoConfig.class;
    }

    @Override
    public String description() {
        return "keeps the learning rate constant (factor 1)";
    }

    @Override
    public Schedule create(NoConfig config) {
        return (step, stepsPerEpoch, epochs) -> {
            Steps.check(id(), step, stepsPerEpoch, epochs);
            return 1.0;
        };
    }
}
