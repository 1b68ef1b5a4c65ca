/**
 * Layer plugins for ONNX operations that no built-in Graft layer expresses, registered in
 * {@code META-INF/services/dev.graft.api.layer.LayerProvider} with ids prefixed {@code onnx-}:
 * {@code onnx-binary} (Add / Sub / Mul / Div / Pow with broadcasting, of two inputs or an input and a
 * parameter {@code c}), {@code onnx-unary} (element-wise functions), {@code onnx-transpose},
 * {@code onnx-pad}, {@code onnx-slice}, {@code onnx-prelu}, {@code onnx-nary} (Max / Min / Sum /
 * Mean), {@code onnx-reduce}, {@code onnx-matmul}, {@code onnx-conv-transpose}, {@code onnx-expand},
 * {@code onnx-compare}, {@code onnx-where} and {@code onnx-resize}. They work on per-example shapes like every Graft
 * layer, so a saved imported model needs the onnx-bridge jar on the plugin path to load.
 *
 * <p>Each passes the testkit's {@code LayerContract} (float64 gradient checks in both modes, config
 * and save/load round-trips, float32, batch of one). Two ND4J 1.0.0-M2.1 gradient bugs are worked
 * around: division by an operand broadcast from one element ({@code a * (1 / b)} instead), and
 * pairwise max / min of broadcast operands (broadcast first by adding zeros).
 */
package dev.graft.onnx.layers;
