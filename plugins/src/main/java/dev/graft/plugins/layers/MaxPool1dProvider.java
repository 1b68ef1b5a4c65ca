package dev.graft.plugins.layers;

import dev.graft.api.GraftApi;
import dev.graft.api.config.Default;
import dev.graft.api.config.Doc;
import dev.graft.api.layer.Layer;
import dev.graft.api.layer.LayerProvider;

import java.util.List;

/**
 * {@code max-pool1d}: the maximum of each window (PyTorch's {@code nn.MaxPool1d}); padding never wins
 * (it acts as minus infinity).
 *
 * <p>Input one example {@code [channels, length]}, output {@code [channels, length']} with
 * {@code length' = floor((length + 2 * padding - kernel) / stride) + 1}. Options: {@code kernel},
 * {@code stride} (by default the kernel) and {@code padding}: a number added at both ends (default 0,
 * at most half the kernel; {@code valid} means 0) or {@code same} (output {@code ceil(length / stride)}).
 * No parameters. It runs as {@code max-pool2d} of height 1.
 */
public final class MaxPool1dProvider implements LayerProvider<MaxPool1dProvider.Config> {

    /** Options of {@code max-pool1d}. */
    public record Config(
            @Doc("window size") int kernel,
            @Doc("step between windows; by default the kernel") @Default(Default.NULL) Integer stride,
            @Doc("padding added at both ends (at most half the kernel), or same") @Default("0") String padding) {
        public Config {
            if (padding == null) {
                throw new IllegalArgumentException("padding must be 'same' or a non-negative integer, got null");
            }
            padding = Windows.Padding.normalise(List.of(padding)).get(0);
            Pooling.validate(List.of(kernel), stride == null ? null : List.of(stride), List.of(padding), 1);
        }

        /** Windows of {@code kernel}, stride {@code kernel}, no padding. */
        public static Config of(int kernel) {
            return new Config(kernel, null, "0");
        }
    }

    public MaxPool1dProvider() {
    }

    @Override
    public String id() {
        return "max-pool1d";
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
        return "1-D max pooling on [channels, length]";
    }

    @Override
    public Layer create(Config config) {
        return Pooling.layer(id(), true, 1, List.of(config.kernel()),
                config.stride() == null ? null : List.of(config.stride()), List.of(config.padding()));
    }
}
