/**
 * Graft's built-in plugins, written against {@code dev.graft.api} alone (plus nd4j-api), so they
 * prove the SPI is enough: {@link dev.graft.plugins.layers layers}, {@link dev.graft.plugins.loss
 * losses}, {@link dev.graft.plugins.optim optimizers}, {@link dev.graft.plugins.init initializers},
 * {@link dev.graft.plugins.metric metrics}, {@link dev.graft.plugins.transform transforms} and
 * {@link dev.graft.plugins.data datasets}. Each is listed in its kind's
 * {@code META-INF/services} file and found by the runtime through {@link java.util.ServiceLoader}.
 */
package dev.graft.plugins;
