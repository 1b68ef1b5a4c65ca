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
 * {@code random-flip}: mirrors each image of a batch at random, like torchvision's
 * {@code RandomHorizontalFlip(p)} (and {@code RandomVerticalFlip(p)} with {@code vertical: true}). For
 * images {@code [n, channels, height, width]}, each image independently is flipped left-right with
 * probability {@code probability} when {@code horizontal} is on, and then, independently again,
 * upside-down with the same probability when {@code vertical} is on. All channels of an image flip
 * together. Only for data whose meaning survives the mirror (photos of objects, not digits or text).
 * Draws, per image in batch order: one {@code nextDouble()} for the horizontal flip, then one for the
 * vertical flip, each only if that flip is on.
 */
public final class RandomFlipProvider implements AugmentationProvider<RandomFlipProvider.Config> {

    /** Options of {@code random-flip}. */
    public record Config(
            @Doc("flip left-right") @Default("true") boolean horizontal,
            @Doc("flip upside-down") @Default("false") boolean vertical,
            @Doc("chance of each enabled flip for each image, in [0, 1]") @Default("0.5") double probability) {
        public Config {
            if (!horizontal && !vertical) {
                throw new IllegalArgumentException("at least one of horizontal and vertical must be true");
            }
            if (!(probability >= 0 && probability <= 1)) {
                throw new IllegalArgumentException("probability must be in [0, 1], got " + probability);
            }
        }
    }

    public RandomFlipProvider() {
    }

    @Override
    public String id() {
        return "random-flip";
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
        return "mirrors each image left-right (or upside-down) with a given probability";
    }

    @Override
    public Augmentation create(Config config) {
        String id = id();
        return new Augmentation() {
            @Override
            public String checkShape(Shape exampleShape) {
                return Images.checkShape(id, exampleShape);
            }

            @Override
            public INDArray apply(INDArray batch, SplittableRandom rng) {
                Images im = Images.of(id, batch);
                double[] out = im.pixels.clone();
                for (int i = 0; i < im.n; i++) {
                    boolean h = config.horizontal() && rng.nextDouble() < config.probability();
                    boolean v = config.vertical() && rng.nextDouble() < config.probability();
                    if (!h && !v) {
                        continue;
                    }
                    for (int c = 0; c < im.channels; c++) {
                        for (int y = 0; y < im.height; y++) {
                            int fromY = v ? im.height - 1 - y : y;
                            for (int x = 0; x < im.width; x++) {
                                out[im.at(i, c, y, x)] = im.pixels[im.at(i, c, fromY, h ? im.width - 1 - x : x)];
                            }
                        }
                    }
                }
                return im.toArray(out, batch.dataType());
            }
        };
    }
}
