package dev.graft.plugins.layers;

import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.enums.WeightsFormat;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;

/**
 * The SameDiff ops behind the convolution and pooling layers, on NCHW batches, in the forms whose
 * gradients pass the float64 check in ND4J 1.0.0-M2.1.
 *
 * <ul>
 *   <li>{@code cnn.conv2d} with {@code weightsFormat = OIYX} computes the right forward pass, but its
 *       backward op ({@code conv2d_bp}) ignores the format and rejects the weights. The weights are
 *       therefore kept in PyTorch/ONNX layout {@code [out, in/groups, kh, kw]} and permuted to ND4J's
 *       default {@code YXIO} ({@code [kh, kw, in, out]}) in the graph; the permute is differentiated.</li>
 *   <li>Padding that is the same at both ends of an axis is the op's own {@code pH}/{@code pW};
 *       asymmetric ("same") padding is an explicit {@code nn.pad} in front of an unpadded op.</li>
 *   <li>{@code groups == in-channels} uses {@code cnn.depthWiseConv2d} (weights {@code [kh, kw, in,
 *       multiplier]}); other groups split the input channels and the filters, convolve each group and
 *       concatenate.</li>
 *   <li>Pooling pads explicitly with {@code nn.pad} (zeros for average pooling, so padding counts in
 *       the mean; minus infinity for max pooling, so padding never wins) and pools without padding:
 *       the pooling ops' own {@code INCLUDE_PADDING} divisor was measured to be ignored.</li>
 * </ul>
 */
final class Convolutions {
    private Convolutions() {
    }

    /**
     * A grouped 2-D convolution (cross-correlation, as PyTorch's).
     *
     * @param x       {@code [batch, in, h, w]}
     * @param weight  {@code [out, in / groups, kh, kw]}
     * @param bias    {@code [out]} or null
     * @param pads    {@code [[top, bottom], [left, right]]}
     */
    static SDVariable conv2d(SameDiff sd, SDVariable x, SDVariable weight, SDVariable bias, long in, long out, int groups,
                             int[] kernel, int[] stride, int[] dilation, long[][] pads) {
        long ph = 0;
        long pw = 0;
        if (Windows.Padding.symmetric(pads)) {
            ph = pads[0][0];
            pw = pads[1][0];
        } else {
            x = pad(sd, x, pads, 0.0);
        }
        Conv2DConfig cfg = Conv2DConfig.builder()
                .kH(kernel[0]).kW(kernel[1]).sH(stride[0]).sW(stride[1]).pH(ph).pW(pw).dH(dilation[0]).dW(dilation[1])
                .paddingMode(PaddingMode.VALID).dataFormat(Conv2DConfig.NCHW).weightsFormat(WeightsFormat.YXIO)
                .build();
        if (groups == 1) {
            return conv(sd, x, weight.permute(2, 3, 1, 0), bias, cfg);
        }
        if (groups == in) {
            long multiplier = out / in;
            SDVariable w = weight.reshape(in, multiplier, kernel[0], kernel[1]).permute(2, 3, 0, 1);
            return bias == null ? sd.cnn().depthWiseConv2d(x, w, cfg) : sd.cnn().depthWiseConv2d(x, w, bias, cfg);
        }
        long inPerGroup = in / groups;
        long outPerGroup = out / groups;
        List<SDVariable> parts = new ArrayList<>();
        for (int g = 0; g < groups; g++) {
            SDVariable xg = x.get(SDIndex.all(), SDIndex.interval(g * inPerGroup, (g + 1) * inPerGroup));
            SDVariable wg = weight.get(SDIndex.interval(g * outPerGroup, (g + 1) * outPerGroup)).permute(2, 3, 1, 0);
            SDVariable bg = bias == null ? null : bias.get(SDIndex.interval(g * outPerGroup, (g + 1) * outPerGroup));
            parts.add(conv(sd, xg, wg, bg, cfg));
        }
        return sd.concat(1, parts.toArray(new SDVariable[0]));
    }

    private static SDVariable conv(SameDiff sd, SDVariable x, SDVariable w, SDVariable b, Conv2DConfig cfg) {
        return b == null ? sd.cnn().conv2d(x, w, cfg) : sd.cnn().conv2d(x, w, b, cfg);
    }

    /**
     * 2-D max or average pooling with explicit padding.
     *
     * @param x    {@code [batch, channels, h, w]}
     * @param pads {@code [[top, bottom], [left, right]]}
     */
    static SDVariable pool2d(SameDiff sd, SDVariable x, boolean max, int[] kernel, int[] stride, long[][] pads) {
        if (!Windows.Padding.none(pads)) {
            x = pad(sd, x, pads, max ? Double.NEGATIVE_INFINITY : 0.0);
        }
        Pooling2DConfig cfg = Pooling2DConfig.builder()
                .kH(kernel[0]).kW(kernel[1]).sH(stride[0]).sW(stride[1]).pH(0).pW(0).dH(1).dW(1)
                .paddingMode(PaddingMode.VALID).isNHWC(false)
                .build();
        return max ? sd.cnn().maxPooling2d(x, cfg) : sd.cnn().avgPooling2d(x, cfg);
    }

    /** Pads the two spatial axes of an NCHW batch with a constant. */
    static SDVariable pad(SameDiff sd, SDVariable x, long[][] pads, double value) {
        int[][] amounts = {{0, 0}, {0, 0}, {(int) pads[0][0], (int) pads[0][1]}, {(int) pads[1][0], (int) pads[1][1]}};
        return sd.nn().pad(x, sd.constant(Nd4j.createFromArray(amounts)), value);
    }
}
