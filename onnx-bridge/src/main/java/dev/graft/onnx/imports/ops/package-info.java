/**
 * The built-in ONNX op converters (plugins of kind {@code onnx-op}, id {@code onnx-<op type>}, default
 * domain), listed in {@code META-INF/services/dev.graft.onnx.imports.OnnxOpConverter}.
 *
 * <p>Each maps ONNX nodes onto Graft layer plugins working on per-example shapes (the ONNX batch axis
 * removed): images {@code [C, H, W]}, vectors {@code [F]}. Initializers that a layer takes become its
 * trainable parameters (Gemm's B and C are a {@code dense} layer's {@code W} and {@code b}); constants
 * that only feed shape arithmetic are computed at import (class {@code Const}).
 *
 * <table>
 *   <caption>Converters</caption>
 *   <tr><th>ONNX op (opsets)</th><th>Graft nodes</th><th>refused</th></tr>
 *   <tr><td>Gemm (7-17)</td><td>dense; transB and alpha / beta folded into W / b</td><td>transA, computed B or C, a per-row C</td></tr>
 *   <tr><td>MatMul (7-17)</td><td>dense or onnx-matmul (units), fusing a following bias Add; onnx-matmul of two values</td><td>constant left operand</td></tr>
 *   <tr><td>Conv (7-17)</td><td>conv1d / conv2d (+ onnx-pad for padding they cannot express)</td><td>3-D, computed weights</td></tr>
 *   <tr><td>MaxPool, AveragePool (7-17)</td><td>max/avg-pool1d/2d (+ onnx-pad; count_include_pad 0 as an exact rescale)</td><td>dilations, Indices output, partial ceil windows for AveragePool</td></tr>
 *   <tr><td>GlobalAveragePool, GlobalMaxPool (7-17)</td><td>global-avg-pool + reshape; onnx-reduce max</td><td></td></tr>
 *   <tr><td>Relu, Sigmoid, Tanh, LeakyRelu, Elu (7-17)</td><td>relu, sigmoid, tanh, leaky-relu, elu</td><td>negative alpha</td></tr>
 *   <tr><td>Softmax, LogSoftmax (7-17)</td><td>softmax / log-softmax (+ onnx-transpose or reshape for other axes, per opset)</td><td>the batch axis</td></tr>
 *   <tr><td>Flatten, Reshape (7-17)</td><td>flatten, reshape</td><td>axes / targets that touch the batch</td></tr>
 *   <tr><td>BatchNormalization (7-17)</td><td>batch-norm (momentum = 1 - ONNX momentum)</td><td>training mode, spatial = 0</td></tr>
 *   <tr><td>Identity, Dropout, Cast to float (7-17)</td><td>the input itself</td><td>Dropout's mask</td></tr>
 *   <tr><td>Constant, Shape, Gather, Slice, Unsqueeze, Squeeze, Cast, Concat, ConstantOfShape</td><td>folded constants (the batch size kept as a marker for Reshape)</td><td>arithmetic on the batch size</td></tr>
 *   <tr><td>Add, Sub, Mul, Div, Pow (7-17)</td><td>onnx-binary (constant as parameter c) or add</td><td>operands whose batch axes do not line up</td></tr>
 *   <tr><td>Concat, Transpose, Pad, Slice, Gather, Unsqueeze, Squeeze on computed values</td><td>concat, onnx-transpose, onnx-pad, onnx-slice, reshape</td><td>anything that moves or slices the batch axis</td></tr>
 *   <tr><td>Sqrt, Exp, Log, Neg, Abs, Reciprocal, Erf, Softplus, Softsign, HardSigmoid, HardSwish, Clip</td><td>onnx-unary</td><td>computed Clip bounds</td></tr>
 *   <tr><td>PRelu; Max, Min, Sum, Mean; ReduceMean / Sum / Max / Min / SumSquare / L2</td><td>onnx-prelu; onnx-nary (or add); onnx-reduce</td><td>reducing the batch axis</td></tr>
 *   <tr><td>LayerNormalization (17)</td><td>layer-norm over the trailing axes</td><td>its Mean / InvStdDev outputs</td></tr>
 *   <tr><td>ConvTranspose (7-17)</td><td>onnx-conv-transpose (groups, dilations, pads, output_padding, auto_pad, output_shape)</td><td>3-D</td></tr>
 *   <tr><td>Split (7-17), Expand (8-17)</td><td>onnx-slice per output; onnx-expand; folded for constants</td><td>the batch axis, computed sizes or shapes</td></tr>
 *   <tr><td>Equal, Less, Greater (7-17), Where (9-17)</td><td>onnx-compare (1 / 0, no gradient); onnx-where as m * x + (1 - m) * y; folded for constants</td><td>operands whose batch axes do not line up</td></tr>
 *   <tr><td>Resize (10-17), Upsample (7-9)</td><td>onnx-resize (nearest, linear; asymmetric, half_pixel, pytorch_half_pixel, align_corners)</td><td>cubic, other coordinate modes, resizing the batch</td></tr>
 * </table>
 *
 * <p>Values whose batch axis is not first (PyTorch's multi-head attention transposes and folds it into
 * other axes) are followed as views of a batch-first tensor through Transpose, Reshape, Shape, Slice,
 * Split, MatMul, Gemm, Softmax and arithmetic until the batch is first again (class {@code BatchViews}).
 *
 * <p>A converter that meets something it cannot express throws {@link IllegalArgumentException}
 * saying what the node uses and what native import supports; the importer prefixes the model and the
 * node. Ops no converter handles are listed all at once before anything is converted.
 */
package dev.graft.onnx.imports.ops;
