package dev.graft.plugins.data;

import dev.graft.api.GraftApi;
import dev.graft.api.PluginException;
import dev.graft.api.Shape;
import dev.graft.api.config.Default;
import dev.graft.api.config.Doc;
import dev.graft.api.data.DataContext;
import dev.graft.api.data.Dataset;
import dev.graft.api.data.DatasetProvider;
import dev.graft.api.data.Examples;
import dev.graft.api.data.Target;
import org.nd4j.linalg.factory.Nd4j;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;

/**
 * {@code idx}: images and labels in the IDX format of MNIST, Fashion-MNIST and KMNIST, plain or
 * gzip-compressed (detected by the first bytes, 1f 8b, not by the name).
 *
 * <p>The image file holds unsigned bytes in 3 dimensions, {@code [n, rows, cols]}, behind the magic
 * number {@code 0x00000803}; the label file unsigned bytes {@code [n]} behind {@code 0x00000801}.
 * Examples have shape {@code [1, rows, cols]} (one channel, NCHW) and the pixel values times
 * {@code scale} (default 1/255, so pixels land in [0, 1]). Class names come from {@code class-names}
 * or default to {@code "0"} .. the largest label. With {@code test-images} and {@code test-labels}
 * (both or neither) the dataset has a fixed test set, as MNIST's t10k files.
 *
 * <p>{@code classes} keeps a subset of the labels and relabels them by position: {@code classes: [5, 6,
 * 7, 8, 9]} keeps the examples labelled 5 to 9, as classes 0 to 4 (for fine-tuning a model on classes
 * it was not trained on). {@code limit} and {@code test-limit} keep the first examples only (after that
 * filter), for quick runs.
 */
public final class IdxProvider implements DatasetProvider<IdxProvider.Config> {
    static final int IMAGES_MAGIC = 0x00000803;
    static final int LABELS_MAGIC = 0x00000801;

    /** Options of {@code idx}. */
    public record Config(
            @Doc("IDX image file (unsigned bytes, [n, rows, cols]), plain or .gz") String images,
            @Doc("IDX label file (unsigned bytes, [n]), plain or .gz") String labels,
            @Doc("IDX image file of a fixed test set; needs test-labels") @Default(Default.NULL) String testImages,
            @Doc("IDX label file of a fixed test set; needs test-images") @Default(Default.NULL) String testLabels,
            @Doc("factor applied to the byte pixel values, e.g. 1/255 to map them to [0, 1]")
            @Default("0.00392156862745098") double scale,
            @Doc("names of the classes by label value (after classes relabels them); default \"0\" .. the largest label")
            @Default(Default.NULL) List<String> classNames,
            @Doc("keep only the examples with these labels, relabelled 0, 1, ... in the order given (e.g. [5, 6, 7, 8, 9])")
            @Default(Default.NULL) List<Integer> classes,
            @Doc("use at most this many training examples, the first ones (after the classes filter); 0 for all")
            @Default("0") int limit,
            @Doc("use at most this many test examples, the first ones (after the classes filter); 0 for all")
            @Default("0") int testLimit) {
        public Config {
            if (classes != null) {
                classes = List.copyOf(classes);
                if (classes.size() < 2) {
                    throw new IllegalArgumentException("classes must list at least 2 label values, got " + classes);
                }
                if (new HashSet<>(classes).size() != classes.size()) {
                    throw new IllegalArgumentException("classes must be distinct, got " + classes);
                }
                for (int c : classes) {
                    if (c < 0 || c > 255) {
                        throw new IllegalArgumentException("classes are IDX label values, 0 to 255; got " + c);
                    }
                }
                if (classNames != null && classNames.size() != classes.size()) {
                    throw new IllegalArgumentException("class-names must name the " + classes.size() + " kept classes, in the order of classes; got "
                            + classNames.size() + " names");
                }
            }
            if (limit < 0 || testLimit < 0) {
                throw new IllegalArgumentException("limit and test-limit must be 0 (all) or a positive count, got " + limit + " and " + testLimit);
            }
            if (images == null || images.isBlank()) {
                throw new IllegalArgumentException("images must name an IDX image file");
            }
            if (labels == null || labels.isBlank()) {
                throw new IllegalArgumentException("labels must name an IDX label file");
            }
            if ((testImages == null) != (testLabels == null)) {
                throw new IllegalArgumentException("test-images and test-labels go together: give both or neither");
            }
            if (!(scale > 0) || Double.isInfinite(scale)) {
                throw new IllegalArgumentException("scale must be a finite positive number, got " + scale);
            }
            if (classNames != null) {
                classNames = List.copyOf(classNames);
                if (classNames.size() < 2) {
                    throw new IllegalArgumentException("class-names must list at least 2 names, got " + classNames);
                }
                if (new HashSet<>(classNames).size() != classNames.size()) {
                    throw new IllegalArgumentException("class-names must be distinct, got " + classNames);
                }
                if (classNames.stream().anyMatch(String::isBlank)) {
                    throw new IllegalArgumentException("class-names must not be empty strings, got " + classNames);
                }
            }
        }
    
        /** Every image of every class. */
        public Config(String images, String labels, String testImages, String testLabels, double scale, List<String> classNames) {
            this(images, labels, testImages, testLabels, scale, classNames, null, 0, 0);
        }
    }

    public IdxProvider() {
    }

    @Override
    public String id() {
        return "idx";
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
        return "images and labels in MNIST's IDX format (plain or gzip), with an optional fixed test set";
    }

    @Override
    public Dataset load(Config config, DataContext context) {
        Path imagesFile = Sources.existingFile(context, "images", config.images());
        Path labelsFile = Sources.existingFile(context, "labels", config.labels());
        Images train = readImages(imagesFile);
        byte[] trainLabels = readLabels(labelsFile);
        requireSameCount(imagesFile, train.count, labelsFile, trainLabels.length);
        Selected kept = select(train, trainLabels, config.classes(), config.limit(), labelsFile);
        train = kept.images();
        trainLabels = kept.labels();

        Images test = null;
        byte[] testLabels = null;
        Path testImagesFile = null;
        Path testLabelsFile = null;
        if (config.testImages() != null) {
            testImagesFile = Sources.existingFile(context, "test-images", config.testImages());
            testLabelsFile = Sources.existingFile(context, "test-labels", config.testLabels());
            test = readImages(testImagesFile);
            testLabels = readLabels(testLabelsFile);
            requireSameCount(testImagesFile, test.count, testLabelsFile, testLabels.length);
            Selected keptTest = select(test, testLabels, config.classes(), config.testLimit(), testLabelsFile);
            test = keptTest.images();
            testLabels = keptTest.labels();
            if (test.rows != train.rows || test.cols != train.cols) {
                throw new PluginException(testImagesFile + ": test images are " + test.rows + "x" + test.cols
                        + " but the training images in " + imagesFile + " are " + train.rows + "x" + train.cols);
            }
        }

        List<String> classes = config.classNames();
        if (classes == null && config.classes() != null) {
            classes = config.classes().stream().map(String::valueOf).toList();
        } else if (classes == null) {
            int max = Math.max(maxLabel(trainLabels), testLabels == null ? 0 : maxLabel(testLabels));
            if (max < 1) {
                throw new PluginException(labelsFile + ": every label is 0; classification needs at least 2 classes");
            }
            List<String> names = new ArrayList<>();
            for (int i = 0; i <= max; i++) {
                names.add(Integer.toString(i));
            }
            classes = names;
        } else {
            requireLabelsIn(labelsFile, trainLabels, classes.size());
            if (testLabels != null) {
                requireLabelsIn(testLabelsFile, testLabels, classes.size());
            }
        }
        Shape shape = Shape.of(1, train.rows, train.cols);
        Examples trainExamples = examples(train, trainLabels, config.scale());
        Optional<Examples> testExamples = test == null ? Optional.empty() : Optional.of(examples(test, testLabels, config.scale()));
        String describe = "idx " + imagesFile.getFileName() + ": " + train.count + " images of " + train.rows + "x"
                + train.cols + ", " + classes.size() + " classes"
                + (config.classes() == null ? "" : " (labels " + config.classes() + " of the file)")
                + (test == null ? "" : "; test set " + testImagesFile.getFileName() + ": " + test.count + " images");
        return new LoadedDataset(shape, new Target.Classes(classes), trainExamples, testExamples, describe);
    }

    /** Images and labels after the classes filter and the limit. */
    private record Selected(Images images, byte[] labels) {
    }

    /**
     * Keeps the examples whose label is in {@code classes} (all when null), relabelled by their position in
     * {@code classes}, then the first {@code limit} of them (all when 0).
     */
    static Selected select(Images images, byte[] labels, List<Integer> classes, int limit, Path labelsFile) {
        int[] map = new int[256];
        java.util.Arrays.fill(map, -1);
        if (classes == null) {
            for (int i = 0; i < 256; i++) {
                map[i] = i;
            }
        } else {
            for (int i = 0; i < classes.size(); i++) {
                map[classes.get(i)] = i;
            }
        }
        int max = limit == 0 ? Integer.MAX_VALUE : limit;
        int per = images.rows * images.cols;
        int[] rows = new int[Math.min(labels.length, max)];
        int n = 0;
        int[] seen = new int[256];
        for (int i = 0; i < labels.length && n < max; i++) {
            int label = labels[i] & 0xFF;
            if (map[label] >= 0) {
                rows[n++] = i;
                seen[label]++;
            }
        }
        if (classes != null) {
            List<Integer> missing = classes.stream().filter(c -> seen[c] == 0).toList();
            if (!missing.isEmpty()) {
                throw new PluginException(labelsFile + ": no example has the label" + (missing.size() == 1 ? " " : "s ") + missing
                        + " listed in classes" + (limit == 0 ? "" : " among the first " + limit + " kept examples")
                        + " (labels in the file: " + labelsIn(labels) + ")");
            }
        }
        if (n == labels.length) {
            return new Selected(images, labels);
        }
        byte[] pixels = new byte[n * per];
        byte[] out = new byte[n];
        for (int k = 0; k < n; k++) {
            System.arraycopy(images.pixels, rows[k] * per, pixels, k * per, per);
            out[k] = (byte) map[labels[rows[k]] & 0xFF];
        }
        return new Selected(new Images(n, images.rows, images.cols, pixels), out);
    }

    private static String labelsIn(byte[] labels) {
        java.util.TreeSet<Integer> s = new java.util.TreeSet<>();
        for (byte b : labels) {
            s.add(b & 0xFF);
        }
        return s.toString();
    }

    /** The pixel bytes of one image file. */
    private record Images(int count, int rows, int cols, byte[] pixels) {
    }

    private static Examples examples(Images images, byte[] labels, double scale) {
        float[] pixels = new float[images.pixels.length];
        float s = (float) scale;
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (images.pixels[i] & 0xFF) * s;
        }
        float[] y = new float[labels.length];
        for (int i = 0; i < y.length; i++) {
            y[i] = labels[i] & 0xFF;
        }
        return new Examples(Nd4j.createFromArray(pixels).reshape(images.count, 1, images.rows, images.cols),
                Nd4j.createFromArray(y));
    }

    static Images readImages(Path file) {
        try (DataInputStream in = new DataInputStream(Sources.open(file))) {
            requireMagic(file, in, IMAGES_MAGIC, "image");
            int count = dimension(file, in, "image count");
            int rows = dimension(file, in, "rows");
            int cols = dimension(file, in, "columns");
            long total = (long) count * rows * cols;
            if (total > Integer.MAX_VALUE - 8) {
                throw new PluginException(file + ": " + count + " images of " + rows + "x" + cols
                        + " are more pixels than one array can hold");
            }
            byte[] bytes = new byte[(int) total];
            try {
                in.readFully(bytes);
            } catch (EOFException e) {
                throw new PluginException(file + ": the file ends early; its header announces " + count + " images of "
                        + rows + "x" + cols + " (" + total + " bytes of pixels)");
            }
            requireEnd(file, in, count + " images of " + rows + "x" + cols);
            return new Images(count, rows, cols, bytes);
        } catch (IOException e) {
            throw new PluginException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    static byte[] readLabels(Path file) {
        try (DataInputStream in = new DataInputStream(Sources.open(file))) {
            requireMagic(file, in, LABELS_MAGIC, "label");
            int count = dimension(file, in, "label count");
            byte[] labels = new byte[count];
            try {
                in.readFully(labels);
            } catch (EOFException e) {
                throw new PluginException(file + ": the file ends early; its header announces " + count + " labels");
            }
            requireEnd(file, in, count + " labels");
            return labels;
        } catch (IOException e) {
            throw new PluginException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    private static void requireMagic(Path file, DataInputStream in, int expected, String what) throws IOException {
        int magic;
        try {
            magic = in.readInt();
        } catch (EOFException e) {
            throw new PluginException(file + ": the file is too short to be an IDX " + what + " file");
        }
        if (magic != expected) {
            throw new PluginException(String.format("%s: not an IDX %s file: the magic number is 0x%08X (%s), expected"
                    + " 0x%08X (%s)", file, what, magic, describeMagic(magic), expected, describeMagic(expected)));
        }
    }

    /** What an IDX magic number says: its element type and number of dimensions. */
    static String describeMagic(int magic) {
        if ((magic >>> 16) != 0) {
            return "not an IDX header";
        }
        String type = switch ((magic >>> 8) & 0xFF) {
            case 0x08 -> "unsigned bytes";
            case 0x09 -> "signed bytes";
            case 0x0B -> "shorts";
            case 0x0C -> "ints";
            case 0x0D -> "floats";
            case 0x0E -> "doubles";
            default -> String.format("unknown type 0x%02X", (magic >>> 8) & 0xFF);
        };
        int dims = magic & 0xFF;
        return type + ", " + dims + (dims == 1 ? " dimension" : " dimensions");
    }

    private static int dimension(Path file, DataInputStream in, String what) throws IOException {
        int d;
        try {
            d = in.readInt();
        } catch (EOFException e) {
            throw new PluginException(file + ": the file ends inside its header (reading the " + what + ")");
        }
        if (d <= 0) {
            throw new PluginException(file + ": the header gives " + d + " as the " + what + "; it must be positive");
        }
        return d;
    }

    private static void requireEnd(Path file, DataInputStream in, String announced) throws IOException {
        if (in.read() != -1) {
            throw new PluginException(file + ": the file has more data than the " + announced + " its header announces");
        }
    }

    private static void requireSameCount(Path images, int imageCount, Path labels, int labelCount) {
        if (imageCount != labelCount) {
            throw new PluginException(images + " holds " + imageCount + " images but " + labels + " holds " + labelCount
                    + " labels; they must match");
        }
    }

    private static int maxLabel(byte[] labels) {
        int max = 0;
        for (byte b : labels) {
            max = Math.max(max, b & 0xFF);
        }
        return max;
    }

    private static void requireLabelsIn(Path file, byte[] labels, int classCount) {
        for (int i = 0; i < labels.length; i++) {
            int label = labels[i] & 0xFF;
            if (label >= classCount) {
                throw new PluginException(file + ": label " + label + " of example " + i + " (0-based) has no name: "
                        + "class-names lists " + classCount + " classes, for labels 0 to " + (classCount - 1));
            }
        }
    }
}
