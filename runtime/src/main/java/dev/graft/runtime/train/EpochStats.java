package dev.graft.runtime.train;

import java.util.Map;

/**
 * What one epoch produced.
 *
 * @param epoch          1-based epoch number
 * @param trainLoss      mean training loss over the epoch's batches
 * @param valLoss        validation loss, NaN without a validation split
 * @param valMetrics     validation metrics by id
 * @param seconds        wall time of the epoch (training and validation)
 * @param examplesPerSec training throughput
 */
public record EpochStats(int epoch, double trainLoss, double valLoss, Map<String, Double> valMetrics, double seconds,
                         double examplesPerSec) {
    public EpochStats {
        valMetrics = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(valMetrics));
    }
}
