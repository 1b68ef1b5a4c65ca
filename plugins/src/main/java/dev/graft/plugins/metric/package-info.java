/**
 * Built-in metrics: {@code accuracy}, macro {@code precision}, {@code recall} and {@code f1-macro}
 * (scikit-learn's definitions with zero_division=0) for classes; {@code mse} and {@code mae} for
 * regression.
 */
package dev.graft.plugins.metric;
