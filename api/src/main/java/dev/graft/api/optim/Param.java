package dev.graft.api.optim;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A parameter for one optimizer step.
 *
 * @param name  full name, {@code node.param}
 * @param value the live array; update it in place
 * @param grad  gradient of the mean batch loss
 */
public record Param(String name, INDArray value, INDArray grad) {
}
