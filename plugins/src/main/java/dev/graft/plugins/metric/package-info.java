/**
 * Built-in metrics: for classes {@code accuracy}, {@code top-k-accuracy}, macro {@code precision},
 * {@code recall} and {@code f1-macro}, and {@code precision-micro}, {@code recall-micro} and
 * {@code f1-micro} (scikit-learn's definitions with zero_division=0); for regression {@code mse},
 * {@code mae} and {@code r2}.
 */
package dev.graft.plugins.metric;
