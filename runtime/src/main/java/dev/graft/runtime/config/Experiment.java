package dev.graft.runtime.config;

import java.nio.file.Path;
import java.util.List;

/**
 * A parsed, checked experiment: data, model, loss, optimizer, training and output. Plugin options
 * are checked against the plugins' config records when the experiment is resolved against a
 * registry ({@link dev.graft.runtime.Graft#prepare}).
 *
 * @param data      the data section
 * @param nodes     the model graph; the common case is a plain list where each node feeds the next
 * @param output    name of the output node
 * @param loss      the loss plugin
 * @param optimizer the optimizer plugin
 * @param schedule  the learning-rate schedule, or null for a constant rate
 * @param groups    optimizer parameter groups (first match wins), may be empty
 * @param training  the training section
 * @param early     early stopping, or null
 * @param checkpoint checkpointing, or null
 * @param outputDir where the trained model and report go
 * @param baseDir   directory relative data paths are resolved against
 * @param source    the config as a tree (for saving with the model)
 * @param tune      the {@code tune} section (used by {@code graft tune} only), or null
 * @param base      the {@code base} section of a fine-tuning experiment, or null; then {@code nodes} are the
 *                  head's nodes (which read the base's output as {@link #BASE}) and {@code output} is the
 *                  head's output node, or null when there is no head (the base's output is the model's)
 */
public record Experiment(DataConfig data, List<NodeConfig> nodes, String output, PluginRef loss, PluginRef optimizer,
                         PluginRef schedule, List<GroupConfig> groups, TrainingConfig training, EarlyStoppingConfig early,
                         CheckpointConfig checkpoint, Path outputDir, Path baseDir, java.util.Map<String, Object> source,
                         TuneConfig tune, BaseConfig base) {
    /** How head nodes name the output of the (cut) base model. */
    public static final String BASE = "base";

    public Experiment {
        nodes = List.copyOf(nodes);
        groups = List.copyOf(groups);
    }

    /** An experiment without a base model. */
    public Experiment(DataConfig data, List<NodeConfig> nodes, String output, PluginRef loss, PluginRef optimizer,
                      PluginRef schedule, List<GroupConfig> groups, TrainingConfig training, EarlyStoppingConfig early,
                      CheckpointConfig checkpoint, Path outputDir, Path baseDir, java.util.Map<String, Object> source,
                      TuneConfig tune) {
        this(data, nodes, output, loss, optimizer, schedule, groups, training, early, checkpoint, outputDir, baseDir, source, tune, null);
    }

    /** Whether this experiment fine-tunes a base model. */
    public boolean fineTunes() {
        return base != null;
    }
}
