package dev.graft.api.init;

import java.util.Map;

/**
 * Which initializer plugin fills a parameter, and its options (as they would appear in a config
 * file). {@code InitSpec.of("he-normal")}; {@code new InitSpec("constant", Map.of("value", 0.1))}.
 */
public record InitSpec(String id, Map<String, Object> options) {
    public InitSpec {
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("initializer id must not be empty");
        }
        options = Map.copyOf(options);
    }

    public static InitSpec of(String id) {
        return new InitSpec(id, Map.of());
    }
}
