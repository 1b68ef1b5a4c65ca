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
 * @param l1          L1 penalty coefficient (adds l1 * sum|w| to the loss), 0 for none
 * @param l2          L2 penalty coefficient (adds l2 * sum w^2 to the loss), 0 for none
 */
public record GroupConfig(String name, List<String> params, Double lr, Double weightDecay, boolean frozen, double l1, double l2) {
    public GroupConfig {
        params = List.copyOf(params);
    }
}
