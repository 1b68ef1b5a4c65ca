package dev.graft.plugins.augment;

import dev.graft.api.GraftApi;
import dev.graft.api.Shape;
import dev.graft.api.augment.Augmentation;
import dev.graft.api.augment.AugmentationProvider;
import dev.graft.api.config.Default;
import dev.graft.api.config.Doc;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.SplittableRandom;

/**
 * {@code random-crop}: pads each image with {@code padding} zeros on every side and crops it back to
 * its own size at a random position, like torchvision's {@code RandomCrop((H, W), padding=p)} (the
 * standard CIFAR augmentation). For images {@code [n, channels, height, width]}, each image draws the
 * crop's top row {@code i} then its left column {@code j}, each uniform on {@code 0 .. 2p}, and becomes
 * {@code out[c, y, x] = padded[c, y + i, x + j] = in[c, y + i - p, x + j - p]} (0 outside the image).
 * That is a shift by {@code p - i} rows and {@code p - j} columns, so the result has the same
 * distribution as {@code random-shift} with {@code max-shift: p}. The shape is unchanged.
 */
public final class RandomCropProvider implements AugmentationProvider<RandomCropProvider.Config> {

    /** Options of {@code random-crop}. */
    public record Config(@Doc("zeros added on every side before cropping, in pixels, >= 1") @Default("2") int padding) {
        public Config {
            if (padding < 1) {
                throw new IllegalArgumentException("padding must be a whole number of pixels >= 1, got " + padding);
            }
        }
    }

    public RandomCropProvider() {
    }

    @Override
    public String id() {
        return "random-crop";
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
        return "pads each image with zeros and crops it back to its size at a random offset (torchvision RandomCrop)";
    }

    @Override
    public Augmentation create(Config config) {
        String id = id();
        int p = config.padding();
        return new Augmentation() {
            @Override
            public String checkShape(Shape exampleShape) {
                String bad = Images.checkShape(id, exampleShape);
                if (bad == null && (p >= exampleShape.dim(1) || p >= exampleShape.dim(2))) {
                    bad = id + ": padding " + p + " must be smaller than the image height " + exampleShape.dim(1)
                            + " and width " + exampleShape.dim(2);
                }
                return bad;
            }

            @Override
            public INDArray apply(INDArray batch, SplittableRandom rng) {
                Images im = Images.of(id, batch);
                int[] dy = new int[im.n];
                int[] dx = new int[im.n];
                for (int k = 0; k < im.n; k++) {
                    int top = rng.nextInt(2 * p + 1);
                    int left = rng.nextInt(2 * p + 1);
                    dy[k] = p - top;
                    dx[k] = p - left;
                }
                return im.toArray(im.shifted(dy, dx), batch.dataType());
            }
        };
    }
}
