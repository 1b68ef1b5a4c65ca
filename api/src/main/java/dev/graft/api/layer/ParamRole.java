package dev.graft.api.layer;

/** What a parameter is for; optimizers and regularisers may treat roles differently. */
public enum ParamRole {
    WEIGHT,
    BIAS,
    GAMMA,
    BETA,
    /** A statistic updated in training but not by the optimizer (e.g. batch-norm running mean). */
    RUNNING_STAT,
    EMBEDDING,
    OTHER
}
