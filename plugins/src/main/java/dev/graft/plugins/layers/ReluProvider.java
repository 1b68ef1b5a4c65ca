package dev.graft.plugins.layers;

/** {@code relu}: {@code max(x, 0)} element-wise, any input shape. */
public final class ReluProvider extends ActivationProvider {
    public ReluProvider() {
        super("relu", "rectified linear unit max(x, 0), element-wise", (ctx, x) -> ctx.sd().nn().relu(x, 0));
    }
}
