package dev.graft.api.schedule;

import dev.graft.api.Plugin;

/**
 * A learning-rate schedule plugin, named in {@code optimizer.schedule}. Register it in
 * {@code META-INF/services/dev.graft.api.schedule.ScheduleProvider}.
 */
public interface ScheduleProvider<C extends Record> extends Plugin<C> {
    Schedule create(C config);
}
