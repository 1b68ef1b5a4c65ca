package dev.graft.plugins.layers;

import dev.graft.api.Shape;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * {@code log-softmax}: {@code x_i - log(sum_j exp(x_j))} over the last axis (PyTorch's
 * {@code log_softmax(x, dim=-1)}), computed stably as {@code s - log(sum(exp(s)))} with
 * {@code s = x - max(x)}, so large logits do not overflow. Any input shape; for a {@code [classes]}
 * output, {@code exp} of each row sums to 1.
 *
 * <p>ND4J's {@code nn.logSoftmax} with an explicit axis fails to build its gradient in 1.0.0-M2.1;
 * reductions over a negative axis (counted from the end) give wrong gradients and wrong results on
 * placeholders of unknown batch size; and a reduction along a single axis of size 1 throws. So the
 * composition views the input as {@code [rows, classes, 1]} and reduces over the positive axes 1 and 2.
 */
public final class LogSoftmaxProvider extends ActivationProvider {
    public LogSoftmaxProvider() {
        super("log-softmax", "log of the softmax over the last axis, computed stably", (ctx, x) -> {
            Shape shape = ctx.inputShapes().get(0);
            // [rows, classes, 1], reduced over axes 1 and 2 (see the class comment)
            SDVariable rows = x.reshape(-1, shape.dim(shape.rank() - 1), 1);
            SDVariable s = rows.sub(rows.max(true, 1, 2));
            SDVariable logSum = ctx.sd().math().log(ctx.sd().math().exp(s).sum(true, 1, 2));
            return s.sub(logSum).reshape(shape.withBatch(-1));
        });
    }
}
