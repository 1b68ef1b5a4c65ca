package dev.graft.runtime.config;

import dev.graft.api.config.Default;
import dev.graft.api.config.Doc;

import java.util.List;

/**
 * The {@code base} section of a fine-tuning experiment: the pretrained model, where to cut it, what
 * to freeze and how its batch normalisation behaves while the rest trains.
 *
 * <pre>
 * base:
 *   onnx: pretrained.onnx          # relative to the config file
 *   cut-at: Relu_2                 # the head reads this node; the nodes after it are dropped
 *   freeze: [conv*, bn*]           # or: freeze-all-but-last: 1
 *   batch-norm: frozen             # or update
 *   lr: 0.0001                     # learning rate of the base's trainable parameters
 * </pre>
 *
 * @param onnx             the ONNX file, relative to the config file's directory
 * @param cutAt            the base node whose output the head reads, or null to keep the whole base
 * @param freeze           glob patterns over the base's node names and parameter names
 * @param freezeAllButLast freeze every base node with trainable parameters except the last N, or null
 * @param batchNorm        what the base's normalisation nodes do while training
 * @param lr               learning rate of the base parameters that are not frozen, or null for the optimizer's
 */
public record BaseConfig(
        @Doc("the pretrained ONNX model, relative to the config file") String onnx,
        @Doc("the base node whose output the head reads; the nodes after it are dropped (default: keep the whole base)")
        @Default(Default.NULL) String cutAt,
        @Doc("glob patterns (* and ?) over base node names and parameter names (node.param); matching parameters are frozen")
        @Default("[]") List<String> freeze,
        @Doc("freeze every base node that has trainable parameters except the last N of them (0 freezes the whole base)")
        @Default(Default.NULL) Integer freezeAllButLast,
        @Doc("frozen: the base's batch-norm nodes normalise with their running statistics while training and never update them;"
                + " update: they normalise with batch statistics and update the running ones")
        @Default("frozen") BatchNormPolicy batchNorm,
        @Doc("learning rate of the base parameters that are not frozen (default: the optimizer's)") @Default(Default.NULL) Double lr) {

    /** What the base's batch-norm nodes (nodes with running statistics) do while the model trains. */
    public enum BatchNormPolicy {
        /** Normalise with the pretrained running statistics and leave them unchanged (PyTorch's {@code bn.eval()}). */
        FROZEN,
        /** Normalise with batch statistics and update the running statistics, as in normal training. */
        UPDATE
    }

    public BaseConfig {
        if (onnx == null || onnx.isBlank()) {
            throw new IllegalArgumentException("onnx must name the pretrained ONNX model file");
        }
        if (cutAt != null && cutAt.isBlank()) {
            throw new IllegalArgumentException("cut-at must name a node of the base model");
        }
        freeze = List.copyOf(freeze);
        for (String p : freeze) {
            if (p == null || p.isBlank()) {
                throw new IllegalArgumentException("freeze patterns must not be empty, got " + freeze);
            }
        }
        if (freezeAllButLast != null && freezeAllButLast < 0) {
            throw new IllegalArgumentException("freeze-all-but-last must be 0 or more, got " + freezeAllButLast);
        }
        if (freezeAllButLast != null && !freeze.isEmpty()) {
            throw new IllegalArgumentException("give freeze (patterns) or freeze-all-but-last (a count), not both");
        }
        if (lr != null && !(lr >= 0) || lr != null && Double.isInfinite(lr)) {
            throw new IllegalArgumentException("lr must be a finite number >= 0, got " + lr);
        }
    }
}
