package dev.graft.runtime.train;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Scores of a model on a set of examples.
 *
 * @param examples  how many examples were scored
 * @param loss      mean loss
 * @param metrics   metric id to value (accuracy, precision, recall, f1-macro for classes; mse, mae
 *                  for regression; plus the configured ones)
 * @param classes   class names, empty for regression
 * @param confusion confusion matrix {@code [true class][predicted class]}, empty for regression
 */
public record Evaluation(long examples, double loss, Map<String, Double> metrics, List<String> classes, long[][] confusion) {
    public Evaluation {
        metrics = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
        classes = List.copyOf(classes);
    }

    /** Metrics with JSON-friendly keys ({@code f1-macro} becomes {@code f1_macro}). */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("examples", examples);
        m.put("loss", round(loss));
        metrics.forEach((k, v) -> m.put(k.replace('-', '_'), round(v)));
        return m;
    }

    private static Object round(double v) {
        return Double.isFinite(v) ? Math.round(v * 1e6) / 1e6 : null;
    }

    /** A readable report: metrics, per-class precision/recall/F1 and the confusion matrix. */
    public String report() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("examples %d, loss %.4f%n", examples, loss));
        metrics.forEach((k, v) -> sb.append(String.format("  %-12s %.4f%n", k, v)));
        if (!classes.isEmpty()) {
            int w = Math.max(8, classes.stream().mapToInt(String::length).max().orElse(5) + 1);
            sb.append(String.format("%n  %-" + w + "s %9s %9s %9s %8s%n", "class", "precision", "recall", "f1", "support"));
            for (int c = 0; c < classes.size(); c++) {
                long tp = confusion[c][c];
                long support = 0;
                long predicted = 0;
                for (int j = 0; j < classes.size(); j++) {
                    support += confusion[c][j];
                    predicted += confusion[j][c];
                }
                double p = predicted == 0 ? 0 : (double) tp / predicted;
                double r = support == 0 ? 0 : (double) tp / support;
                double f = p + r == 0 ? 0 : 2 * p * r / (p + r);
                sb.append(String.format("  %-" + w + "s %9.4f %9.4f %9.4f %8d%n", classes.get(c), p, r, f, support));
            }
            sb.append(String.format("%n  confusion matrix (rows: true class, columns: predicted)%n"));
            int cw = 6;
            for (long[] row : confusion) {
                for (long v : row) {
                    cw = Math.max(cw, Long.toString(v).length() + 1);
                }
            }
            sb.append(String.format("  %-" + w + "s", ""));
            for (int j = 0; j < classes.size(); j++) {
                sb.append(String.format("%" + cw + "s", abbreviate(classes.get(j), cw - 1)));
            }
            sb.append(System.lineSeparator());
            for (int i = 0; i < classes.size(); i++) {
                sb.append(String.format("  %-" + w + "s", classes.get(i)));
                for (int j = 0; j < classes.size(); j++) {
                    sb.append(String.format("%" + cw + "d", confusion[i][j]));
                }
                sb.append(System.lineSeparator());
            }
        }
        return sb.toString();
    }

    private static String abbreviate(String s, int n) {
        return s.length() <= n ? s : s.substring(0, n);
    }
}
