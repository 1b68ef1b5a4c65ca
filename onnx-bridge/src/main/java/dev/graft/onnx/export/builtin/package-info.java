/**
 * The built-in exporters: every layer of the plugins module, the {@code onnx-*} layers of the importer,
 * the feature transforms and the losses' prediction functions.
 *
 * <table>
 *   <caption>Layers</caption>
 *   <tr><th>Graft layer</th><th>ONNX</th></tr>
 *   <tr><td>dense</td><td>Gemm</td></tr>
 *   <tr><td>conv1d, conv2d</td><td>Conv with explicit pads (same padding resolved), strides, dilations, group</td></tr>
 *   <tr><td>max-pool1d/2d, avg-pool1d/2d</td><td>MaxPool, AveragePool (count_include_pad = 1)</td></tr>
 *   <tr><td>global-avg-pool</td><td>GlobalAveragePool + Flatten</td></tr>
 *   <tr><td>batch-norm</td><td>BatchNormalization with the running statistics</td></tr>
 *   <tr><td>layer-norm</td><td>LayerNormalization (opset 17 on), else ReduceMean / Sub / Mul / Sqrt / Div</td></tr>
 *   <tr><td>dropout</td><td>nothing (identity at inference)</td></tr>
 *   <tr><td>flatten, reshape, add, concat</td><td>Flatten, Reshape, Add, Concat</td></tr>
 *   <tr><td>embedding</td><td>Gather, with rounding and zero rows for out-of-range ids as the layer does</td></tr>
 *   <tr><td>lstm</td><td>LSTM (gates reordered) between two Transposes</td></tr>
 *   <tr><td>relu, sigmoid, tanh, leaky-relu, elu, softmax, log-softmax</td><td>the op of the same name</td></tr>
 *   <tr><td>silu, gelu</td><td>x * Sigmoid(x); the Erf (or Tanh) formula</td></tr>
 *   <tr><td>onnx-binary, onnx-unary, onnx-transpose, onnx-pad, onnx-slice, onnx-prelu, onnx-nary, onnx-reduce, onnx-matmul</td>
 *       <td>the ONNX ops they were imported from</td></tr>
 *   <tr><td>onnx-conv-transpose, onnx-expand</td><td>ConvTranspose; Expand (after an Unsqueeze for a lower-rank input)</td></tr>
 *   <tr><td>onnx-compare</td><td>Equal, Less or Greater, then Cast to float</td></tr>
 *   <tr><td>onnx-where</td><td>Where (a computed condition through Equal to 0; a fixed blending condition as m * x + (1 - m) * y)</td></tr>
 *   <tr><td>onnx-reshape, onnx-fold-batch, onnx-unfold-batch</td><td>Reshape</td></tr>
 *   <tr><td>onnx-constant</td><td>Expand of the value to the input's batch size (Shape, Slice, Concat)</td></tr>
 *   <tr><td>onnx-reverse, onnx-cumsum</td><td>Slice with step -1; CumSum</td></tr>
 *   <tr><td>onnx-conv2d, onnx-conv3d</td><td>Conv (onnx-conv2d's weight and bias as inputs, their batch of one squeezed)</td></tr>
 *   <tr><td>onnx-pool</td><td>MaxPool, AveragePool (count_include_pad = 1); a dilated average below opset 19 as a depthwise Conv</td></tr>
 *   <tr><td>onnx-arg</td><td>ArgMax or ArgMin, then Cast to float</td></tr>
 *   <tr><td>onnx-select</td><td>Gather on the flattened examples (times a mask), or MatMul by its 0 / 1 matrix</td></tr>
 *   <tr><td>onnx-resize</td><td>Resize by scales or sizes; as MatMuls by the interpolation matrices where Resize cannot state
 *       the layer or ONNX Runtime does not run it</td></tr>
 * </table>
 * Transforms: {@code standardize}, {@code min-max} (Sub, Div), {@code one-hot} (Slice, Equal, Cast,
 * Concat). Prediction functions: {@code softmax-cross-entropy} (Softmax), {@code binary-cross-entropy}
 * (Sigmoid), {@code nll} (Exp); {@code mse}, {@code mae}, {@code huber} add nothing.
 */
package dev.graft.onnx.export.builtin;
