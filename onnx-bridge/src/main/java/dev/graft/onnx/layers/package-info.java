/**
 * Layer plugins for ONNX operations that no built-in Graft layer expresses, registered in
 * {@code META-INF/services/dev.graft.api.layer.LayerProvider} with ids prefixed {@code onnx-}:
 * {@code onnx-binary} (Add / Sub / Mul / Div / Pow with broadcasting, of two inputs or an input and a
 * parameter {@code c}), {@code onnx-unary} (element-wise functions), {@code onnx-transpose},
 * {@code onnx-pad}, {@code onnx-slice}, {@code onnx-reverse}, {@code onnx-prelu}, {@code onnx-nary}
 * (Max / Min / Sum / Mean), {@code onnx-reduce}, {@code onnx-arg}, {@code onnx-cumsum},
 * {@code onnx-matmul}, {@code onnx-conv2d} (a convolution by a weight input), {@code onnx-conv3d},
 * {@code onnx-pool} (N-D, dilated pooling), {@code onnx-reshape} (scalars too), {@code onnx-constant}
 * (a constant repeated per example), {@code onnx-select} (element moves known at import),
 * {@code onnx-conv-transpose}, {@code onnx-expand}, {@code onnx-compare}, {@code onnx-where},
 * {@code onnx-resize}, and
 * {@code onnx-fold-batch} / {@code onnx-unfold-batch} (an ONNX batch axis as Graft's batch around a
 * layer that works on batches). They work on per-example shapes like every Graft layer, so a saved
 * imported model needs the onnx-bridge jar on the plugin path to load.
 *
 * <p>Each passes the testkit's {@code LayerContract} (float64 gradient checks in both modes, config
 * and save/load round-trips, float32, batch of one), except the fold / unfold pair, which changes the
 * batch size and is checked inside a network. ND4J 1.0.0-M2.1 gradient bugs worked around: division
 * by an operand broadcast from one element ({@code a * (1 / b)} instead), pairwise max / min of
 * broadcast operands (broadcast first by adding zeros), {@code cumsum} (a product with a triangular
 * matrix instead), gather (a product with a selection matrix instead); 3-D convolution is a sum of
 * the checked 2-D convolutions.
 */
package dev.graft.onnx.layers;
