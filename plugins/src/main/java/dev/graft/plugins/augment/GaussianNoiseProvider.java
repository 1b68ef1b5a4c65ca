package dev.graft.plugins.augment;

import dev.graft.api.GraftApi;
import dev.graft.api.Shape;
import dev.graft.api.augment.Augmentation;
import dev.graft.api.augment.AugmentationProvider;
import dev.graft.api.config.Default;
import dev.graft.api.config.Doc;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.SplittableRandom;

/**
 * {@code gaussian-noise}: adds independent normal noise to every feature, {@code x + std * z} with
 * {@code z ~ N(0, 1)}, for examples of any shape. The noise is drawn from the given generator with
 * {@code nextGaussian()}, one value per element in C order. Use a {@code std} on the scale of the
 * features as the model sees them (after the transforms: about 1 after {@code standardize}).
 */
public final class GaussianNoiseProvider implements AugmentationProvider<GaussianNoiseProvider.Config> {

    /** Options of {@code gaussian-noise}. */
    public record Config(@Doc("standard deviation of the noise, > 0") @Default("0.1") double std) {
        public Config {
            if (!(std > 0) || Double.isInfinite(std)) {
                throw new IllegalArgumentException("std must be a finite positive number, got " + std);
            }
        }
    }

    public GaussianNoiseProvider() {
    }

    @Override
    public String id() {
        return "gaussian-noise";
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
        return "adds normal noise with standard deviation std to every feature";
    }

    @Override
    public Augmentation create(Config config) {
        double std = config.std();
        return new Augmentation() {
            @Override
            public String checkShape(Shape exampleShape) {
                return null;
            }

            @Override
            public INDArray apply(INDArray batch, SplittableRandom rng) {
                if (batch.length() == 0) {
                    return batch.dup();
                }
                double[] x = batch.castTo(DataType.DOUBLE).dup('c').reshape(-1).toDoubleVector();
                for (int i = 0; i < x.length; i++) {
                    x[i] += std * rng.nextGaussian();
                }
                return Nd4j.createFromArray(x).reshape('c', batch.shape()).castTo(batch.dataType());
            }
        };
    }
}
