package dev.graft.runtime.report;

import dev.graft.runtime.train.EpochStats;
import dev.graft.runtime.train.Evaluation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.HeatMapChart;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class TrainingReportTest {
    private static final byte[] PNG_MAGIC = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    private static final String DATA_URI = "data:image/png;base64,";

    @TempDir
    Path tmp;

    static List<EpochStats> classificationHistory() {
        return List.of(
            new EpochStats(1, 1.05, 0.92, metrics("accuracy", 0.61, "f1-macro", 0.58), 3.2, 1875.0),
            new EpochStats(2, 0.71, 0.66, metrics("accuracy", 0.74, "f1-macro", 0.72), 3.1, 1934.5),
            new EpochStats(3, 0.52, 0.55, metrics("accuracy", 0.8125, "f1-macro", 0.79), 3.0, 2001.2));
    }

    static Evaluation classificationTest() {
        long[][] cm = {{40, 5, 5}, {2, 45, 3}, {10, 0, 40}};
        return new Evaluation(150, 0.5432, metrics("accuracy", 0.8333, "f1-macro", 0.8301),
            List.of("T-shirt/top <a>", "Trouser", "Pullover & co"), cm);
    }

    static Map<String, Double> metrics(Object... kv) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], ((Number) kv[i + 1]).doubleValue());
        }
        return m;
    }

    static Map<String, Object> facts() {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("data", "fashion.csv (150 test rows)");
        f.put("model", "mlp <hidden=64>");
        f.put("parameters", 52_138);
        f.put("epochs", 3);
        f.put("stop reason", "max epochs reached");
        f.put("wall time", "9.3 s");
        return f;
    }

    @Test
    void classificationWritesThreeChartsAndAPageWithEverything() throws IOException {
        List<String> warnings = new ArrayList<>();
        List<Path> files = TrainingReport.write(tmp, "Fashion <MLP> & friends", classificationHistory(),
            classificationTest(), facts(), warnings::add);

        assertThat(files).containsExactly(tmp.resolve("loss.png"), tmp.resolve("metrics.png"),
            tmp.resolve("confusion.png"), tmp.resolve("report.html"));
        assertThat(warnings).isEmpty();
        assertPng(tmp.resolve("loss.png"), 800, 500);
        assertPng(tmp.resolve("metrics.png"), 800, 500);
        BufferedImage cm = assertPng(tmp.resolve("confusion.png"), 0, 0);
        assertThat(cm.getWidth()).isGreaterThanOrEqualTo(600);
        assertThat(cm.getHeight()).isGreaterThanOrEqualTo(500);
        assertNoTempFiles();

        String html = Files.readString(tmp.resolve("report.html"), StandardCharsets.UTF_8);
        assertThat(html).startsWith("<!DOCTYPE html>")
            .contains("<title>Fashion &lt;MLP&gt; &amp; friends</title>")
            .contains("T-shirt/top &lt;a&gt;", "Pullover &amp; co", "mlp &lt;hidden=64&gt;")
            .doesNotContain("T-shirt/top <a>", "<MLP>", "<hidden=64>")
            .contains("stop reason", "max epochs reached", "52,138")
            // test metrics
            .contains("accuracy", "0.8333", "f1-macro", "0.8301", "0.5432", "150")
            // per-class scores: T-shirt precision 40/52, recall 40/50
            .contains("precision", "recall", "support", "0.7692", "0.8000")
            // history
            .contains("0.8125", "1.0500", "0.5500", "val f1-macro")
            .doesNotContain("<script", "http://", "https://", "could not be drawn");
        assertThat(count(html, DATA_URI)).isEqualTo(3);
        assertThat(html).contains(DATA_URI + java.util.Base64.getEncoder().encodeToString(Files.readAllBytes(tmp.resolve("loss.png"))));
    }

    @Test
    void regressionHasNoConfusionChart() throws IOException {
        List<EpochStats> history = List.of(
            new EpochStats(1, 4.0, 3.5, metrics("mse", 3.5, "mae", 1.6), 1.0, 900),
            new EpochStats(2, 2.5, 2.4, metrics("mse", 2.4, "mae", 1.2), 1.0, 910),
            new EpochStats(3, 1.9, 2.0, metrics("mse", 2.0, "mae", 1.1), 1.0, 920));
        Evaluation test = new Evaluation(40, 2.1, metrics("mse", 2.1, "mae", 1.15), List.of(), new long[0][]);

        List<Path> files = TrainingReport.write(tmp, "Housing", history, test, facts());

        assertThat(files).containsExactly(tmp.resolve("loss.png"), tmp.resolve("metrics.png"), tmp.resolve("report.html"));
        assertThat(tmp.resolve("confusion.png")).doesNotExist();
        assertPng(tmp.resolve("loss.png"), 800, 500);
        assertPng(tmp.resolve("metrics.png"), 800, 500);
        String html = Files.readString(tmp.resolve("report.html"));
        assertThat(count(html, DATA_URI)).isEqualTo(2);
        assertThat(html).contains("mse", "2.1000", "mae", "1.1500").doesNotContain("Per class", "precision");
    }

    @Test
    void singleEpochWorks() throws IOException {
        List<EpochStats> history = List.of(new EpochStats(1, 0.9, 0.8, metrics("accuracy", 0.7), 2.0, 500));

        List<Path> files = TrainingReport.write(tmp, "one", history, classificationTest(), Map.of());

        assertThat(files).hasSize(4);
        assertPng(tmp.resolve("loss.png"), 800, 500);
        assertPng(tmp.resolve("metrics.png"), 800, 500);
        assertThat(count(Files.readString(tmp.resolve("report.html")), DATA_URI)).isEqualTo(3);
    }

    @Test
    void nanValidationLossLeavesOutTheValidationSeries() throws IOException {
        List<EpochStats> history = List.of(
            new EpochStats(1, 0.9, Double.NaN, Map.of(), 2.0, 500),
            new EpochStats(2, 0.7, Double.NaN, Map.of(), 2.0, 510));

        List<Path> files = TrainingReport.write(tmp, "no validation", history, null, facts());

        assertThat(files).containsExactly(tmp.resolve("loss.png"), tmp.resolve("report.html"));
        assertPng(tmp.resolve("loss.png"), 800, 500);
        String html = Files.readString(tmp.resolve("report.html"));
        assertThat(count(html, DATA_URI)).isEqualTo(1);
        assertThat(html).contains("train loss", "0.7000").doesNotContain("val loss", "Test evaluation");
        assertThat(TrainingReport.lossChart(history).getSeriesMap()).containsOnlyKeys("training loss");
    }

    @Test
    void aChartThatCannotBeDrawnBecomesANoteAndTheRestIsWritten() throws IOException {
        List<String> warnings = new ArrayList<>();
        TrainingReport.Renderer failsOnHeatMaps = chart -> {
            if (chart instanceof HeatMapChart) {
                throw new Error("Probable fatal error: No fonts found.");
            }
            return TrainingReport.XCHART.png(chart);
        };

        List<Path> files = TrainingReport.write(tmp, "t", classificationHistory(), classificationTest(), facts(),
            warnings::add, failsOnHeatMaps);

        assertThat(files).containsExactly(tmp.resolve("loss.png"), tmp.resolve("metrics.png"), tmp.resolve("report.html"));
        assertThat(tmp.resolve("confusion.png")).doesNotExist();
        assertThat(warnings).singleElement().asString().contains("confusion.png", "No fonts found");
        String html = Files.readString(tmp.resolve("report.html"));
        assertThat(html).contains("could not be drawn", "confusion.png", "No fonts found", "0.7692", "T-shirt/top &lt;a&gt;");
        assertThat(count(html, DATA_URI)).isEqualTo(2);
    }

    @Test
    void whenNothingCanBeDrawnThePageStillHasTheTables() throws IOException {
        List<String> warnings = new ArrayList<>();
        List<Path> files = TrainingReport.write(tmp, "t", classificationHistory(), classificationTest(), facts(),
            warnings::add, chart -> {
                throw new UnsatisfiedLinkError("libfontmanager.so: cannot open shared object file");
            });

        assertThat(files).containsExactly(tmp.resolve("report.html"));
        assertThat(warnings).hasSize(3);
        String html = Files.readString(tmp.resolve("report.html"));
        assertThat(count(html, "could not be drawn")).isEqualTo(3);
        assertThat(html).doesNotContain(DATA_URI).contains("0.8125", "0.7692", "libfontmanager.so");
        assertNoTempFiles();
    }

    @Test
    void staleChartsOfAnEarlierRunAreRemoved() throws IOException {
        TrainingReport.write(tmp, "first", classificationHistory(), classificationTest(), facts());
        assertThat(tmp.resolve("confusion.png")).exists();

        List<EpochStats> history = List.of(new EpochStats(1, 0.9, Double.NaN, Map.of(), 2.0, 500));
        List<Path> files = TrainingReport.write(tmp, "second", history, null, null);

        assertThat(files).containsExactly(tmp.resolve("loss.png"), tmp.resolve("report.html"));
        try (Stream<Path> s = Files.list(tmp)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("loss.png", "report.html");
        }
        assertThat(Files.readString(tmp.resolve("report.html"))).contains("second").doesNotContain("first");
    }

    @Test
    void emptyHistoryAndNoTestStillWritesAPage() throws IOException {
        Path dir = tmp.resolve("nested/out");
        List<Path> files = TrainingReport.write(dir, null, List.of(), null, null);
        assertThat(files).containsExactly(dir.resolve("report.html"));
        assertThat(Files.readString(dir.resolve("report.html"))).contains("<h1>Training report</h1>");
    }

    @Test
    void perClassScoresComeFromTheConfusionMatrix() {
        var scores = TrainingReport.classScores(List.of("a", "b", "c"), new long[][]{{40, 5, 5}, {2, 45, 3}, {10, 0, 0}});
        assertThat(scores.get(0).precision()).isCloseTo(40.0 / 52, within(1e-12));
        assertThat(scores.get(0).recall()).isCloseTo(0.8, within(1e-12));
        assertThat(scores.get(0).f1()).isCloseTo(2 * (40.0 / 52) * 0.8 / (40.0 / 52 + 0.8), within(1e-12));
        assertThat(scores.get(0).support()).isEqualTo(50);
        assertThat(scores.get(2).precision()).isZero();
        assertThat(scores.get(2).f1()).isZero();
        assertThat(scores.get(2).support()).isEqualTo(10);
    }

    @Test
    void escapesHtmlAndFormatsNumbers() {
        assertThat(TrainingReport.esc("a<b>&\"c'")).isEqualTo("a&lt;b&gt;&amp;&quot;c&#39;");
        assertThat(TrainingReport.esc("plain")).isEqualTo("plain");
        assertThat(TrainingReport.num(Double.NaN)).isEqualTo("\u2014");
        assertThat(TrainingReport.num(0.5)).isEqualTo("0.5000");
        assertThat(TrainingReport.num(1.5e-5)).isEqualTo("1.500e-05");
    }

    private static BufferedImage assertPng(Path file, int width, int height) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        assertThat(Arrays.copyOf(bytes, 8)).as(file + " magic").isEqualTo(PNG_MAGIC);
        BufferedImage img = ImageIO.read(file.toFile());
        assertThat(img).as(file.toString()).isNotNull();
        if (width > 0) {
            assertThat(img.getWidth()).isEqualTo(width);
            assertThat(img.getHeight()).isEqualTo(height);
        }
        return img;
    }

    private void assertNoTempFiles() throws IOException {
        try (Stream<Path> s = Files.list(tmp)) {
            assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
        }
    }

    private static int count(String s, String what) {
        int n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + what.length())) {
            n++;
        }
        return n;
    }
}
