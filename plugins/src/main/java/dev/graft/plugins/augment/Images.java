package dev.graft.plugins.augment;

import dev.graft.api.Shape;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;

/**
 * Batches of images {@code [n, channels, height, width]} as plain arrays, for the image augmentations.
 * Every method returns new arrays; the batch is never modified.
 */
final class Images {
    final int n;
    final int channels;
    final int height;
    final int width;
    /** The pixels in C order, as float64. */
    final double[] pixels;

    private Images(int n, int channels, int height, int width, double[] pixels) {
        this.n = n;
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.pixels = pixels;
    }

    /** Null if examples of this shape are images, else why not. */
    static String checkShape(String id, Shape example) {
        if (example.rank() != 3) {
            return id + " needs images [channels, height, width], got examples of shape " + example;
        }
        return null;
    }

    /** Reads a batch, or throws naming the augmentation if it is not {@code [n, channels, height, width]}. */
    static Images of(String id, INDArray batch) {
        if (batch.rank() != 4) {
            throw new IllegalArgumentException(id + " needs a batch of images [n, channels, height, width], got shape "
                    + Arrays.toString(batch.shape()));
        }
        long[] s = batch.shape();
        double[] pixels = batch.castTo(DataType.DOUBLE).dup('c').reshape(-1).toDoubleVector();
        return new Images(Math.toIntExact(s[0]), Math.toIntExact(s[1]), Math.toIntExact(s[2]), Math.toIntExact(s[3]), pixels);
    }

    /** Index of pixel (i, c, y, x). */
    int at(int i, int c, int y, int x) {
        return ((i * channels + c) * height + y) * width + x;
    }

    /** Packs pixels of this batch's shape into an array of the given data type. */
    INDArray toArray(double[] out, DataType type) {
        if (out.length == 0) {
            return Nd4j.create(type, n, channels, height, width);
        }
        return Nd4j.createFromArray(out).reshape('c', n, channels, height, width).castTo(type);
    }

    /**
     * Every image {@code i} moved by {@code dy[i]} rows down and {@code dx[i]} columns right, with zeros
     * where no pixel moves in: {@code out[c, y, x] = in[c, y - dy, x - dx]}.
     */
    double[] shifted(int[] dy, int[] dx) {
        double[] out = new double[pixels.length];
        for (int i = 0; i < n; i++) {
            int fromX = Math.max(0, dx[i]);
            int toX = Math.min(width, width + dx[i]);
            if (toX <= fromX) {
                continue;
            }
            for (int c = 0; c < channels; c++) {
                for (int y = Math.max(0, dy[i]); y < Math.min(height, height + dy[i]); y++) {
                    System.arraycopy(pixels, at(i, c, y - dy[i], fromX - dx[i]), out, at(i, c, y, fromX), toX - fromX);
                }
            }
        }
        return out;
    }
}
