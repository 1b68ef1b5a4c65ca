package dev.graft.api.optim;

import java.util.List;

/**
 * Parameters that share hyperparameters, as PyTorch's {@code param_groups}.
 *
 * @param name         the group's name from the config ({@code default} for the rest)
 * @param params       the parameters
 * @param lr           learning rate for this group (already scheduled for this step)
 * @param weightDecay  L2 penalty coefficient for this group
 * @param frozen       if true the optimizer must not change these parameters
 */
public record ParamGroup(String name, List<Param> params, double lr, double weightDecay, boolean frozen) {
    public ParamGroup {
        params = List.copyOf(params);
    }
}
