package dev.graft.plugins.data;

import dev.graft.api.PluginException;
import dev.graft.api.Shape;
import dev.graft.api.data.DataContext;
import dev.graft.api.data.Dataset;
import dev.graft.api.data.Examples;
import dev.graft.api.data.Target;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The csv, idx and digits datasets: what they load and the exact text of their errors. */
class DatasetsTest {
    @TempDir
    Path dir;

    DataContext context() {
        return new DataContext() {
            @Override
            public Path resolve(String path) {
                return dir.resolve(path);
            }

            @Override
            public long seed() {
                return 1;
            }
        };
    }

    Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text, StandardCharsets.UTF_8);
    }

    static CsvProvider.Config csv(String path, String label) {
        return new CsvProvider.Config(path, label, null, true, ",", CsvProvider.Task.CLASSIFICATION);
    }

    Dataset loadCsv(CsvProvider.Config config) {
        return new CsvProvider().load(config, context());
    }

    // ---------------------------------------------------------------- csv

    @Test
    void csvWithNamedClasses() throws IOException {
        write("iris.csv", "sepal,petal,species\n5.1,1.4,setosa\n\n7.0,4.7,versicolor\n6.3,6.0,virginica\n4.9,1.5,setosa\n");
        Dataset d = loadCsv(csv("iris.csv", "species"));
        assertThat(d.featureShape()).isEqualTo(Shape.of(2));
        assertThat(d.target()).isEqualTo(new Target.Classes(List.of("setosa", "versicolor", "virginica")));
        assertThat(d.train().size()).isEqualTo(4);
        assertThat(d.train().features().getDouble(1, 1)).isCloseTo(4.7, within(1e-6));
        assertThat(d.train().labels().toDoubleVector()).containsExactly(0, 1, 2, 0);
        assertThat(d.test()).isEmpty();
        assertThat(d.describe()).contains("4 rows, 2 features, 3 classes [setosa, versicolor, virginica]");
    }

    @Test
    void csvIntegerClassesSortNumerically() throws IOException {
        write("n.csv", "x,y\n1,10\n2,2\n3,1\n4,2.0\n");
        Dataset d = loadCsv(csv("n.csv", "y"));
        assertThat(d.target()).isEqualTo(new Target.Classes(List.of("1", "2", "10")));
        assertThat(d.train().labels().toDoubleVector()).containsExactly(2, 1, 0, 1);
    }

    @Test
    void csvRegressionWithLabelIndexAndNoHeader() throws IOException {
        write("r.tsv", "1\t2\t0.5\n3\t4\t-1.25\n");
        Dataset d = loadCsv(new CsvProvider.Config("r.tsv", null, -1, false, "\t", CsvProvider.Task.REGRESSION));
        assertThat(d.target()).isEqualTo(new Target.Regression(Shape.of(1)));
        assertThat(d.train().features().toDoubleMatrix()).isEqualTo(new double[][] {{1, 2}, {3, 4}});
        assertThat(d.train().labels().shape()).containsExactly(2, 1);
        assertThat(d.train().labels().getDouble(1, 0)).isEqualTo(-1.25);
    }

    @Test
    void csvQuotedFieldsAndGzip() throws IOException {
        String text = "\"a\",\"b, with comma\",label\n1,\"2\",\"big \"\"cat\"\"\"\n3,4,small\n";
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(dir.resolve("q.csv.gz")))) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
        Dataset d = loadCsv(csv("q.csv.gz", "label"));
        assertThat(d.target()).isEqualTo(new Target.Classes(List.of("big \"cat\"", "small")));
        assertThat(d.train().features().toDoubleMatrix()).isEqualTo(new double[][] {{1, 2}, {3, 4}});
    }

    @Test
    void csvBadCellNamesFileLineAndColumn() throws IOException {
        Path f = write("bad.csv", "a,b,label\n1,2,x\n3,abc,y\n");
        assertThatThrownBy(() -> loadCsv(csv("bad.csv", "label")))
                .isInstanceOf(PluginException.class)
                .hasMessage(f + ": line 3, column 2 ('b'): 'abc' is not a number");
        write("empty-cell.csv", "a,b,label\n1,,x\n");
        assertThatThrownBy(() -> loadCsv(csv("empty-cell.csv", "label")))
                .hasMessage(dir.resolve("empty-cell.csv") + ": line 2, column 2 ('b'): the cell is empty; expected a number");
        write("nan.csv", "a,b,label\n1,NaN,x\n");
        assertThatThrownBy(() -> loadCsv(csv("nan.csv", "label")))
                .hasMessage(dir.resolve("nan.csv") + ": line 2, column 2 ('b'): 'NaN' is not a finite number in float range");
        write("noheader.csv", "1,2,0\n3,x,1\n");
        assertThatThrownBy(() -> loadCsv(new CsvProvider.Config("noheader.csv", null, 2, false, ",", CsvProvider.Task.CLASSIFICATION)))
                .hasMessage(dir.resolve("noheader.csv") + ": line 2, column 2: 'x' is not a number");
        write("reg.csv", "a,y\n1,high\n");
        assertThatThrownBy(() -> loadCsv(new CsvProvider.Config("reg.csv", "y", null, true, ",", CsvProvider.Task.REGRESSION)))
                .hasMessage(dir.resolve("reg.csv") + ": line 2, column 2 ('y'): 'high' is not a number");
    }

    @Test
    void csvRaggedRow() throws IOException {
        Path f = write("ragged.csv", "a,b,label\n1,2,x\n\n3,y\n");
        assertThatThrownBy(() -> loadCsv(csv("ragged.csv", "label")))
                .isInstanceOf(PluginException.class)
                .hasMessage(f + ": line 4 has 2 columns, expected 3 (as in the header)");
        Path g = write("ragged2.csv", "1,2,0\n3,4,1,9\n");
        assertThatThrownBy(() -> loadCsv(new CsvProvider.Config("ragged2.csv", null, 0, false, ",", CsvProvider.Task.CLASSIFICATION)))
                .hasMessage(g + ": line 2 has 4 columns, expected 3 (as on line 1)");
    }

    @Test
    void csvMissingEmptyAndHeaderOnlyFiles() throws IOException {
        assertThatThrownBy(() -> loadCsv(csv("nope.csv", "label")))
                .isInstanceOf(PluginException.class)
                .hasMessage("path: file not found: " + dir.resolve("nope.csv") + " (path = 'nope.csv')");
        Path empty = write("empty.csv", "\n\n");
        assertThatThrownBy(() -> loadCsv(csv("empty.csv", "label")))
                .hasMessage(empty + " is empty; expected a header line and rows of numbers");
        Path headerOnly = write("header.csv", "a,label\n");
        assertThatThrownBy(() -> loadCsv(csv("header.csv", "label")))
                .hasMessage(headerOnly + " has a header but no data rows");
    }

    @Test
    void csvLabelProblems() throws IOException {
        Path f = write("l.csv", "a,b,kind\n1,2,x\n3,4,x\n");
        assertThatThrownBy(() -> loadCsv(csv("l.csv", "species")))
                .hasMessage(f + ": no column named 'species' in the header; the columns are a, b, kind");
        assertThatThrownBy(() -> loadCsv(csv("l.csv", "kind")))
                .hasMessage(f + ": the label column 'kind' holds only one value ('x'); classification needs at least 2 classes");
        assertThatThrownBy(() -> loadCsv(new CsvProvider.Config("l.csv", null, 5, true, ",", CsvProvider.Task.CLASSIFICATION)))
                .hasMessage("label-index 5 is out of range: " + f + " has 3 columns, so it must be between -3 and 2");
        Path semi = write("semi.csv", "a;b;label\n1;2;x\n");
        assertThatThrownBy(() -> loadCsv(csv("semi.csv", "label")))
                .hasMessage(semi + ": found 1 column; a dataset needs the label and at least one feature column"
                        + " (is the delimiter ',' right?)");
        Path quote = write("quote.csv", "a,label\n\"1,x\n");
        assertThatThrownBy(() -> loadCsv(csv("quote.csv", "label")))
                .hasMessage(quote + ": line 2, column 1: the quoted field starting at character 1 is not closed"
                        + " (fields may not span lines)");
    }

    @Test
    void csvConfigValidation() {
        assertThatThrownBy(() -> new CsvProvider.Config("x.csv", null, null, true, ",", CsvProvider.Task.CLASSIFICATION))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("give label (the label column's header name) or label-index (its 0-based position, -1 for the last column)");
        assertThatThrownBy(() -> new CsvProvider.Config("x.csv", "y", 1, true, ",", CsvProvider.Task.CLASSIFICATION))
                .hasMessage("give either label or label-index, not both");
        assertThatThrownBy(() -> new CsvProvider.Config("x.csv", "y", null, false, ",", CsvProvider.Task.CLASSIFICATION))
                .hasMessage("label names a header column, but header = false; use label-index");
        assertThatThrownBy(() -> new CsvProvider.Config("x.csv", "y", null, true, ";;", CsvProvider.Task.CLASSIFICATION))
                .hasMessage("delimiter must be a single character other than '\"', got ';;'");
    }

    // ---------------------------------------------------------------- idx

    static byte[] idxImages(int magic, int count, int rows, int cols, int extraBytes) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(magic);
        out.writeInt(count);
        out.writeInt(rows);
        out.writeInt(cols);
        for (int i = 0; i < count * rows * cols + extraBytes; i++) {
            out.writeByte((i * 37) % 256);
        }
        return bytes.toByteArray();
    }

    static byte[] idxLabels(int... labels) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(IdxProvider.LABELS_MAGIC);
        out.writeInt(labels.length);
        for (int l : labels) {
            out.writeByte(l);
        }
        return bytes.toByteArray();
    }

    static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream out = new GZIPOutputStream(bytes)) {
            out.write(data);
        }
        return bytes.toByteArray();
    }

    Path writeBytes(String name, byte[] data) throws IOException {
        return Files.write(dir.resolve(name), data);
    }

    static IdxProvider.Config idx(String images, String labels) {
        return new IdxProvider.Config(images, labels, null, null, 1 / 255.0, null);
    }

    Dataset loadIdx(IdxProvider.Config config) {
        return new IdxProvider().load(config, context());
    }

    @Test
    void idxPlainAndGzip() throws IOException {
        writeBytes("train-images", idxImages(IdxProvider.IMAGES_MAGIC, 3, 2, 3, 0));
        writeBytes("train-labels.gz", gzip(idxLabels(0, 2, 1)));
        writeBytes("test-images.gz", gzip(idxImages(IdxProvider.IMAGES_MAGIC, 2, 2, 3, 0)));
        writeBytes("test-labels", idxLabels(1, 1));
        Dataset d = loadIdx(new IdxProvider.Config("train-images", "train-labels.gz", "test-images.gz", "test-labels",
                1 / 255.0, null));
        assertThat(d.featureShape()).isEqualTo(Shape.of(1, 2, 3));
        assertThat(d.target()).isEqualTo(new Target.Classes(List.of("0", "1", "2")));
        Examples train = d.train();
        assertThat(train.features().shape()).containsExactly(3, 1, 2, 3);
        assertThat(train.labels().toDoubleVector()).containsExactly(0, 2, 1);
        // pixel i of the file is (i * 37) % 256; pixel 7 is image 1, row 0, column 1
        assertThat(train.features().getDouble(1, 0, 0, 1)).isCloseTo((7 * 37 % 256) / 255.0, within(1e-6));
        assertThat(d.test()).isPresent();
        assertThat(d.test().get().features().shape()).containsExactly(2, 1, 2, 3);
        assertThat(d.test().get().labels().toDoubleVector()).containsExactly(1, 1);
    }

    @Test
    void idxClassNames() throws IOException {
        writeBytes("i", idxImages(IdxProvider.IMAGES_MAGIC, 2, 1, 1, 0));
        writeBytes("l", idxLabels(0, 1));
        Dataset d = loadIdx(new IdxProvider.Config("i", "l", null, null, 1, List.of("cat", "dog", "owl")));
        assertThat(d.target()).isEqualTo(new Target.Classes(List.of("cat", "dog", "owl")));
        Path l = writeBytes("l3", idxLabels(0, 3));
        assertThatThrownBy(() -> loadIdx(new IdxProvider.Config("i", "l3", null, null, 1, List.of("cat", "dog", "owl"))))
                .hasMessage(l + ": label 3 of example 1 (0-based) has no name: class-names lists 3 classes, for labels 0 to 2");
    }

    @Test
    void idxBadMagicCountsAndLengths() throws IOException {
        Path labels = writeBytes("labels", idxLabels(0, 1, 2));
        writeBytes("images", idxImages(IdxProvider.IMAGES_MAGIC, 3, 2, 2, 0));
        assertThatThrownBy(() -> loadIdx(idx("labels", "labels")))
                .isInstanceOf(PluginException.class)
                .hasMessage(labels + ": not an IDX image file: the magic number is 0x00000801 (unsigned bytes, 1 dimension),"
                        + " expected 0x00000803 (unsigned bytes, 3 dimensions)");
        Path text = write("text", "hello world, this is not idx");
        assertThatThrownBy(() -> loadIdx(idx("text", "labels")))
                .hasMessage(text + ": not an IDX image file: the magic number is 0x68656C6C (not an IDX header),"
                        + " expected 0x00000803 (unsigned bytes, 3 dimensions)");
        Path two = writeBytes("two", idxLabels(0, 1));
        assertThatThrownBy(() -> loadIdx(idx("images", "two")))
                .hasMessage(dir.resolve("images") + " holds 3 images but " + two + " holds 2 labels; they must match");
        byte[] full = idxImages(IdxProvider.IMAGES_MAGIC, 3, 2, 2, 0);
        Path cut = writeBytes("cut", Arrays.copyOf(full, full.length - 1));
        assertThatThrownBy(() -> loadIdx(idx("cut", "labels")))
                .hasMessage(cut + ": the file ends early; its header announces 3 images of 2x2 (12 bytes of pixels)");
        Path extra = writeBytes("extra", idxImages(IdxProvider.IMAGES_MAGIC, 3, 2, 2, 5));
        assertThatThrownBy(() -> loadIdx(idx("extra", "labels")))
                .hasMessage(extra + ": the file has more data than the 3 images of 2x2 its header announces");
        assertThatThrownBy(() -> loadIdx(idx("images", "missing-labels")))
                .hasMessage("labels: file not found: " + dir.resolve("missing-labels") + " (labels = 'missing-labels')");
    }

    @Test
    void idxClassesKeepsAndRelabelsAndLimitsKeepTheFirstExamples() throws IOException {
        // 6 images of 1x2; pixel i of the file is (i * 37) % 256, so image k holds pixels 2k and 2k + 1
        writeBytes("i", idxImages(IdxProvider.IMAGES_MAGIC, 6, 1, 2, 0));
        writeBytes("l", idxLabels(5, 0, 9, 7, 5, 9));
        writeBytes("ti", idxImages(IdxProvider.IMAGES_MAGIC, 4, 1, 2, 0));
        writeBytes("tl", idxLabels(9, 1, 5, 7));
        Dataset d = loadIdx(new IdxProvider.Config("i", "l", "ti", "tl", 1, null, List.of(9, 5, 7), 0, 0));
        assertThat(d.target()).as("default names: the original labels").isEqualTo(new Target.Classes(List.of("9", "5", "7")));
        assertThat(d.train().labels().toDoubleVector()).containsExactly(1, 0, 2, 1, 0);
        // kept: images 0, 2, 3, 4, 5 of the file; image 2 (now row 1) starts at pixel 4
        assertThat(d.train().features().shape()).containsExactly(5, 1, 1, 2);
        assertThat(d.train().features().getDouble(1, 0, 0, 0)).isEqualTo(4 * 37 % 256);
        assertThat(d.train().features().getDouble(4, 0, 0, 1)).isEqualTo(11 * 37 % 256);
        assertThat(d.test().get().labels().toDoubleVector()).containsExactly(0, 1, 2);
        assertThat(d.test().get().features().getDouble(1, 0, 0, 0)).isEqualTo(4 * 37 % 256);
        assertThat(d.describe()).contains("labels [9, 5, 7] of the file");

        Dataset named = loadIdx(new IdxProvider.Config("i", "l", null, null, 1, List.of("boot", "sandal", "sneaker"), List.of(9, 5, 7), 3, 0));
        assertThat(named.target()).isEqualTo(new Target.Classes(List.of("boot", "sandal", "sneaker")));
        assertThat(named.train().labels().toDoubleVector()).as("the first 3 kept").containsExactly(1, 0, 2);

        Dataset limited = loadIdx(new IdxProvider.Config("i", "l", "ti", "tl", 1, null, null, 4, 1));
        assertThat(limited.train().labels().toDoubleVector()).containsExactly(5, 0, 9, 7);
        assertThat(limited.test().get().labels().toDoubleVector()).containsExactly(9);

        Path l = dir.resolve("l");
        assertThatThrownBy(() -> loadIdx(new IdxProvider.Config("i", "l", null, null, 1, null, List.of(5, 3, 4), 0, 0)))
                .hasMessage(l + ": no example has the labels [3, 4] listed in classes (labels in the file: [0, 5, 7, 9])");
        assertThatThrownBy(() -> loadIdx(new IdxProvider.Config("i", "l", null, null, 1, null, List.of(5, 7), 1, 0)))
                .hasMessage(l + ": no example has the label [7] listed in classes among the first 1 kept examples (labels in the file: [0, 5, 7, 9])");
        assertThatThrownBy(() -> new IdxProvider.Config("i", "l", null, null, 1, null, List.of(5), 0, 0))
                .hasMessage("classes must list at least 2 label values, got [5]");
        assertThatThrownBy(() -> new IdxProvider.Config("i", "l", null, null, 1, null, List.of(5, 5), 0, 0))
                .hasMessage("classes must be distinct, got [5, 5]");
        assertThatThrownBy(() -> new IdxProvider.Config("i", "l", null, null, 1, null, List.of(5, 256), 0, 0))
                .hasMessage("classes are IDX label values, 0 to 255; got 256");
        assertThatThrownBy(() -> new IdxProvider.Config("i", "l", null, null, 1, List.of("a", "b", "c"), List.of(5, 6), 0, 0))
                .hasMessage("class-names must name the 2 kept classes, in the order of classes; got 3 names");
        assertThatThrownBy(() -> new IdxProvider.Config("i", "l", null, null, 1, null, null, -1, 0))
                .hasMessage("limit and test-limit must be 0 (all) or a positive count, got -1 and 0");
    }

    @Test
    void idxConfigValidation() {
        assertThatThrownBy(() -> new IdxProvider.Config("i", "l", "ti", null, 1, null))
                .hasMessage("test-images and test-labels go together: give both or neither");
        assertThatThrownBy(() -> new IdxProvider.Config("i", "l", null, null, 0, null))
                .hasMessage("scale must be a finite positive number, got 0.0");
        assertThatThrownBy(() -> new IdxProvider.Config("i", "l", null, null, 1, List.of("a", "a")))
                .hasMessage("class-names must be distinct, got [a, a]");
    }

    @Test
    void fashionMnistTestSet() {
        Path root = Path.of("/usr/share/datasets/fashion-mnist");
        Path images = root.resolve("t10k-images-idx3-ubyte.gz");
        Path labels = root.resolve("t10k-labels-idx1-ubyte.gz");
        boolean present = Files.isRegularFile(images) && Files.isRegularFile(labels);
        if (!present) {
            // on CI a missing dataset is a broken machine, not a reason to skip
            assertThat(System.getenv("CI")).as("CI is set but " + images + " or " + labels + " is missing").isNull();
            Assumptions.abort("Fashion-MNIST is not installed at " + root);
        }
        Dataset d = new IdxProvider().load(idx(images.toString(), labels.toString()), context());
        assertThat(d.train().size()).isEqualTo(10_000);
        assertThat(d.featureShape()).isEqualTo(Shape.of(1, 28, 28));
        assertThat(d.train().features().shape()).containsExactly(10_000, 1, 28, 28);
        assertThat(((Target.Classes) d.target()).count()).isEqualTo(10);
        INDArray x = d.train().features();
        assertThat(x.minNumber().doubleValue()).isGreaterThanOrEqualTo(0);
        assertThat(x.maxNumber().doubleValue()).isCloseTo(1.0, within(1e-6));
        // the t10k set is balanced: 1000 images per class
        assertThat(d.train().labels().eq(3).castTo(org.nd4j.linalg.api.buffer.DataType.INT32).sumNumber().intValue())
                .isEqualTo(1000);
    }

    // ---------------------------------------------------------------- digits

    @Test
    void digitsFlatAndImage() {
        Dataset flat = new DigitsProvider().load(new DigitsProvider.Config(DigitsProvider.Layout.FLAT, 0.0625), context());
        assertThat(flat.train().size()).isEqualTo(1797);
        assertThat(flat.featureShape()).isEqualTo(Shape.of(64));
        assertThat(flat.target()).isEqualTo(new Target.Classes(List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9")));
        assertThat(flat.test()).isEmpty();
        INDArray x = flat.train().features();
        assertThat(x.minNumber().doubleValue()).isEqualTo(0);
        assertThat(x.maxNumber().doubleValue()).isEqualTo(1);
        // the first digit of the file is a 0; its first row of pixels is 0,0,5,13,9,1,0,0
        assertThat(flat.train().labels().getDouble(0)).isEqualTo(0);
        assertThat(x.getRow(0).toDoubleVector()).startsWith(0, 0, 5 / 16.0, 13 / 16.0, 9 / 16.0, 1 / 16.0, 0, 0);
        for (int c = 0; c < 10; c++) {
            assertThat(flat.train().labels().eq(c).castTo(org.nd4j.linalg.api.buffer.DataType.INT32).sumNumber().intValue())
                    .as("examples of class %d", c).isBetween(170, 190);
        }

        Dataset image = new DigitsProvider().load(new DigitsProvider.Config(DigitsProvider.Layout.IMAGE, 1.0), context());
        assertThat(image.featureShape()).isEqualTo(Shape.of(1, 8, 8));
        assertThat(image.train().features().shape()).containsExactly(1797, 1, 8, 8);
        assertThat(image.train().features().getDouble(0, 0, 0, 3)).isEqualTo(13);
    }

    @Test
    void digitsAttributionShipsWithTheData() throws IOException {
        try (var in = DigitsProvider.class.getResourceAsStream("/dev/graft/plugins/data/digits-NOTICE.txt")) {
            assertThat(in).isNotNull();
            String notice = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertThat(notice).contains("Alpaydin").contains("scikit-learn").contains("BSD-3-Clause");
        }
    }
}
