/**
 * The {@code ort} {@link dev.graft.onnx.InferenceEngine}: ONNX Runtime through its Java API, with
 * Graft's input checks and messages, ND4J arrays in and out.
 */
package dev.graft.onnx.ort;
