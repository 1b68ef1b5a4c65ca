package dev.graft.runtime.config;

import dev.graft.api.config.Default;
import dev.graft.api.config.Doc;

/** The {@code training.checkpoint} section. */
public record CheckpointConfig(
        @Doc("write a checkpoint every this many epochs (0: never)") @Default("1") int every,
        @Doc("also keep the checkpoint of the best epoch (by the early-stopping monitor, else val-loss)") @Default("true") boolean best,
        @Doc("directory of the checkpoints (default: <output dir>-checkpoints)") @Default(Default.NULL) String dir) {
    public CheckpointConfig {
        if (every < 0) {
            throw new IllegalArgumentException("every must be >= 0 (0: only the best), got " + every);
        }
    }
}
