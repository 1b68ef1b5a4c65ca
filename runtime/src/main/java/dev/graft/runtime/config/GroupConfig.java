package dev.graft.runtime.config;

import java.util.List;

/**
 * A parameter group of the optimizer.
 *
 * @param name        group name
 * @param params      glob patterns over parameter names ({@code fc1.*}, {@code *.b})
 * @param lr          learning rate, or null for the optimizer's
 * @param weightDecay weight decay, or null for the optimizer's
 * @param frozen      leave these parameters unchanged
 */
public record GroupConfig(String name, List<String> params, Double lr, Double weightDecay, boolean frozen) {
    public GroupConfig {
        params = List.copyOf(params);
    }
}
