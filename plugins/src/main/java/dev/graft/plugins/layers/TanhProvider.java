package dev.graft.plugins.layers;

/** {@code tanh}: the hyperbolic tangent element-wise, any input shape. */
public final class TanhProvider extends ActivationProvider {
    public TanhProvider() {
        super("tanh", "hyperbolic tangent, element-wise", (ctx, x) -> ctx.sd().math().tanh(x));
    }
}
