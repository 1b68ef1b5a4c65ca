package dev.graft.api;

/**
 * Thrown by plugins for a user error they detect at run time (a bad data file, a bad cell, an
 * impossible shape). The message must name what was wrong (file, row, column, node) and what is
 * allowed; Graft prints it without a stack trace.
 */
public class PluginException extends RuntimeException {
    public PluginException(String message) {
        super(message);
    }

    public PluginException(String message, Throwable cause) {
        super(message, cause);
    }
}
