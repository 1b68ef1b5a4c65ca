package dev.graft.plugins.layers;

/** {@code sigmoid}: the logistic function {@code 1 / (1 + exp(-x))} element-wise, any input shape. */
public final class SigmoidProvider extends ActivationProvider {
    public SigmoidProvider() {
        super("sigmoid", "logistic sigmoid 1 / (1 + exp(-x)), element-wise", (ctx, x) -> ctx.sd().nn().sigmoid(x));
    }
}
