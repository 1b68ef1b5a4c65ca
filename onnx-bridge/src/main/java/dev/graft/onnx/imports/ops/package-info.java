/**
 * The built-in ONNX op converters (plugins of kind {@code onnx-op}, id {@code onnx-<op type>}, default
 * domain), listed in {@code META-INF/services/dev.graft.onnx.imports.OnnxOpConverter}.
 *
 * <p>Each maps ONNX nodes onto Graft layer plugins working on per-example shapes. Under
 * {@link dev.graft.onnx.imports.BatchAxis#FIRST_DIM} the ONNX batch axis is removed (images
 * {@code [C, H, W]}, vectors {@code [F]}) and converters refuse what would touch it; under {@code NONE}
 * per-example shapes are the whole ONNX shapes behind an implicit batch of 1. The helpers of
 * {@link dev.graft.onnx.imports.ops.OpConverter} ({@code exampleAxis(ctx, ...)}, {@code fullRank(ctx, ...)},
 * {@code onnxShape}, {@code fold} / {@code unfold}, {@code reshape}, {@code promote}) hide the
 * difference. Initializers that a layer takes become its trainable parameters (Gemm's B and C are a
 * {@code dense} layer's {@code W} and {@code b}); constants that only feed shape arithmetic are
 * computed at import (class {@code Const}). The graph computes in float32; converters record each
 * value's ONNX element type and keep integer values whole ({@code Div} of integers truncates).
 *
 * <p>The converters, grouped: layers with parameters (Gemm, MatMul, Conv 1-D to 3-D, BatchNormalization,
 * LayerNormalization, InstanceNormalization, PRelu); pooling ({@link Pooling}); element-wise ops
 * ({@link Arithmetic}, {@link Variadic}, {@link Logic}, {@link Unary}, {@link Activations}, Clip, Mod);
 * reductions ({@link Reductions}, {@link ArgOps}, {@link Softmaxes}, CumSum); shape and layout
 * ({@link ShapeOps}, Reshape, Flatten, Transpose, Concat, Pad, {@link Layout}, {@link PassThrough},
 * Constant); gathers and scatters with indices known at import ({@link Selections}); ConvTranspose,
 * Split, Expand, comparisons ({@link Comparisons}), Where and resizing ({@link Resizing}). Each class comment
 * says what is converted to what and what is refused; {@code docs/onnx.md} lists them with their
 * conformance results.
 *
 * <p>Values whose batch axis is not first (PyTorch's multi-head attention transposes and folds it into
 * other axes) are followed as views of a batch-first tensor through Transpose, Reshape, Shape, Slice,
 * Split, MatMul, Gemm, Softmax and arithmetic until the batch is first again (class {@code BatchViews}).
 *
 * <p>A converter that meets something it cannot express throws {@link IllegalArgumentException}
 * saying what the node uses and what native import supports; the importer prefixes the model and the
 * node. Ops no converter handles, and nodes a converter refuses from their attributes alone
 * ({@link dev.graft.onnx.imports.OnnxOpConverter#unsupported}), are listed all at once before anything
 * is converted.
 */
package dev.graft.onnx.imports.ops;
