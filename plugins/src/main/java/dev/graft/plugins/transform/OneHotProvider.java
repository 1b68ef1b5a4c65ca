package dev.graft.plugins.transform;

import dev.graft.api.GraftApi;
import dev.graft.api.PluginException;
import dev.graft.api.config.Default;
import dev.graft.api.config.Doc;
import dev.graft.api.data.Transform;
import dev.graft.api.data.TransformProvider;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code one-hot}: replaces categorical feature columns by one-hot blocks, like scikit-learn's
 * {@code OneHotEncoder(handle_unknown="ignore")} applied to those columns. Examples must be flat,
 * {@code [F]} features each (a CSV row). For each listed column, {@link Transform#fit} collects the
 * distinct values of the training rows and sorts them; {@link Transform.Fitted#apply} then replaces the
 * column, in place, by a block with one 0/1 feature per category: a 1 where the value equals that
 * category. A value never seen in training gives a block of zeros. The other columns keep their values
 * and their order.
 *
 * <p>Example: {@code columns: [1]} with training values 7, 3, 7, 5 in column 1 gives categories
 * {@code [3, 5, 7]}, and the row {@code [0.5, 7, 2]} becomes {@code [0.5, 0, 0, 1, 2]}.
 *
 * <p><b>The example width changes</b> from {@code F} to {@code F - columns + sum of block sizes}.
 * Put {@code one-hot} first among the transforms, so the column indices refer to the dataset's columns
 * and later transforms (such as {@code standardize}) see the widened rows; the model's input shape is
 * the width after the transforms.
 *
 * <p>Values are compared exactly, as float64; categories are meant to be whole-number codes. A column
 * with more than {@code max-categories} distinct training values is rejected, since it is probably not
 * categorical. State: {@code width} (the input width {@code F}, a scalar), {@code columns} (the listed
 * columns) and {@code categories/<column>} (the sorted categories of each column), all float64.
 */
public final class OneHotProvider implements TransformProvider<OneHotProvider.Config> {

    /** Options of {@code one-hot}. */
    public record Config(
            @Doc("indices (0-based) of the feature columns that hold categories") List<Integer> columns,
            @Doc("the most distinct training values a column may have, >= 2") @Default("100") int maxCategories) {
        public Config {
            if (columns == null || columns.isEmpty()) {
                throw new IllegalArgumentException("columns must list at least one feature index");
            }
            Set<Integer> seen = new HashSet<>();
            for (Integer c : columns) {
                if (c == null || c < 0) {
                    throw new IllegalArgumentException("columns must be feature indices >= 0, got " + c);
                }
                if (!seen.add(c)) {
                    throw new IllegalArgumentException("columns lists " + c + " twice");
                }
            }
            columns = List.copyOf(columns);
            if (maxCategories < 2) {
                throw new IllegalArgumentException("max-categories must be a whole number >= 2, got " + maxCategories);
            }
        }
    }

    public OneHotProvider() {
    }

    @Override
    public String id() {
        return "one-hot";
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
        return "replaces categorical feature columns by one-hot blocks of the training categories; widens the examples";
    }

    @Override
    public Transform create(Config config) {
        String id = id();
        return new Transform() {
            @Override
            public Fitted fit(INDArray trainFeatures) {
                int width = flatWidth(id, trainFeatures);
                long n = trainFeatures.size(0);
                if (n == 0) {
                    throw new PluginException(id + " cannot be fitted on an empty training set");
                }
                for (int c : config.columns()) {
                    if (c >= width) {
                        throw new PluginException(id + ": column " + c + " does not exist; the examples have " + width
                                + " features (columns 0 to " + (width - 1) + ")");
                    }
                }
                INDArray rows = trainFeatures.castTo(DataType.DOUBLE);
                Map<Integer, double[]> categories = new LinkedHashMap<>();
                for (int c : config.columns()) {
                    double[] values = rows.getColumn(c).dup().toDoubleVector();
                    TreeSet<Double> distinct = new TreeSet<>();
                    for (int i = 0; i < values.length; i++) {
                        if (!Double.isFinite(values[i])) {
                            throw new PluginException(id + ": column " + c + " holds " + values[i] + " in training row " + i
                                    + "; categories must be finite numbers");
                        }
                        distinct.add(values[i] == 0 ? 0.0 : values[i]);
                    }
                    if (distinct.size() > config.maxCategories()) {
                        throw new PluginException(id + ": column " + c + " has " + distinct.size()
                                + " distinct values in the training data, more than max-categories (" + config.maxCategories()
                                + "); is it categorical? If so, raise max-categories");
                    }
                    categories.put(c, distinct.stream().mapToDouble(Double::doubleValue).toArray());
                }
                return new OneHot(id, width, categories);
            }

            @Override
            public Fitted restore(Map<String, INDArray> state) {
                return OneHot.restore(id, config.columns(), state);
            }
        };
    }

    /** The width of flat examples {@code [n, F]}, or a clear error for any other shape. */
    static int flatWidth(String id, INDArray features) {
        if (features.rank() != 2) {
            long[] example = features.rank() == 0 ? new long[0] : Arrays.copyOfRange(features.shape(), 1, features.rank());
            throw new PluginException(id + " needs flat examples [features], as from a CSV file; got examples of shape "
                    + Arrays.toString(example));
        }
        return Math.toIntExact(features.size(1));
    }

    /** The fitted transform: input width and the sorted categories of each listed column, in config order. */
    private static final class OneHot implements Transform.Fitted {
        private final String id;
        private final int width;
        private final Map<Integer, double[]> categories;
        /** Per input column: the categories if it is replaced, else null. */
        private final double[][] byColumn;
        private final int outWidth;

        OneHot(String id, int width, Map<Integer, double[]> categories) {
            this.id = id;
            this.width = width;
            this.categories = categories;
            this.byColumn = new double[width][];
            int out = width;
            for (var e : categories.entrySet()) {
                byColumn[e.getKey()] = e.getValue();
                out += e.getValue().length - 1;
            }
            this.outWidth = out;
        }

        static OneHot restore(String id, List<Integer> columns, Map<String, INDArray> state) {
            Set<String> expected = new TreeSet<>(List.of("width", "columns"));
            columns.forEach(c -> expected.add("categories/" + c));
            if (!state.keySet().equals(expected)) {
                throw new IllegalArgumentException(id + " state for columns " + columns + " must have exactly the keys "
                        + expected + ", got " + new TreeSet<>(state.keySet()));
            }
            INDArray w = state.get("width");
            double width = w.length() == 1 ? w.getDouble(0) : -1;
            if (!(width >= 1) || width != Math.rint(width) || width > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(id + " state 'width' must be a whole number >= 1, got "
                        + (w.length() == 1 ? String.valueOf(w.getDouble(0)) : "shape " + Arrays.toString(w.shape())));
            }
            double[] saved = state.get("columns").castTo(DataType.DOUBLE).reshape(-1).toDoubleVector();
            double[] configured = columns.stream().mapToDouble(Integer::doubleValue).toArray();
            if (!Arrays.equals(saved, configured)) {
                throw new IllegalArgumentException(id + " state was fitted for columns " + Arrays.toString(saved)
                        + " but the config lists " + columns);
            }
            Map<Integer, double[]> categories = new LinkedHashMap<>();
            for (int c : columns) {
                if (c >= width) {
                    throw new IllegalArgumentException(id + " state lists column " + c + " but 'width' is " + (int) width);
                }
                double[] cats = state.get("categories/" + c).castTo(DataType.DOUBLE).reshape(-1).toDoubleVector();
                for (int i = 0; i < cats.length; i++) {
                    if (!Double.isFinite(cats[i]) || (i > 0 && !(cats[i] > cats[i - 1]))) {
                        throw new IllegalArgumentException(id + " state 'categories/" + c
                                + "' must hold finite values in increasing order, got " + Arrays.toString(cats));
                    }
                }
                if (cats.length == 0) {
                    throw new IllegalArgumentException(id + " state 'categories/" + c + "' is empty");
                }
                categories.put(c, cats);
            }
            return new OneHot(id, (int) width, categories);
        }

        @Override
        public INDArray apply(INDArray features) {
            int w = flatWidth(id, features);
            if (w != width) {
                throw new IllegalArgumentException(id + " was fitted on examples of " + width + " features, got examples of "
                        + w + " features");
            }
            int n = Math.toIntExact(features.size(0));
            double[] in = features.castTo(DataType.DOUBLE).dup('c').reshape(-1).toDoubleVector();
            double[] out = new double[n * outWidth];
            for (int i = 0; i < n; i++) {
                int o = i * outWidth;
                for (int c = 0; c < width; c++) {
                    double v = in[i * width + c];
                    double[] cats = byColumn[c];
                    if (cats == null) {
                        out[o++] = v;
                    } else {
                        int k = Arrays.binarySearch(cats, v == 0 ? 0.0 : v);
                        if (k >= 0) {
                            out[o + k] = 1;
                        }
                        o += cats.length;
                    }
                }
            }
            return Nd4j.createFromArray(out).reshape('c', n, outWidth).castTo(features.dataType());
        }

        @Override
        public Map<String, INDArray> state() {
            Map<String, INDArray> s = new LinkedHashMap<>();
            s.put("width", Nd4j.scalar(DataType.DOUBLE, (double) width));
            s.put("columns", Nd4j.createFromArray(categories.keySet().stream().mapToDouble(Integer::doubleValue).toArray()));
            categories.forEach((c, cats) -> s.put("categories/" + c, Nd4j.createFromArray(cats.clone())));
            return s;
        }
    }
}
