/**
 * Tests every Graft plugin author runs.
 *
 * <ul>
 *   <li>{@link dev.graft.testkit.GradientCheck}: finite-difference gradient checks (float64) for a
 *       {@link dev.graft.api.layer.Layer} or a {@link dev.graft.api.loss.Loss}. SameDiff computes your
 *       gradients; this proves they are right for the ops you chose.</li>
 *   <li>{@link dev.graft.testkit.ProviderContract}: id, version, API version, config record and
 *       description rules, for one provider or everything in a services file.</li>
 *   <li>{@link dev.graft.testkit.LayerRunner}: runs a forward pass on concrete arrays, to test what a
 *       layer computes.</li>
 *   <li>{@link dev.graft.testkit.TestLayerContext}: a {@link dev.graft.api.layer.LayerContext} with fixed
 *       seeded masks, for hand-built graphs.</li>
 * </ul>
 * A typical test class for a layer plugin:
 * <pre>{@code
 * class ScaleLayerTest {
 *     Layer layer = new ScaleLayerProvider().create(new ScaleLayerProvider.Config(2.0));
 *
 *     @Test void contract() { ProviderContract.check(new ScaleLayerProvider()); }
 *
 *     @Test void gradients() {
 *         GradientCheck.layer(layer).inputs(Shape.of(3, 4)).batch(2).check();
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
