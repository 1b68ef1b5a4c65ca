package dev.graft.plugins.layers;

import dev.graft.api.GraftApi;
import dev.graft.api.config.Default;
import dev.graft.api.config.Doc;
import dev.graft.api.layer.Layer;
import dev.graft.api.layer.LayerProvider;

import java.util.List;

/**
 * {@code max-pool2d}: the maximum of each window (PyTorch's {@code nn.MaxPool2d}); padding never wins
 * (it acts as minus infinity, as in PyTorch).
 *
 * <p>Input one example {@code [channels, h, w]}, output {@code [channels, h', w']} with, per axis,
 * {@code out = floor((size + 2 * padding - kernel) / stride) + 1}. Options: {@code kernel} (one size or
 * {@code [kh, kw]}), {@code stride} (same forms; by default the kernel, so windows do not overlap) and
 * {@code padding}: explicit amounts added at both ends ({@code 0}, the default, {@code 1} or
 * {@code [ph, pw]}, each at most half the kernel as in PyTorch; {@code valid} means 0), or {@code same} (output
 * {@code ceil(size / stride)}, the odd padding element at the bottom / right, as TensorFlow / ONNX
 * {@code SAME_UPPER}). No parameters.
 */
public final class MaxPool2dProvider implements LayerProvider<MaxPool2dProvider.Config> {

    /** Options of {@code max-pool2d}. */
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

    public MaxPool2dProvider() {
    }

    @Override
    public String id() {
        return "max-pool2d";
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
        return "2-D max pooling on [channels, height, width]";
    }

    @Override
    public Layer create(Config config) {
        return Pooling.layer(id(), true, 2, config.kernel(), config.stride(), config.padding());
    }
}
