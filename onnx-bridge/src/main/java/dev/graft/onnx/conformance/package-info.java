/**
 * ONNX backend-test runner ({@code model.onnx} + {@code test_data_set_N/{input,output}_K.pb}
 * directories) for any {@link dev.graft.onnx.InferenceEngine}; {@code graft onnx-test} is its command
 * line.
 */
package dev.graft.onnx.conformance;
