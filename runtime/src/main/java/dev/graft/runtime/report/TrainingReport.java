package dev.graft.runtime.report;

import dev.graft.runtime.GraftException;
import dev.graft.runtime.train.EpochStats;
import dev.graft.runtime.train.Evaluation;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.AxesChartStyler;
import org.knowm.xchart.style.HeatMapStyler;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Writes the human-readable record of a training run into a directory: PNG charts drawn with XChart
 * and one self-contained {@code report.html} (no external resources, no JavaScript; the charts are
 * embedded as {@code data:} URIs).
 *
 * <ul>
 *   <li>{@value #LOSS_PNG}: training and validation loss per epoch (validation omitted when it is NaN);</li>
 *   <li>{@value #METRICS_PNG}: every validation metric per epoch, only when there are some;</li>
 *   <li>{@value #CONFUSION_PNG}: the test confusion matrix as a heat map, classification only;</li>
 *   <li>{@value #REPORT_HTML}: title, facts, test metrics, per-class precision/recall/F1/support,
 *       the charts and the per-epoch history.</li>
 * </ul>
 *
 * <p>Rendering is headless ({@code java.awt.headless} is set to {@code true} unless already set). A
 * chart that cannot be drawn (for example on a machine without fonts) does not fail the report: it is
 * left out, the page says which chart is missing and why, and the reason is passed to the warning
 * callback. Every file is written to a temporary file in {@code dir} and then moved into place, so a
 * crash never leaves a half-written file; {@code report.html} is written last. A chart file this call
 * does not (re)write is deleted, so the directory never mixes charts of different runs.
 */
public final class TrainingReport {

    static {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    public static final String LOSS_PNG = "loss.png";
    public static final String METRICS_PNG = "metrics.png";
    public static final String CONFUSION_PNG = "confusion.png";
    public static final String REPORT_HTML = "report.html";

    /** Size of the per-epoch charts in pixels. */
    public static final int WIDTH = 800;
    public static final int HEIGHT = 500;

    private static final Logger LOG = LoggerFactory.getLogger(TrainingReport.class);

    /** Turns a chart into PNG bytes; a seam so tests can simulate a machine where drawing fails. */
    @FunctionalInterface
    interface Renderer {
        byte[] png(Chart<?, ?> chart) throws Exception;
    }

    static final Renderer XCHART = chart -> {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 * 1024);
        BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG);
        return out.toByteArray();
    };

    /** Series colours; plain RGB ints so that loading this class never initialises AWT. */
    private static final int[] PALETTE = {
        0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd, 0x8c564b, 0xe377c2, 0x7f7f7f, 0xbcbd22, 0x17becf
    };

    private static Color color(int index) {
        return new Color(PALETTE[index % PALETTE.length]);
    }

    private TrainingReport() {
    }

    /**
     * Writes the report; chart problems are logged as warnings.
     *
     * @see #write(Path, String, List, Evaluation, Map, Consumer)
     */
    public static List<Path> write(Path dir, String title, List<EpochStats> history, Evaluation test,
                                   Map<String, ?> facts) {
        return write(dir, title, history, test, facts, w -> LOG.warn(w));
    }

    /**
     * Writes the charts and {@code report.html} into {@code dir} (created if needed).
     *
     * @param dir      output directory
     * @param title    page title; {@code null} gives "Training report"
     * @param history  per-epoch statistics in order; may be empty
     * @param test     test evaluation, {@code null} without a test split
     * @param facts    ordered key-value lines about the run (data, model, parameters, epochs, stop
     *                 reason, wall time...); integers get thousands separators, floating-point values
     *                 four decimals, anything else {@code toString()}; may be {@code null}
     * @param warnings receives one message per chart that could not be drawn
     * @return the files written, charts first and {@code report.html} last
     * @throws GraftException ({@link GraftException.Code#IO}) when a file cannot be written
     */
    public static List<Path> write(Path dir, String title, List<EpochStats> history, Evaluation test,
                                   Map<String, ?> facts, Consumer<String> warnings) {
        return write(dir, title, history, test, facts, warnings, XCHART);
    }

    static List<Path> write(Path dir, String title, List<EpochStats> history, Evaluation test,
                            Map<String, ?> facts, Consumer<String> warnings, Renderer renderer) {
        Objects.requireNonNull(dir, "dir");
        String pageTitle = title == null || title.isBlank() ? "Training report" : title;
        List<EpochStats> epochs = history == null ? List.of() : List.copyOf(history);
        Map<String, ?> lines = facts == null ? Map.of() : facts;
        Consumer<String> warn = warnings == null ? w -> { } : warnings;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new GraftException(GraftException.Code.IO, "cannot create report directory " + dir + ": " + e.getMessage(), e);
        }

        List<Path> written = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        Map<String, byte[]> images = new LinkedHashMap<>();

        List<String> metricIds = metricIds(epochs);
        boolean classification = test != null && !test.classes().isEmpty() && test.confusion() != null
            && test.confusion().length > 0;

        chart(dir, LOSS_PNG, "loss chart", epochs.isEmpty() ? null : () -> lossChart(epochs),
            renderer, written, notes, images, warn);
        chart(dir, METRICS_PNG, "validation metrics chart", metricIds.isEmpty() ? null : () -> metricsChart(epochs, metricIds),
            renderer, written, notes, images, warn);
        chart(dir, CONFUSION_PNG, "confusion matrix chart", classification ? () -> confusionChart(test) : null,
            renderer, written, notes, images, warn);

        Path html = dir.resolve(REPORT_HTML);
        String page = html(pageTitle, epochs, metricIds, test, lines, images, notes);
        writeAtomically(html, page.getBytes(StandardCharsets.UTF_8));
        written.add(html);
        return List.copyOf(written);
    }

    @FunctionalInterface
    private interface ChartFactory {
        Chart<?, ?> create();
    }

    /** Draws one chart into {@code dir/file}; a null factory means the chart does not apply. */
    private static void chart(Path dir, String file, String what, ChartFactory factory, Renderer renderer,
                              List<Path> written, List<String> notes, Map<String, byte[]> images,
                              Consumer<String> warn) {
        Path target = dir.resolve(file);
        byte[] png = null;
        if (factory != null) {
            try {
                png = renderer.png(factory.create());
            } catch (Throwable t) {
                if (t instanceof VirtualMachineError && !(t instanceof InternalError)) {
                    throw (VirtualMachineError) t; // out of memory and the like are not chart problems
                }
                String note = "The " + what + " (" + file + ") could not be drawn: " + describe(t);
                notes.add(note);
                warn.accept(note);
            }
        }
        if (png == null) {
            try {
                Files.deleteIfExists(target); // a stale chart of an earlier run would contradict the page
            } catch (IOException e) {
                throw new GraftException(GraftException.Code.IO, "cannot delete " + target + ": " + e.getMessage(), e);
            }
            return;
        }
        writeAtomically(target, png);
        written.add(target);
        images.put(file, png);
    }

    private static String describe(Throwable t) {
        StringBuilder sb = new StringBuilder();
        Set<Throwable> seen = new LinkedHashSet<>();
        for (Throwable c = t; c != null && seen.add(c); c = c.getCause()) {
            if (!sb.isEmpty()) {
                sb.append("; caused by ");
            }
            sb.append(c.getClass().getName());
            if (c.getMessage() != null && !c.getMessage().isBlank()) {
                sb.append(": ").append(c.getMessage().strip());
            }
        }
        return sb.toString();
    }

    // ---------------------------------------------------------------- charts

    static XYChart lossChart(List<EpochStats> epochs) {
        XYChart chart = xyChart("Loss", "loss");
        List<Integer> trainX = new ArrayList<>();
        List<Double> trainY = new ArrayList<>();
        List<Integer> valX = new ArrayList<>();
        List<Double> valY = new ArrayList<>();
        for (EpochStats e : epochs) {
            if (Double.isFinite(e.trainLoss())) {
                trainX.add(e.epoch());
                trainY.add(e.trainLoss());
            }
            if (Double.isFinite(e.valLoss())) {
                valX.add(e.epoch());
                valY.add(e.valLoss());
            }
        }
        int n = 0;
        n += addSeries(chart, "training loss", trainX, trainY, n);
        n += addSeries(chart, "validation loss", valX, valY, n);
        if (n == 0) {
            throw new IllegalArgumentException("no finite loss values to plot");
        }
        epochAxis(chart, epochs);
        return chart;
    }

    static XYChart metricsChart(List<EpochStats> epochs, List<String> ids) {
        XYChart chart = xyChart("Validation metrics", "value");
        int n = 0;
        for (String id : ids) {
            List<Integer> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            for (EpochStats e : epochs) {
                Double v = e.valMetrics().get(id);
                if (v != null && Double.isFinite(v)) {
                    x.add(e.epoch());
                    y.add(v);
                }
            }
            n += addSeries(chart, id, x, y, n);
        }
        if (n == 0) {
            throw new IllegalArgumentException("no finite metric values to plot");
        }
        epochAxis(chart, epochs);
        return chart;
    }

    private static XYChart xyChart(String title, String yTitle) {
        XYChart chart = new XYChart(WIDTH, HEIGHT, Styler.ChartTheme.XChart);
        chart.setTitle(title);
        chart.setXAxisTitle("epoch");
        chart.setYAxisTitle(yTitle);
        XYStyler s = chart.getStyler();
        baseStyle(s);
        s.setLegendPosition(Styler.LegendPosition.OutsideS);
        s.setLegendLayout(Styler.LegendLayout.Horizontal);
        s.setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        s.setMarkerSize(7);
        Color[] colors = new Color[PALETTE.length];
        for (int i = 0; i < colors.length; i++) {
            colors[i] = color(i);
        }
        s.setSeriesColors(colors);
        return chart;
    }

    /** Adds a series when it has points; returns 1 if added. */
    private static int addSeries(XYChart chart, String name, List<Integer> x, List<Double> y, int index) {
        if (x.isEmpty()) {
            return 0;
        }
        XYSeries s = chart.addSeries(name, x, y);
        s.setLineWidth(2.2f);
        s.setMarker(x.size() <= 60 ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
        s.setLineColor(color(index));
        s.setMarkerColor(color(index));
        return 1;
    }

    /** Whole-number epoch ticks, and some room around a single epoch so its markers show. */
    private static void epochAxis(XYChart chart, List<EpochStats> epochs) {
        XYStyler s = chart.getStyler();
        int first = epochs.stream().mapToInt(EpochStats::epoch).min().orElse(1);
        int last = epochs.stream().mapToInt(EpochStats::epoch).max().orElse(1);
        if (first == last) {
            s.setXAxisMin(first - 1.0);
            s.setXAxisMax(last + 1.0);
        } else {
            s.setXAxisMin((double) first);
            s.setXAxisMax((double) last);
        }
        s.setxAxisTickLabelsFormattingFunction(v -> {
            long r = Math.round(v);
            return Math.abs(v - r) < 1e-9 ? Long.toString(r) : "";
        });
        // a flat series (or a single point) needs a visible y range too
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (XYSeries series : chart.getSeriesMap().values()) {
            lo = Math.min(lo, series.getYMin());
            hi = Math.max(hi, series.getYMax());
        }
        if (hi - lo <= Math.abs(hi) * 1e-9) {
            double pad = hi == 0 ? 1 : Math.abs(hi) * 0.1;
            s.setYAxisMin(lo - pad);
            s.setYAxisMax(hi + pad);
        } else if (first == last) {
            double pad = (hi - lo) * 0.25;
            s.setYAxisMin(lo - pad);
            s.setYAxisMax(hi + pad);
        }
    }

    static HeatMapChart confusionChart(Evaluation test) {
        List<String> classes = test.classes();
        long[][] cm = test.confusion();
        int n = classes.size();
        int longest = classes.stream().mapToInt(String::length).max().orElse(1);
        int cell = n <= 10 ? 64 : n <= 30 ? 36 : 18;
        int labelRoom = Math.min(260, 40 + longest * 7);
        int plot = Math.min(2000, Math.max(440, n * cell)); // roughly square cells
        boolean showCounts = cell >= 30;
        int width = plot + labelRoom + (showCounts ? 90 : 200); // the gradient legend needs room
        int height = plot + labelRoom + 110;

        // with an explicit theme the styler is fully initialised (the plain constructor leaves colours and fonts null)
        HeatMapChart chart = new HeatMapChart(width, height, Styler.ChartTheme.XChart);
        chart.setTitle("Confusion matrix (test)");
        chart.setXAxisTitle("predicted class");
        chart.setYAxisTitle("true class");
        HeatMapStyler s = chart.getStyler();
        baseStyle(s);
        s.setLegendPosition(Styler.LegendPosition.OutsideE);
        s.setRangeColors(new Color[]{new Color(0xf7fbff), new Color(0xc6dbef), new Color(0x6baed6), new Color(0x4292c6)});
        s.setDrawBorder(true);
        s.setShowValue(showCounts);
        s.setLegendVisible(!showCounts); // the gradient legend only helps when the cells carry no numbers
        s.setValueFont(new Font(Font.SANS_SERIF, Font.PLAIN, n <= 10 ? 15 : 12));
        s.setValueFontColor(new Color(0x111111));
        s.setHeatMapValueDecimalPattern("#0");
        s.setPlotGridLinesVisible(false);
        if (longest > 6 || n > 8) {
            s.setXAxisLabelRotation(45);
        }

        long max = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                max = Math.max(max, count(cm, i, j));
            }
        }
        s.setMin(0);
        s.setMax(Math.max(1, max));

        // rows are drawn bottom-up, so the first true class goes last to end up at the top
        List<String> x = new ArrayList<>(classes);
        List<String> y = new ArrayList<>(n);
        for (int i = n - 1; i >= 0; i--) {
            y.add(classes.get(i));
        }
        List<Number[]> data = new ArrayList<>(n * n);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                data.add(new Number[]{j, n - 1 - i, count(cm, i, j)});
            }
        }
        chart.addSeries("count", x, y, data);
        return chart;
    }

    private static void baseStyle(AxesChartStyler s) {
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotBackgroundColor(Color.WHITE);
        s.setPlotBorderColor(new Color(0xbbbbbb));
        s.setPlotGridLinesColor(new Color(0xe4e4e4));
        s.setPlotGridLinesStroke(new BasicStroke(1f));
        s.setChartFontColor(new Color(0x222222));
        s.setAxisTickLabelsColor(new Color(0x333333));
        s.setLegendBorderColor(Color.WHITE);
        s.setChartTitleBoxVisible(false);
        s.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 17));
        s.setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        s.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        s.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        s.setChartPadding(14);
        s.setLocale(Locale.ROOT);
        s.setAntiAlias(true);
    }

    private static long count(long[][] cm, int i, int j) {
        return i < cm.length && cm[i] != null && j < cm[i].length ? cm[i][j] : 0;
    }

    /** Validation metric ids in order of first appearance. */
    private static List<String> metricIds(List<EpochStats> epochs) {
        Set<String> ids = new LinkedHashSet<>();
        for (EpochStats e : epochs) {
            ids.addAll(e.valMetrics().keySet());
        }
        return List.copyOf(ids);
    }

    // ---------------------------------------------------------------- per-class scores

    /** Precision, recall, F1 and support of one class, from the confusion matrix. */
    record ClassScore(String name, double precision, double recall, double f1, long support) {
    }

    static List<ClassScore> classScores(List<String> classes, long[][] cm) {
        int n = classes.size();
        List<ClassScore> out = new ArrayList<>(n);
        for (int c = 0; c < n; c++) {
            long tp = count(cm, c, c);
            long support = 0;
            long predicted = 0;
            for (int j = 0; j < n; j++) {
                support += count(cm, c, j);
                predicted += count(cm, j, c);
            }
            double p = predicted == 0 ? 0 : (double) tp / predicted;
            double r = support == 0 ? 0 : (double) tp / support;
            double f = p + r == 0 ? 0 : 2 * p * r / (p + r);
            out.add(new ClassScore(classes.get(c), p, r, f, support));
        }
        return out;
    }

    // ---------------------------------------------------------------- HTML

    private static final String CSS = """
        body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;\
        color:#222;background:#fafafa;margin:0}
        main{max-width:960px;margin:0 auto;padding:24px 28px 48px;background:#fff;min-height:100vh;\
        box-shadow:0 0 0 1px #eee}
        h1{font-size:26px;margin:8px 0 2px}
        h2{font-size:19px;margin:34px 0 10px;padding-bottom:4px;border-bottom:1px solid #e5e5e5}
        h3{font-size:15px;margin:22px 0 8px;color:#444}
        .sub{color:#777;font-size:13px;margin:0 0 8px}
        table{border-collapse:collapse;margin:6px 0 14px;font-size:14px}
        th,td{padding:5px 12px;border-bottom:1px solid #eee;text-align:left;vertical-align:top}
        thead th{border-bottom:2px solid #ccc;background:#f6f6f6;font-weight:600}
        td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
        table.kv th{font-weight:600;color:#555;background:none;white-space:nowrap}
        tr.avg td{border-top:2px solid #ddd;color:#555}
        tbody tr:hover{background:#fafcff}
        figure{margin:14px 0 22px}
        figure img{max-width:100%;height:auto;border:1px solid #eee}
        figcaption{color:#777;font-size:13px}
        .note{background:#fff8e1;border-left:4px solid #f0b400;padding:8px 12px;margin:10px 0;font-size:14px}
        .scroll{overflow-x:auto}
        table.cm td{text-align:right;font-variant-numeric:tabular-nums;min-width:2.5em}
        details{margin:8px 0 16px}
        summary{cursor:pointer;color:#555}
        """;

    static String html(String title, List<EpochStats> epochs, List<String> metricIds, Evaluation test,
                       Map<String, ?> facts, Map<String, byte[]> images, List<String> notes) {
        StringBuilder h = new StringBuilder(16 * 1024);
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .append("<title>").append(esc(title)).append("</title>\n<style>\n").append(CSS).append("</style>\n</head>\n<body>\n<main>\n");
        h.append("<h1>").append(esc(title)).append("</h1>\n");
        h.append("<p class=\"sub\">Generated ")
            .append(esc(ZonedDateTime.now().truncatedTo(ChronoUnit.SECONDS).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME)))
            .append("</p>\n");
        for (String note : notes) {
            h.append("<p class=\"note\">").append(esc(note)).append("</p>\n");
        }

        if (!facts.isEmpty()) {
            h.append("<h2>Run</h2>\n<table class=\"kv\">\n<tbody>\n");
            facts.forEach((k, v) -> h.append("<tr><th>").append(esc(k)).append("</th><td>").append(esc(fact(v))).append("</td></tr>\n"));
            h.append("</tbody>\n</table>\n");
        }

        if (test != null) {
            h.append("<h2>Test evaluation</h2>\n<table class=\"kv\">\n<tbody>\n");
            h.append("<tr><th>examples</th><td class=\"n\">").append(esc(String.format(Locale.ROOT, "%,d", test.examples()))).append("</td></tr>\n");
            h.append("<tr><th>loss</th><td class=\"n\">").append(esc(num(test.loss()))).append("</td></tr>\n");
            test.metrics().forEach((k, v) -> h.append("<tr><th>").append(esc(k)).append("</th><td class=\"n\">")
                .append(esc(num(v))).append("</td></tr>\n"));
            h.append("</tbody>\n</table>\n");

            if (!test.classes().isEmpty() && test.confusion() != null && test.confusion().length > 0) {
                classTable(h, test);
                image(h, images, CONFUSION_PNG, "Confusion matrix of the test set: rows are true classes, columns predicted classes.");
                confusionTable(h, test);
            }
        }

        if (!epochs.isEmpty()) {
            h.append("<h2>Training</h2>\n");
            image(h, images, LOSS_PNG, "Training and validation loss per epoch.");
            image(h, images, METRICS_PNG, "Validation metrics per epoch.");
            historyTable(h, epochs, metricIds);
        }
        h.append("</main>\n</body>\n</html>\n");
        return h.toString();
    }

    private static void classTable(StringBuilder h, Evaluation test) {
        List<ClassScore> scores = classScores(test.classes(), test.confusion());
        h.append("<h3>Per class</h3>\n<div class=\"scroll\">\n<table>\n<thead><tr><th>class</th>")
            .append("<th class=\"n\">precision</th><th class=\"n\">recall</th><th class=\"n\">F1</th><th class=\"n\">support</th></tr></thead>\n<tbody>\n");
        long total = 0;
        double[] macro = new double[3];
        double[] weighted = new double[3];
        for (ClassScore s : scores) {
            h.append("<tr><td>").append(esc(s.name())).append("</td>")
                .append(numCell(s.precision())).append(numCell(s.recall())).append(numCell(s.f1()))
                .append("<td class=\"n\">").append(String.format(Locale.ROOT, "%,d", s.support())).append("</td></tr>\n");
            total += s.support();
            macro[0] += s.precision();
            macro[1] += s.recall();
            macro[2] += s.f1();
            weighted[0] += s.precision() * s.support();
            weighted[1] += s.recall() * s.support();
            weighted[2] += s.f1() * s.support();
        }
        int n = scores.size();
        h.append("<tr class=\"avg\"><td>macro average</td>")
            .append(numCell(macro[0] / n)).append(numCell(macro[1] / n)).append(numCell(macro[2] / n))
            .append("<td class=\"n\">").append(String.format(Locale.ROOT, "%,d", total)).append("</td></tr>\n");
        if (total > 0) {
            h.append("<tr><td>weighted average</td>")
                .append(numCell(weighted[0] / total)).append(numCell(weighted[1] / total)).append(numCell(weighted[2] / total))
                .append("<td class=\"n\">").append(String.format(Locale.ROOT, "%,d", total)).append("</td></tr>\n");
        }
        h.append("</tbody>\n</table>\n</div>\n");
    }

    /** The confusion matrix as a shaded table, folded away: it also stands in when the chart is missing. */
    private static void confusionTable(StringBuilder h, Evaluation test) {
        List<String> classes = test.classes();
        long[][] cm = test.confusion();
        int n = classes.size();
        long max = 1;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                max = Math.max(max, count(cm, i, j));
            }
        }
        h.append("<details>\n<summary>Confusion matrix as a table (rows: true class, columns: predicted class)</summary>\n")
            .append("<div class=\"scroll\">\n<table class=\"cm\">\n<thead><tr><th>true \\ predicted</th>");
        for (String c : classes) {
            h.append("<th class=\"n\">").append(esc(c)).append("</th>");
        }
        h.append("</tr></thead>\n<tbody>\n");
        for (int i = 0; i < n; i++) {
            h.append("<tr><th>").append(esc(classes.get(i))).append("</th>");
            for (int j = 0; j < n; j++) {
                long v = count(cm, i, j);
                double a = v == 0 ? 0 : 0.08 + 0.6 * v / max;
                h.append("<td style=\"background:rgba(33,113,181,").append(String.format(Locale.ROOT, "%.2f", a)).append(")\">")
                    .append(v).append("</td>");
            }
            h.append("</tr>\n");
        }
        h.append("</tbody>\n</table>\n</div>\n</details>\n");
    }

    private static void historyTable(StringBuilder h, List<EpochStats> epochs, List<String> metricIds) {
        boolean anyVal = epochs.stream().anyMatch(e -> !Double.isNaN(e.valLoss()));
        h.append("<h3>History</h3>\n<div class=\"scroll\">\n<table>\n<thead><tr><th class=\"n\">epoch</th><th class=\"n\">train loss</th>");
        if (anyVal) {
            h.append("<th class=\"n\">val loss</th>");
        }
        for (String id : metricIds) {
            h.append("<th class=\"n\">val ").append(esc(id)).append("</th>");
        }
        h.append("<th class=\"n\">seconds</th><th class=\"n\">examples/s</th></tr></thead>\n<tbody>\n");
        for (EpochStats e : epochs) {
            h.append("<tr><td class=\"n\">").append(e.epoch()).append("</td>").append(numCell(e.trainLoss()));
            if (anyVal) {
                h.append(numCell(e.valLoss()));
            }
            for (String id : metricIds) {
                Double v = e.valMetrics().get(id);
                h.append(numCell(v == null ? Double.NaN : v));
            }
            h.append("<td class=\"n\">").append(esc(fixed(e.seconds(), 1))).append("</td>")
                .append("<td class=\"n\">").append(esc(fixed(e.examplesPerSec(), 0))).append("</td></tr>\n");
        }
        h.append("</tbody>\n</table>\n</div>\n");
    }

    private static void image(StringBuilder h, Map<String, byte[]> images, String file, String caption) {
        byte[] png = images.get(file);
        if (png == null) {
            return;
        }
        h.append("<figure><img src=\"data:image/png;base64,").append(Base64.getEncoder().encodeToString(png))
            .append("\" alt=\"").append(esc(caption)).append("\"><figcaption>").append(esc(caption))
            .append(" (").append(esc(file)).append(")</figcaption></figure>\n");
    }

    private static String numCell(double v) {
        return "<td class=\"n\">" + esc(num(v)) + "</td>";
    }

    /** Four decimals, scientific for tiny or huge magnitudes, a dash for NaN. */
    static String num(double v) {
        if (Double.isNaN(v)) {
            return "\u2014";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "\u221e" : "-\u221e";
        }
        double a = Math.abs(v);
        if (a != 0 && (a < 1e-3 || a >= 1e7)) {
            return String.format(Locale.ROOT, "%.3e", v);
        }
        return String.format(Locale.ROOT, "%.4f", v);
    }

    private static String fixed(double v, int decimals) {
        if (!Double.isFinite(v)) {
            return num(v);
        }
        return String.format(Locale.ROOT, "%,." + decimals + "f", v);
    }

    private static String fact(Object v) {
        if (v == null) {
            return "\u2014";
        }
        if (v instanceof Double || v instanceof Float) {
            return num(((Number) v).doubleValue());
        }
        if (v instanceof Long || v instanceof Integer || v instanceof Short) {
            return String.format(Locale.ROOT, "%,d", ((Number) v).longValue());
        }
        if (v instanceof Collection<?> c) {
            return String.join(", ", c.stream().map(TrainingReport::fact).toList());
        }
        return v.toString();
    }

    /** Escapes text for HTML element content and quoted attribute values. */
    static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder sb = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            String r = switch (c) {
                case '&' -> "&amp;";
                case '<' -> "&lt;";
                case '>' -> "&gt;";
                case '"' -> "&quot;";
                case '\'' -> "&#39;";
                default -> null;
            };
            if (r != null && sb == null) {
                sb = new StringBuilder(s.length() + 16).append(s, 0, i);
            }
            if (sb != null) {
                if (r != null) {
                    sb.append(r);
                } else {
                    sb.append(c);
                }
            }
        }
        return sb == null ? s : sb.toString();
    }

    // ---------------------------------------------------------------- files

    /** Writes a temporary sibling and moves it into place, so readers see the old file or the new one. */
    static void writeAtomically(Path target, byte[] bytes) {
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            // not Files.createTempFile: its owner-only permissions would carry over to the report
            tmp = dir.resolve("." + target.getFileName() + "." + ProcessHandle.current().pid() + "-"
                + Long.toHexString(System.nanoTime()) + ".tmp");
            try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                out.write(bytes);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // the original error matters more
                }
            }
            throw new GraftException(GraftException.Code.IO, "cannot write " + target + ": " + e.getMessage(), e);
        }
    }
}
