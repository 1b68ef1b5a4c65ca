package dev.graft.plugins.data;

import dev.graft.api.GraftApi;
import dev.graft.api.Shape;
import dev.graft.api.config.Default;
import dev.graft.api.config.Doc;
import dev.graft.api.data.DataContext;
import dev.graft.api.data.Dataset;
import dev.graft.api.data.DatasetProvider;
import dev.graft.api.data.Examples;
import dev.graft.api.data.Target;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * {@code digits}: 1797 handwritten digits as 8x8 images with 17 grey levels, bundled in this jar,
 * so examples and tests run without downloads (the same data as scikit-learn's
 * {@code load_digits}).
 *
 * <p>Each pixel (0..16) is multiplied by {@code scale} (default 1/16, giving [0, 1]). With
 * {@code layout = "flat"} an example has shape {@code [64]} (row by row); with {@code "image"} it is
 * {@code [1, 8, 8]} for convolutional models. The classes are {@code "0"} to {@code "9"}. The dataset
 * has no test set of its own; Graft splits one off.
 *
 * <p>Data: the test set of the UCI "Optical Recognition of Handwritten Digits" data set (E. Alpaydin
 * and C. Kaynak, 1998), in the copy redistributed by scikit-learn under the BSD-3-Clause licence. See
 * {@code dev/graft/plugins/data/digits-NOTICE.txt} in this jar for the source and the licence.
 */
public final class DigitsProvider implements DatasetProvider<DigitsProvider.Config> {
    static final String RESOURCE = "/dev/graft/plugins/data/digits.csv.gz";
    private static final int PIXELS = 64;

    /** How an example is shaped. */
    public enum Layout {
        /** A vector of 64 pixels, row by row. */
        FLAT,
        /** A one-channel 8x8 image, {@code [1, 8, 8]}. */
        IMAGE
    }

    /** Options of {@code digits}. */
    public record Config(
            @Doc("flat gives examples of shape [64], image gives [1, 8, 8]") @Default("flat") Layout layout,
            @Doc("factor applied to the pixel values 0..16; 1/16 maps them to [0, 1]") @Default("0.0625") double scale) {
        public Config {
            if (layout == null) {
                throw new IllegalArgumentException("layout must be flat or image");
            }
            if (!(scale > 0) || Double.isInfinite(scale)) {
                throw new IllegalArgumentException("scale must be a finite positive number, got " + scale);
            }
        }
    }

    public DigitsProvider() {
    }

    @Override
    public String id() {
        return "digits";
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
        return "1797 handwritten digits as 8x8 images (UCI/scikit-learn), bundled in the jar";
    }

    @Override
    public Dataset load(Config config, DataContext context) {
        InputStream raw = DigitsProvider.class.getResourceAsStream(RESOURCE);
        if (raw == null) {
            throw new IllegalStateException("the digits data " + RESOURCE + " is missing from the graft-plugins jar");
        }
        FloatBuffer pixels = new FloatBuffer();
        FloatBuffer labels = new FloatBuffer();
        float scale = (float) config.scale();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(Sources.maybeGunzip(raw), StandardCharsets.US_ASCII))) {
            CsvLines lines = new CsvLines(reader, "digits.csv.gz (bundled)", ',');
            for (String[] row = lines.next(); row != null; row = lines.next()) {
                if (row.length != PIXELS + 1) {
                    throw new IllegalStateException("bundled digits.csv.gz: line " + lines.lineNumber() + " has "
                            + row.length + " columns, expected " + (PIXELS + 1));
                }
                for (int i = 0; i < PIXELS; i++) {
                    pixels.add(lines.number(row[i], i, null) * scale);
                }
                labels.add(lines.number(row[PIXELS], PIXELS, null));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the bundled digits data", e);
        }
        int n = labels.size();
        Shape shape = config.layout() == Layout.FLAT ? Shape.of(PIXELS) : Shape.of(1, 8, 8);
        INDArray x = Nd4j.createFromArray(pixels.toArray()).reshape(shape.withBatch(n));
        INDArray y = Nd4j.createFromArray(labels.toArray());
        List<String> classes = List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
        return new LoadedDataset(shape, new Target.Classes(classes), new Examples(x, y), Optional.empty(),
                "digits (bundled, UCI optdigits test set via scikit-learn): " + n + " images of 8x8, 10 classes");
    }
}
