/**
 * Tests every Graft plugin author runs.
 *
 * <ul>
 *   <li>{@link dev.graft.testkit.GradientCheck}: finite-difference gradient checks (float64) for a
 *       {@link dev.graft.api.layer.Layer} or a {@link dev.graft.api.loss.Loss}. SameDiff computes your
 *       gradients; this proves they are right for the ops you chose.</li>
 *   <li>{@link dev.graft.testkit.LossContract}: the whole contract of a loss plugin in one call:
 *       provider rules, config round-trip, target check and gradient check, with labels in the form
 *       the loss asks for.</li>
 *   <li>{@link dev.graft.testkit.LayerContract}: everything a layer plugin must get right in one call:
 *       the provider rules, gradient checks in both modes, config and save/load round-trips, train vs
 *       infer behaviour and float32.</li>
 *   <li>{@link dev.graft.testkit.ProviderContract}: id, version, API version, config record and
 *       description rules, for one provider or everything in a services file.</li>
 *   <li>{@link dev.graft.testkit.LayerRunner}: runs a forward pass on concrete arrays, to test what a
 *       layer computes (and, in training, the state updates it asks for).</li>
 *   <li>{@link dev.graft.testkit.TestLayerContext}: a {@link dev.graft.api.layer.LayerContext} with fixed
 *       seeded masks, for hand-built graphs.</li>
 * </ul>
 * A typical test class for a layer plugin:
 * <pre>{@code
 * class ScaleLayerTest {
 *     Layer layer = new ScaleLayerProvider().create(new ScaleLayerProvider.Config(2.0));
 *
 *     @Test void contract() {
 *         LayerContract.check(new ScaleLayerProvider(), new ScaleLayerProvider.Config(2.0), Shape.of(3, 4));
 *     }
 *
 *     @Test void gradientsOnAnotherShape() {
 *         GradientCheck.layer(layer).inputs(Shape.of(7)).batch(2).check();
 *     }
 *
 *     @Test void doubles() {
 *         INDArray x = Nd4j.createFromArray(new double[][] {{1, 2}});
 *         assertThat(LayerRunner.of(layer).run(x).output()).isEqualTo(x.mul(2));
 *     }
 * }
 * }</pre>
 */
package dev.graft.testkit;
