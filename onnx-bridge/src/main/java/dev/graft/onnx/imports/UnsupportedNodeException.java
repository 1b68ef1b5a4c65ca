package dev.graft.onnx.imports;

/**
 * Thrown by a converter that finds, from a node's attributes or from inputs that are constants at
 * import (such as {@code Dropout}'s {@code training_mode}), that the node asks for behaviour native
 * import does not provide at all (random masks, say), as opposed to a shape or value it cannot express.
 * The importer reports it as an {@link dev.graft.onnx.UnsupportedOpsException} naming the node, like a
 * missing converter.
 */
public class UnsupportedNodeException extends RuntimeException {
    public UnsupportedNodeException(String reason) {
        super(reason);
    }
}
