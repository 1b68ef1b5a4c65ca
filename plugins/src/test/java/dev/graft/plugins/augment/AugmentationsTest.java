package dev.graft.plugins.augment;

import dev.graft.api.Shape;
import dev.graft.api.augment.Augmentation;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;
import static org.nd4j.linalg.indexing.NDArrayIndex.point;

/** The augmentations: exact results for fixed draws, determinism, untouched inputs, shape checks. */
class AugmentationsTest {
    static final Shape IMAGE = Shape.of(2, 3, 4);

    static Augmentation flip(boolean h, boolean v, double p) {
        return new RandomFlipProvider().create(new RandomFlipProvider.Config(h, v, p));
    }

    static Augmentation shift(int max) {
        return new RandomShiftProvider().create(new RandomShiftProvider.Config(max));
    }

    static Augmentation crop(int padding) {
        return new RandomCropProvider().create(new RandomCropProvider.Config(padding));
    }

    static Augmentation noise(double std) {
        return new GaussianNoiseProvider().create(new GaussianNoiseProvider.Config(std));
    }

    /** n images [2, 3, 4] with pixel (i, c, y, x) = 1000 i + 100 c + 10 y + x + 1, so no pixel is 0. */
    static INDArray batch(int n) {
        float[] v = new float[n * 24];
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < 2; c++) {
                for (int y = 0; y < 3; y++) {
                    for (int x = 0; x < 4; x++) {
                        v[((i * 2 + c) * 3 + y) * 4 + x] = 1000 * i + 100 * c + 10 * y + x + 1;
                    }
                }
            }
        }
        return Nd4j.createFromArray(v).reshape('c', n, 2, 3, 4);
    }

    @Test
    void flipMirrorsWholeImages() {
        INDArray b = batch(1);
        INDArray h = flip(true, false, 1.0).apply(b, new SplittableRandom(1));
        assertThat(h.dataType()).isEqualTo(DataType.FLOAT);
        assertThat(h.get(point(0), point(1),
                point(2)).toDoubleVector()).containsExactly(124, 123, 122, 121);
        INDArray v = flip(false, true, 1.0).apply(b, new SplittableRandom(1));
        assertThat(v.getDouble(0, 0, 0, 1)).isEqualTo(22);
        assertThat(v.getDouble(0, 1, 2, 3)).isEqualTo(104);
        INDArray both = flip(true, true, 1.0).apply(b, new SplittableRandom(1));
        assertThat(both.getDouble(0, 0, 0, 0)).isEqualTo(24);
        // probability 0 changes nothing
        assertThat(flip(true, true, 0).apply(b, new SplittableRandom(1))).isEqualTo(b);
    }

    @Test
    void flipDecidesPerImageWithTheGivenProbability() {
        INDArray b = batch(400);
        INDArray out = flip(true, false, 0.5).apply(b, new SplittableRandom(7));
        SplittableRandom replay = new SplittableRandom(7);
        int flipped = 0;
        for (int i = 0; i < 400; i++) {
            boolean expectFlip = replay.nextDouble() < 0.5;
            double first = out.getDouble(i, 0, 0, 0);
            assertThat(first).isEqualTo(1000.0 * i + (expectFlip ? 4 : 1));
            flipped += expectFlip ? 1 : 0;
        }
        assertThat(flipped).isBetween(160, 240);
    }

    @Test
    void shiftMovesByTheDrawnOffsetsAndFillsWithZeros() {
        INDArray b = batch(3);
        SplittableRandom replay = new SplittableRandom(11);
        INDArray out = shift(2).apply(b, new SplittableRandom(11));
        for (int i = 0; i < 3; i++) {
            int dx = replay.nextInt(-2, 3);
            int dy = replay.nextInt(-2, 3);
            for (int c = 0; c < 2; c++) {
                for (int y = 0; y < 3; y++) {
                    for (int x = 0; x < 4; x++) {
                        int sy = y - dy;
                        int sx = x - dx;
                        double expected = sy >= 0 && sy < 3 && sx >= 0 && sx < 4 ? 1000 * i + 100 * c + 10 * sy + sx + 1 : 0;
                        assertThat(out.getDouble(i, c, y, x)).as("image %d (dy %d, dx %d) at %d,%d,%d", i, dy, dx, c, y, x)
                                .isEqualTo(expected);
                    }
                }
            }
        }
    }

    @Test
    void shiftsByHand() {
        // a 1x3x3 image 1..9 shifted right by 1 and down by 1 (dx = 1, dy = 1)
        INDArray img = Nd4j.createFromArray(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9}).reshape(1, 1, 3, 3);
        Images im = Images.of("t", img);
        assertThat(im.shifted(new int[] {1}, new int[] {1})).containsExactly(0, 0, 0, 0, 1, 2, 0, 4, 5);
        assertThat(im.shifted(new int[] {-1}, new int[] {0})).containsExactly(4, 5, 6, 7, 8, 9, 0, 0, 0);
        assertThat(im.shifted(new int[] {0}, new int[] {-2})).containsExactly(3, 0, 0, 6, 0, 0, 9, 0, 0);
        assertThat(im.shifted(new int[] {3}, new int[] {0})).containsOnly(0.0);
    }

    @Test
    void cropIsPadThenCropAtTheDrawnCorner() {
        INDArray b = batch(4);
        SplittableRandom replay = new SplittableRandom(5);
        INDArray out = crop(1).apply(b, new SplittableRandom(5));
        for (int i = 0; i < 4; i++) {
            int top = replay.nextInt(3);
            int left = replay.nextInt(3);
            // pad by 1, take rows top..top+2 and columns left..left+3 of the padded image
            INDArray padded = Nd4j.zeros(DataType.FLOAT, 2, 5, 6);
            padded.get(all(), interval(1, 4),
                    interval(1, 5)).assign(b.slice(i));
            INDArray expected = padded.get(all(),
                    interval(top, top + 3),
                    interval(left, left + 4));
            assertThat(out.slice(i).dup().reshape(-1).toDoubleVector()).as("image %d, corner %d,%d", i, top, left)
                    .containsExactly(expected.dup().reshape(-1).toDoubleVector());
        }
    }

    @Test
    void shiftAndCropReachEveryOffset() {
        INDArray one = batch(1);
        Set<Double> corners = new HashSet<>();
        SplittableRandom rng = new SplittableRandom(3);
        for (int k = 0; k < 300; k++) {
            // the pixel at (0, 1, 1) tells the offset: 1 + 10 (1 - dy) + (1 - dx), or 0 when shifted out
            corners.add(shift(1).apply(one, rng.split()).getDouble(0, 0, 1, 1));
        }
        assertThat(corners).containsExactlyInAnyOrder(1.0, 2.0, 3.0, 11.0, 12.0, 13.0, 21.0, 22.0, 23.0);
        Set<Double> cropCorners = new HashSet<>();
        for (int k = 0; k < 300; k++) {
            cropCorners.add(crop(1).apply(one, rng.split()).getDouble(0, 0, 1, 1));
        }
        assertThat(cropCorners).isEqualTo(corners);
    }

    @Test
    void noiseHasTheGivenSpreadAndWorksOnAnyShape() {
        INDArray flat = Nd4j.zeros(DataType.FLOAT, 100, 50);
        INDArray out = noise(0.1).apply(flat, new SplittableRandom(9));
        assertThat(out.shape()).containsExactly(100, 50);
        assertThat(out.dataType()).isEqualTo(DataType.FLOAT);
        assertThat(out.meanNumber().doubleValue()).isCloseTo(0, within(0.01));
        assertThat(out.stdNumber().doubleValue()).isCloseTo(0.1, within(0.005));
        // x + std * nextGaussian, element by element in C order
        INDArray x = Nd4j.createFromArray(new double[][] {{1, 2}, {3, 4}});
        SplittableRandom replay = new SplittableRandom(4);
        double[] expected = new double[4];
        for (int i = 0; i < 4; i++) {
            expected[i] = i + 1 + 0.5 * replay.nextGaussian();
        }
        assertThat(noise(0.5).apply(x, new SplittableRandom(4)).reshape(-1).toDoubleVector()).containsExactly(expected, within(1e-15));
        assertThat(noise(0.1).checkShape(Shape.of(13))).isNull();
        assertThat(noise(0.1).checkShape(IMAGE)).isNull();
    }

    @Test
    void sameGeneratorSameResultAndInputsUntouched() {
        for (Augmentation a : List.of(flip(true, true, 0.5), shift(2), crop(2), noise(0.3))) {
            INDArray b = batch(6);
            INDArray before = b.dup();
            INDArray first = a.apply(b, new SplittableRandom(21));
            INDArray second = a.apply(b, new SplittableRandom(21));
            assertThat(second).isEqualTo(first);
            assertThat(b).isEqualTo(before);
            assertThat(first).isNotSameAs(b);
            assertThat(first.shape()).containsExactly(6, 2, 3, 4);
            assertThat(a.apply(b, new SplittableRandom(22))).isNotEqualTo(first);
            assertThat(a.apply(Nd4j.zeros(DataType.FLOAT, 0, 2, 3, 4), new SplittableRandom(1)).shape()).containsExactly(0, 2, 3, 4);
        }
    }

    @Test
    void imageAugmentationsRejectOtherShapes() {
        assertThat(flip(true, false, 0.5).checkShape(IMAGE)).isNull();
        assertThat(flip(true, false, 0.5).checkShape(Shape.of(64)))
                .isEqualTo("random-flip needs images [channels, height, width], got examples of shape [64]");
        assertThat(shift(2).checkShape(Shape.of(28, 28)))
                .isEqualTo("random-shift needs images [channels, height, width], got examples of shape [28, 28]");
        assertThat(crop(2).checkShape(Shape.of(1, 28, 28))).isNull();
        assertThat(shift(3).checkShape(IMAGE)).isEqualTo("random-shift: max-shift 3 must be smaller than the image height 3 and width 4");
        assertThat(crop(4).checkShape(IMAGE)).isEqualTo("random-crop: padding 4 must be smaller than the image height 3 and width 4");
        assertThatThrownBy(() -> shift(1).apply(Nd4j.zeros(DataType.FLOAT, 2, 10), new SplittableRandom(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("random-shift needs a batch of images [n, channels, height, width], got shape [2, 10]");
    }

    @Test
    void configsAreValidated() {
        assertThatThrownBy(() -> new RandomFlipProvider.Config(false, false, 0.5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("at least one of horizontal and vertical must be true");
        assertThatThrownBy(() -> new RandomFlipProvider.Config(true, false, 1.5)).hasMessage("probability must be in [0, 1], got 1.5");
        assertThatThrownBy(() -> new RandomShiftProvider.Config(0)).hasMessage("max-shift must be a whole number of pixels >= 1, got 0");
        assertThatThrownBy(() -> new RandomCropProvider.Config(-1)).hasMessage("padding must be a whole number of pixels >= 1, got -1");
        assertThatThrownBy(() -> new GaussianNoiseProvider.Config(0)).hasMessage("std must be a finite positive number, got 0.0");
    }
}
