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
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * {@code csv}: a table of numbers with one label column, from a delimited text file (plain or
 * gzip-compressed, detected by its first bytes).
 *
 * <p>Every column except the label is a feature and must hold numbers; an example's features have
 * shape {@code [columns - 1]}. The label column is chosen by header name ({@code label}) or by
 * 0-based position ({@code label-index}, negative counts from the end: -1 is the last column).
 * <ul>
 *   <li>{@code task = "classification"}: label values may be names ({@code setosa}) or whole numbers;
 *       the distinct values become the classes, sorted numerically when all are whole numbers and
 *       alphabetically otherwise, and each label is stored as its class index.</li>
 *   <li>{@code task = "regression"}: the label must be a number; the target has shape {@code [1]}.</li>
 * </ul>
 * Fields may be quoted with double quotes (RFC 4180, not spanning lines); blank lines are skipped.
 * Errors name the file, the 1-based line (the header is line 1) and the column:
 * {@code data.csv: line 7, column 2 ('width'): 'abc' is not a number}. The file has no test set of
 * its own: Graft splits one off.
 */
public final class CsvProvider implements DatasetProvider<CsvProvider.Config> {

    /** What the label column holds. */
    public enum Task {
        /** Class names or whole numbers. */
        CLASSIFICATION,
        /** A real number. */
        REGRESSION
    }

    /** Options of {@code csv}. */
    public record Config(
            @Doc("path of the file, relative to the experiment file") String path,
            @Doc("header name of the label column (or give label-index)") @Default(Default.NULL) String label,
            @Doc("0-based position of the label column, negative from the end (-1 = last); instead of label")
            @Default(Default.NULL) Integer labelIndex,
            @Doc("whether the first line holds column names") @Default("true") boolean header,
            @Doc("the one character separating fields, e.g. \",\", \";\" or a tab") @Default(",") String delimiter,
            @Doc("classification (labels are classes) or regression (labels are numbers)") @Default("classification")
            Task task) {
        public Config {
            if (path == null || path.isBlank()) {
                throw new IllegalArgumentException("path must name a file");
            }
            if (label == null && labelIndex == null) {
                throw new IllegalArgumentException("give label (the label column's header name) or label-index"
                        + " (its 0-based position, -1 for the last column)");
            }
            if (label != null && labelIndex != null) {
                throw new IllegalArgumentException("give either label or label-index, not both");
            }
            if (label != null && label.isBlank()) {
                throw new IllegalArgumentException("label must be a column name, got an empty string");
            }
            if (label != null && !header) {
                throw new IllegalArgumentException("label names a header column, but header = false; use label-index");
            }
            if (delimiter == null || delimiter.length() != 1 || delimiter.charAt(0) == '"') {
                throw new IllegalArgumentException("delimiter must be a single character other than '\"', got '"
                        + delimiter + "'");
            }
            if (task == null) {
                throw new IllegalArgumentException("task must be classification or regression");
            }
        }
    }

    public CsvProvider() {
    }

    @Override
    public String id() {
        return "csv";
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
        return "numeric table from a CSV file with one label column (classification or regression)";
    }

    @Override
    public Dataset load(Config config, DataContext context) {
        Path file = Sources.existingFile(context, "path", config.path());
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(Sources.open(file), StandardCharsets.UTF_8))) {
            return read(config, file, reader);
        } catch (IOException e) {
            throw new PluginException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    private static Dataset read(Config config, Path file, BufferedReader reader) {
        String name = file.toString();
        CsvLines lines = new CsvLines(reader, name, config.delimiter().charAt(0));
        String[] first = lines.next();
        if (first == null) {
            throw new PluginException(name + " is empty; expected " + (config.header() ? "a header line and " : "")
                    + "rows of numbers");
        }
        String[] names = config.header() ? first : null;
        int columns = first.length;
        String expectedFrom = config.header() ? "as in the header" : "as on line " + lines.lineNumber();
        if (columns < 2) {
            throw new PluginException(name + ": found " + columns + " column; a dataset needs the label and at least"
                    + " one feature column (is the delimiter '" + config.delimiter() + "' right?)");
        }
        int labelColumn = labelColumn(config, name, names, columns);

        FloatBuffer features = new FloatBuffer();
        List<String> classLabels = new ArrayList<>();
        FloatBuffer regressionLabels = new FloatBuffer();
        String[] row = config.header() ? lines.next() : first;
        while (row != null) {
            if (row.length != columns) {
                throw new PluginException(name + ": line " + lines.lineNumber() + " has " + row.length + " columns, expected "
                        + columns + " (" + expectedFrom + ")");
            }
            for (int c = 0; c < columns; c++) {
                if (c == labelColumn) {
                    continue;
                }
                features.add(lines.number(row[c], c, names == null ? null : names[c]));
            }
            String labelCell = row[labelColumn];
            if (config.task() == Task.REGRESSION) {
                regressionLabels.add(lines.number(labelCell, labelColumn, names == null ? null : names[labelColumn]));
            } else {
                if (labelCell.isEmpty()) {
                    throw new PluginException(name + ": line " + lines.lineNumber() + ", column " + (labelColumn + 1)
                            + (names == null ? "" : " ('" + names[labelColumn] + "')") + ": the label is empty");
                }
                classLabels.add(labelCell);
            }
            row = lines.next();
        }
        int n = config.task() == Task.REGRESSION ? regressionLabels.size() : classLabels.size();
        if (n == 0) {
            throw new PluginException(name + " has a header but no data rows");
        }
        int featureCount = columns - 1;
        INDArray x = Nd4j.createFromArray(features.toArray()).reshape(n, featureCount);
        String labelName = names == null ? "column " + (labelColumn + 1) : "'" + names[labelColumn] + "'";
        if (config.task() == Task.REGRESSION) {
            INDArray y = Nd4j.createFromArray(regressionLabels.toArray()).reshape(n, 1);
            return new LoadedDataset(Shape.of(featureCount), new Target.Regression(Shape.of(1)), new Examples(x, y),
                    Optional.empty(), "csv " + name + ": " + n + " rows, " + featureCount + " features, regression on "
                    + labelName);
        }
        List<String> classes = classNames(classLabels);
        if (classes.size() < 2) {
            throw new PluginException(name + ": the label column " + labelName + " holds only one value ('"
                    + classes.get(0) + "'); classification needs at least 2 classes");
        }
        Map<String, Integer> index = classIndex(classLabels, classes);
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            y[i] = index.get(classLabels.get(i));
        }
        return new LoadedDataset(Shape.of(featureCount), new Target.Classes(classes),
                new Examples(x, Nd4j.createFromArray(y)), Optional.empty(),
                "csv " + name + ": " + n + " rows, " + featureCount + " features, " + classes.size() + " classes "
                        + (classes.size() <= 10 ? classes : classes.subList(0, 10) + "...") + " from " + labelName);
    }

    private static int labelColumn(Config config, String file, String[] names, int columns) {
        if (config.label() != null) {
            for (int c = 0; c < names.length; c++) {
                if (names[c].equals(config.label())) {
                    return c;
                }
            }
            throw new PluginException(file + ": no column named '" + config.label() + "' in the header; the columns are "
                    + String.join(", ", names));
        }
        int i = config.labelIndex();
        int c = i < 0 ? columns + i : i;
        if (c < 0 || c >= columns) {
            throw new PluginException("label-index " + i + " is out of range: " + file + " has " + columns
                    + " columns, so it must be between " + (-columns) + " and " + (columns - 1));
        }
        return c;
    }

    /** Distinct label values as class names: numerically sorted if all are whole numbers, else alphabetically. */
    private static List<String> classNames(List<String> labels) {
        Map<String, Long> asNumber = new HashMap<>();
        boolean allWhole = true;
        for (String s : labels) {
            if (asNumber.containsKey(s)) {
                continue;
            }
            Long v = wholeNumber(s);
            if (v == null) {
                allWhole = false;
                break;
            }
            asNumber.put(s, v);
        }
        if (allWhole) {
            TreeMap<Long, String> sorted = new TreeMap<>();
            asNumber.values().forEach(v -> sorted.put(v, Long.toString(v)));
            return List.copyOf(sorted.values());
        }
        return labels.stream().distinct().sorted().toList();
    }

    private static Map<String, Integer> classIndex(List<String> labels, List<String> classes) {
        Map<String, Integer> byName = new HashMap<>();
        for (int i = 0; i < classes.size(); i++) {
            byName.put(classes.get(i), i);
        }
        Map<String, Integer> index = new HashMap<>();
        for (String s : labels) {
            if (!index.containsKey(s)) {
                Integer i = byName.get(s);
                if (i == null) {
                    i = byName.get(Long.toString(wholeNumber(s)));
                }
                index.put(s, i);
            }
        }
        return index;
    }

    /** The value of a label written as a whole number ({@code 3}, {@code -1}, {@code 2.0}), else null. */
    private static Long wholeNumber(String s) {
        if (!s.matches("[+-]?\\d+(\\.0*)?")) {
            return null;
        }
        try {
            return Long.parseLong(s.replaceFirst("\\.0*$", "").replaceFirst("^\\+", ""));
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
