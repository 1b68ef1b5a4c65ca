package dev.graft.plugins.layers;

/**
 * {@code softmax}: {@code exp(x_i) / sum_j exp(x_j)} over the last axis, so each row of a
 * {@code [classes]} output sums to 1 (for {@code [channels, h, w]} inputs it normalises along
 * {@code w}). Do not put it before {@code softmax-cross-entropy}, which expects logits.
 */
public final class SoftmaxProvider extends ActivationProvider {
    public SoftmaxProvider() {
        super("softmax", "softmax over the last axis (rows sum to 1)", (ctx, x) -> ctx.sd().nn().softmax(x, -1));
    }
}
