package dev.graft.runtime.config;

import dev.graft.api.config.Default;
import dev.graft.api.config.Doc;

/** The {@code training.early-stopping} section. */
public record EarlyStoppingConfig(
        @Doc("what to watch: val-loss or val-<metric id>, e.g. val-accuracy") @Default("val-loss") String monitor,
        @Doc("epochs without improvement before stopping") @Default("3") int patience,
        @Doc("smallest change that counts as an improvement") @Default("0.0") double minDelta,
        @Doc("put back the weights of the best epoch when training ends") @Default("true") boolean restoreBest) {

    public EarlyStoppingConfig {
        if (patience < 1) {
            throw new IllegalArgumentException("patience must be a positive integer, got " + patience);
        }
        if (!(minDelta >= 0)) {
            throw new IllegalArgumentException("min-delta must be >= 0, got " + minDelta);
        }
        if (!monitor.matches("val-[a-z0-9-]+")) {
            throw new IllegalArgumentException("monitor must be val-loss or val-<metric id>, got '" + monitor + "'");
        }
    }
}
