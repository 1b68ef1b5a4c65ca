package dev.graft.api;

/** Whether a graph is built for training (dropout active, batch statistics) or for inference. */
public enum Mode {
    TRAIN,
    INFER
}
