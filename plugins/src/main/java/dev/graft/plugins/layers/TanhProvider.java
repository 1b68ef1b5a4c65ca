package dev.graft.plugins.layers;

/** {@code tanh}: the hyperbolic tangent element-wise, any input shape. */
public final class TanhProvider extends ActivationProvider {
    public TanhProvider() {
        super("tanh", "hyperbolic tangent, element-wise", (sd, x) -> sd.math().tanh(x));
    }
}
