/**
 * Built-in layers.
 * <ul>
 *   <li>Dense and convolutional: {@code dense}, {@code conv1d}, {@code conv2d} (weights in the
 *       PyTorch / ONNX layout {@code [out, in / groups, ...kernel]}).</li>
 *   <li>Pooling: {@code max-pool1d}, {@code max-pool2d}, {@code avg-pool1d}, {@code avg-pool2d},
 *       {@code global-avg-pool}.</li>
 *   <li>Normalisation: {@code batch-norm} (running statistics through
 *       {@link dev.graft.api.layer.LayerContext#updateState}), {@code layer-norm}.</li>
 *   <li>Sequences: {@code embedding}, {@code lstm}.</li>
 *   <li>Activations: {@code relu}, {@code leaky-relu}, {@code elu}, {@code gelu}, {@code silu},
 *       {@code sigmoid}, {@code tanh}, {@code softmax}, {@code log-softmax}.</li>
 *   <li>Structure: {@code dropout}, {@code flatten}, {@code reshape}, and the multi-input
 *       {@code add} and {@code concat}.</li>
 * </ul>
 * Shapes are per example, without the batch dimension: images {@code [C, H, W]} (NCHW), sequences
 * {@code [T, F]} (batch-first) for {@code lstm} and channel-first {@code [C, L]} for the 1-D
 * convolutions and pools. Each forward pass uses only SameDiff ops whose gradients pass the testkit's
 * finite-difference check; where an ND4J op's gradient is broken in 1.0.0-M2.1 the layer composes
 * primitives instead and says so in its documentation.
 *
 * <h2>ND4J 1.0.0-M2.1 pitfalls these layers avoid</h2>
 * <ul>
 *   <li>{@code cnn.conv2d} with {@code weightsFormat = OIYX}: forward right, backward rejects the
 *       weights. Weights stay {@code [out, in, kh, kw]} and are permuted to {@code YXIO} in the graph.</li>
 *   <li>Average pooling's {@code INCLUDE_PADDING} divisor is ignored: padding is an explicit
 *       {@code nn.pad}.</li>
 *   <li>A reduction ({@code mean}, {@code sum}, {@code max}) along a <em>single</em> axis of size 1
 *       throws a NullPointerException, e.g. the batch mean of a batch of one. Reductions over two or
 *       more axes work, so the normalisation layers, {@code log-softmax} and {@code global-avg-pool}
 *       reshape to a view with a trailing unit axis and always reduce over at least two axes.</li>
 *   <li>Reductions over a negative axis with {@code keepDims} give wrong gradients and wrong values on
 *       placeholders of unknown batch size: axes are always given as positive indices.</li>
 *   <li>{@code rnn.lstmLayer} fails in its forward pass with one unit; {@code lstm} composes the cell
 *       for that case. The backward pass of point indexing ({@code SDIndex.point}) fails on some shapes;
 *       interval indexing is used instead.</li>
 *   <li>{@code nn.batchNorm}, {@code nn.logSoftmax} with an axis and {@code gather} have no working
 *       gradient (see ND4J-NOTES).</li>
 * </ul>
 */
package dev.graft.plugins.layers;
