package dev.graft.api.init;

/**
 * Fan-in and fan-out of a parameter, as scaled initializers (Xavier, He, LeCun) use them. For a
 * dense weight {@code [in, out]} they are {@code in} and {@code out}; for a convolution kernel they
 * are multiplied by the receptive field size.
 */
public record Fan(long in, long out) {
    public Fan {
        if (in <= 0 || out <= 0) {
            throw new IllegalArgumentException("fan-in and fan-out must be positive, got " + in + ", " + out);
        }
    }
}
