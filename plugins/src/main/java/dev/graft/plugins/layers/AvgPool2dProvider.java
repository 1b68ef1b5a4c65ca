package dev.graft.plugins.layers;

import dev.graft.api.GraftApi;
import dev.graft.api.config.Default;
import dev.graft.api.config.Doc;
import dev.graft.api.layer.Layer;
import dev.graft.api.layer.LayerProvider;

import java.util.List;

/**
 * {@code avg-pool2d}: the mean of each window (PyTorch's {@code nn.AvgPool2d} with its default
 * {@code count_include_pad=True}): padding counts as zeros in the mean, so a corner window of a 3 x 3
 * kernel with padding 1 divides the sum of its 4 real values by 9. The same holds for {@code same}
 * padding (TensorFlow instead divides by the number of real values).
 *
 * <p>Input one example {@code [channels, h, w]}, output {@code [channels, h', w']} with, per axis,
 * {@code out = floor((size + 2 * padding - kernel) / stride) + 1}. Options: {@code kernel} (one size or
 * {@code [kh, kw]}), {@code stride} (same forms; by default the kernel, so windows do not overlap) and
 * {@code padding}: explicit amounts added at both ends ({@code 0}, the default, {@code 1} or
 * {@code [ph, pw]}, each at most half the kernel as in PyTorch; {@code valid} means 0), or {@code same} (output
 * {@code ceil(size / stride)}, the odd padding element at the bottom / right, as TensorFlow / ONNX
 * {@code SAME_UPPER}). No parameters.
 */
public final class AvgPool2dProvider implements LayerProvider<AvgPool2dProvider.Config> {

    /** Options of {@code avg-pool2d}. */
    public record Config(
            @Doc("window size: one size or [kh, kw]") List<Integer> kernel,
            @Doc("step between windows: one value or [sh, sw]; by default the kernel") @Default(Default.NULL) List<Integer> stride,
            @Doc("padding added at both ends (one value or [ph, pw], at most half the kernel), or same")
            @Default("0") List<String> padding) {
        public Config {
            kernel = Conv2dProvider.Config.copy("kernel", kernel);
            stride = stride == null ? null : Conv2dProvider.Config.copy("stride", stride);
            if (padding == null) {
                throw new IllegalArgumentException("padding must be 'same', a non-negative integer or a pair [ph, pw] of"
                        + " them, got null");
            }
            padding = Windows.Padding.normalise(padding);
            Pooling.validate(kernel, stride, padding, 2);
        }

        /** Windows of {@code kernel} x {@code kernel}, stride {@code kernel}, no padding. */
        public static Config of(int kernel) {
            return new Config(List.of(kernel), null, List.of("0"));
        }
    }

    public AvgPool2dProvider() {
    }

    @Override
    public String id() {
        return "avg-pool2d";
    }

    @Override
    public String version() {
        return "1.0.0";
    }

    @Override
    public String apiVersion() {
        return GraftApi.VERSION;
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public String description() {
        return "2-D average pooling on [channels, height, width]; padding counts as zeros";
    }

    @Override
    public Layer create(Config config) {
        return Pooling.layer(id(), false, 2, config.kernel(), config.stride(), config.padding());
    }
}
