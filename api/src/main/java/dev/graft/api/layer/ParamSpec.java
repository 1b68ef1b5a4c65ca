package dev.graft.api.layer;

import dev.graft.api.init.Fan;
import dev.graft.api.init.InitSpec;

import java.util.Arrays;

/**
 * A parameter a layer declares.
 *
 * @param name      short name, unique in the layer ({@code W}, {@code b}); the model calls it
 *                  {@code node.name}
 * @param role      what it is for
 * @param shape     its full shape
 * @param init      how to initialise it
 * @param fan       fan-in and fan-out for scaled initializers
 * @param trainable false for statistics the optimizer must not touch
 */
public record ParamSpec(String name, ParamRole role, long[] shape, InitSpec init, Fan fan, boolean trainable) {
    public ParamSpec {
        if (name == null || !name.matches("[A-Za-z][A-Za-z0-9_]*")) {
            throw new IllegalArgumentException("parameter name must be an identifier, got '" + name + "'");
        }
        if (shape == null || shape.length == 0 || Arrays.stream(shape).anyMatch(d -> d <= 0)) {
            throw new IllegalArgumentException("parameter " + name + " needs a positive shape, got " + Arrays.toString(shape));
        }
        shape = shape.clone();
    }

    /** A trainable parameter. */
    public static ParamSpec of(String name, ParamRole role, InitSpec init, Fan fan, long... shape) {
        return new ParamSpec(name, role, shape, init, fan, true);
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ParamSpec p && name.equals(p.name) && role == p.role && Arrays.equals(shape, p.shape)
                && init.equals(p.init) && fan.equals(p.fan) && trainable == p.trainable;
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return name + Arrays.toString(shape) + " " + role + " init=" + init.id();
    }
}
