package dev.graft.onnx.imports;

import dev.graft.runtime.GraftException;

import java.util.Locale;

/**
 * Which axis of an ONNX model's data the native import treats as the batch.
 *
 * <ul>
 *   <li>{@link #FIRST_DIM}: the first dimension of every data input is the batch. Per-example shapes
 *       are the declared shapes without it, the batch size stays dynamic, and the model fine-tunes and
 *       predicts on batches of any size. Ops that would mix the batch with the other axes (reducing,
 *       concatenating or transposing axis 0, for instance) are refused.</li>
 *   <li>{@link #NONE}: the data are whole tensors, not batches. Every data input gets an implicit
 *       leading batch of 1 that the engine adds and removes, so per-example shapes are the ONNX shapes,
 *       every axis is addressable and inputs of rank 0 or 1 work. Every dimension must be static.</li>
 *   <li>{@link #AUTO}: {@code FIRST_DIM} when every data input has rank 2 or more and they share their
 *       first dimension (the same symbol, or the same size), else {@code NONE}.</li>
 * </ul>
 */
public enum BatchAxis {
    FIRST_DIM, NONE, AUTO;

    /** Parses {@code first}, {@code first-dim}, {@code none} or {@code auto} (any case, {@code _} or {@code -}). */
    public static BatchAxis parse(String text, String what) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        return switch (t) {
            case "first", "first-dim" -> FIRST_DIM;
            case "none" -> NONE;
            case "auto" -> AUTO;
            default -> throw new GraftException(GraftException.Code.USAGE, what + " must be first, none or auto, got '" + text + "'");
        };
    }

    /** "first", "none", "auto": the spelling of the command-line flag. */
    public String label() {
        return this == FIRST_DIM ? "first" : name().toLowerCase(Locale.ROOT);
    }
}
