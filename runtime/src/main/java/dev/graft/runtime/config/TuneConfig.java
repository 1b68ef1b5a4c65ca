package dev.graft.runtime.config;

import java.util.List;
import java.util.Map;

/**
 * The {@code tune} section, read by {@code graft tune}.
 *
 * <pre>
 * tune:
 *   method: grid            # grid (every combination) or random
 *   trials: 8               # random search: how many samples (grid: at most this many, 0 = all)
 *   monitor: val-accuracy   # val-loss or val-&lt;metric&gt;; ranked best first
 *   params:                 # config key -> candidate values
 *     optimizer.lr: [0.001, 0.003, 0.01]
 *     model.layers.0.units: [32, 64, 128]
 * </pre>
 *
 * @param method  grid or random
 * @param trials  number of trials for random search; cap for grid (0: all)
 * @param monitor what ranks the trials
 * @param seed    seed of the random search
 * @param params  key path to candidate values (strings as they would be given to --set)
 */
public record TuneConfig(Method method, int trials, String monitor, long seed, Map<String, List<String>> params) {
    /** Search methods. */
    public enum Method { GRID, RANDOM }

    public TuneConfig {
        params = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(params));
    }
}
