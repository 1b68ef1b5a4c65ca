package dev.graft.plugins.layers;

/**
 * {@code silu}: the sigmoid-weighted linear unit {@code x * sigmoid(x)} element-wise, any input shape
 * (PyTorch's {@code nn.SiLU}, also called swish).
 */
public final class SiluProvider extends ActivationProvider {
    public SiluProvider() {
        super("silu", "sigmoid-weighted linear unit x * sigmoid(x), element-wise",
                (ctx, x) -> x.mul(ctx.sd().nn().sigmoid(x)));
    }
}
