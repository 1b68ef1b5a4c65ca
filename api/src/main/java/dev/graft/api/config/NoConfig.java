package dev.graft.api.config;

/** The config of a plugin that takes no options. Any key given to it is an error. */
public record NoConfig() {
    public static final NoConfig INSTANCE = new NoConfig();
}
