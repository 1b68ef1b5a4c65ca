package dev.graft.runtime.plugin;

/** How a discovered provider fared. */
public enum PluginStatus {
    /** Constructed and usable. */
    LOADED,
    /** Its class could not be loaded or its constructor threw. */
    FAILED,
    /** Built for an API version this runtime does not offer. */
    INCOMPATIBLE,
    /** Another provider of the same kind has the same id; neither is used. */
    DUPLICATE;

    public String label() {
        return name().toLowerCase();
    }
}
