package dev.graft.plugins.layers;

import dev.graft.api.init.InitSpec;

/** Validation of plugin ids written in layer configs. */
final class Ids {
    private Ids() {
    }

    /** Checks that {@code value} looks like a plugin id; {@code key} names the config key in the message. */
    static void requireId(String key, String value) {
        if (value == null || !value.matches("[a-z][a-z0-9]*(-[a-z0-9]+)*")) {
            throw new IllegalArgumentException(key + " must be an initializer id in lower-kebab-case such as"
                    + " xavier-uniform, he-normal or zeros, got '" + value + "'");
        }
    }

    /** Checks an initializer given in a config: present, with an id that looks like a plugin id. */
    static void requireInit(String key, InitSpec spec) {
        if (spec == null) {
            throw new IllegalArgumentException(key + " must name an initializer, such as xavier-uniform or"
                    + " {type: normal, std: 0.02}");
        }
        requireId(key, spec.id());
    }
}
