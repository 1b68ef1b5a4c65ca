package dev.graft.onnx.export.builtin;

import dev.graft.api.Shape;
import dev.graft.onnx.export.OnnxLayerExporter.Context;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;

/** Exporters of the normalisation layers, in their inference form. */
public final class Norms {
    private Norms() {
    }

    /**
     * {@code batch-norm} as {@code BatchNormalization} with the running statistics (inference form);
     * without {@code affine}, a scale of ones and a bias of zeros.
     */
    public static final class BatchNorm extends Base.Layer {
        public BatchNorm() {
            super("batch-norm", "exports batch-norm as ONNX BatchNormalization with the running statistics");
        }

        @Override
        public String export(Context ctx) {
            long c = ctx.inputShape().dim(0);
            boolean affine = Cfg.bool(ctx.config(), "affine");
            String scale = affine ? ctx.param("gamma") : ctx.constant("gamma", Nd4j.ones(DataType.FLOAT, c));
            String bias = affine ? ctx.param("beta") : ctx.constant("beta", Nd4j.zeros(DataType.FLOAT, c));
            return ctx.op("BatchNormalization").input(ctx.input(), scale, bias, ctx.param("running_mean"), ctx.param("running_var"))
                    .attr("epsilon", Cfg.number(ctx.config(), "eps")).output();
        }
    }

    /**
     * {@code layer-norm} over the last {@code axes} axes: {@code LayerNormalization} from opset 17;
     * below, its formula {@code (x - mean) / sqrt(var + eps) * gamma + beta} with {@code ReduceMean}.
     */
    public static final class LayerNorm extends Base.Layer {
        public LayerNorm() {
            super("layer-norm", "exports layer-norm as ONNX LayerNormalization (opset 17 on) or its formula");
        }

        @Override
        public String export(Context ctx) {
            int k = (int) Cfg.integer(ctx.config(), "axes");
            double eps = Cfg.number(ctx.config(), "eps");
            boolean affine = Cfg.bool(ctx.config(), "elementwise-affine");
            Shape in = ctx.inputShape();
            long[] normalised = Arrays.copyOfRange(in.dims(), in.rank() - k, in.rank());
            String x = ctx.input();
            if (ctx.opset() >= 17) {
                String scale = affine ? ctx.param("gamma") : ctx.constant("gamma", Nd4j.ones(DataType.FLOAT, normalised));
                var n = ctx.op("LayerNormalization").input(x, scale);
                if (affine) {
                    n.input(ctx.param("beta"));
                }
                return n.attr("axis", (long) -k).attr("epsilon", eps).output();
            }
            long[] axes = new long[k];
            for (int i = 0; i < k; i++) {
                axes[i] = in.rank() + 1 - k + i;
            }
            String centred = Ops.binary(ctx, "Sub", x, Ops.reduce(ctx, "ReduceMean", x, axes, true));
            String var = Ops.reduce(ctx, "ReduceMean", Ops.binary(ctx, "Mul", centred, centred), axes, true);
            String std = ctx.op("Sqrt").input(Ops.binary(ctx, "Add", var, ctx.scalar("eps", eps))).output();
            String y = Ops.binary(ctx, "Div", centred, std);
            if (!affine) {
                return y;
            }
            return Ops.binary(ctx, "Add", Ops.binary(ctx, "Mul", y, ctx.param("gamma")), ctx.param("beta"));
        }
    }
}
