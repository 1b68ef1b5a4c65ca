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
 * {@code random-shift}: moves each image of a batch by a random whole number of pixels, filling the
 * uncovered border with zeros. For images {@code [n, channels, height, width]}, each image draws
 * {@code dx} then {@code dy}, each uniform on the integers {@code -max-shift .. max-shift}, and
 * becomes {@code out[c, y, x] = in[c, y - dy, x - dx]} (0 where that is outside the image); all
 * channels move together. The shape is unchanged. This is the classic "random translation" for small
 * images such as MNIST digits; {@code random-crop} gives the same distribution the torchvision way.
 */
public final class RandomShiftProvider implements AugmentationProvider<RandomShiftProvider.Config> {

    /** Options of {@code random-shift}. */
    public record Config(@Doc("the largest shift in pixels, in each direction, >= 1") @Default("2") int maxShift) {
        public Config {
            if (maxShift < 1) {
                throw new IllegalArgumentException("max-shift must be a whole number of pixels >= 1, got " + maxShift);
            }
        }
    }

    public RandomShiftProvider() {
    }

    @Override
    public String id() {
        return "random-shift";
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
        return "shifts each image by up to max-shift pixels in x and y, filling with zeros";
    }

    @Override
    public Augmentation create(Config config) {
        String id = id();
        int max = config.maxShift();
        return new Augmentation() {
            @Override
            public String checkShape(Shape exampleShape) {
                String bad = Images.checkShape(id, exampleShape);
                if (bad == null && (max >= exampleShape.dim(1) || max >= exampleShape.dim(2))) {
                    bad = id + ": max-shift " + max + " must be smaller than the image height " + exampleShape.dim(1)
                            + " and width " + exampleShape.dim(2);
                }
                return bad;
            }

            @Override
            public INDArray apply(INDArray batch, SplittableRandom rng) {
                Images im = Images.of(id, batch);
                int[] dx = new int[im.n];
                int[] dy = new int[im.n];
                for (int i = 0; i < im.n; i++) {
                    dx[i] = rng.nextInt(-max, max + 1);
                    dy[i] = rng.nextInt(-max, max + 1);
                }
                return im.toArray(im.shifted(dy, dx), batch.dataType());
            }
        };
    }
}
