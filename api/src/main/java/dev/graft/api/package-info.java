/**
 * The Graft plugin API. Start with {@link dev.graft.api.Plugin}, then the kind you want to add:
 * {@link dev.graft.api.layer.LayerProvider}, {@link dev.graft.api.loss.LossProvider},
 * {@link dev.graft.api.optim.OptimizerProvider}, {@link dev.graft.api.data.DatasetProvider},
 * {@link dev.graft.api.data.TransformProvider}, {@link dev.graft.api.init.InitializerProvider},
 * {@link dev.graft.api.metric.MetricProvider}.
 */
package dev.graft.api;
