package dev.graft.onnx.imports.ops;

import org.nd4j.linalg.api.ndarray.INDArray;

/** What the importer needs to know about constants folded by the converters. */
public final class Folding {
    private Folding() {
    }

    /**
     * Whether a folded constant holds the batch-size marker that a {@code Shape} of a computed value
     * yields under {@link dev.graft.onnx.imports.BatchAxis#FIRST_DIM}: its value is only known when
     * the model runs.
     */
    public static boolean hasBatchMarker(INDArray constant) {
        return (constant.dataType().isIntType()) && constant.length() > 0 && Const.of(constant).hasBatch();
    }
}
