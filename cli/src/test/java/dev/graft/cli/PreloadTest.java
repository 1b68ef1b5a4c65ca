package dev.graft.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class PreloadTest {
    @AfterEach
    void forget() {
        Preload.reset();
    }

    @Test
    void trainingCommandsPreloadEverythingInferenceCommandsOnlyNd4jOthersNothing() {
        List<String> all = List.of("logging", "ND4J back end", "SameDiff op registry", "ND4J op descriptors");
        for (String c : List.of("train", "finetune", "demo", "tune")) {
            assertThat(Preload.plan(new String[] {c, "x"}, Map.of(), null)).as(c).isEqualTo(all);
        }
        for (String c : List.of("eval", "predict")) {
            assertThat(Preload.plan(new String[] {c, "x"}, Map.of(), null)).as(c).containsExactly("logging", "ND4J back end");
        }
        for (String[] args : List.of(new String[] {"plugins"}, new String[] {"--version"}, new String[] {"--help", "train"}, new String[0],
                new String[] {"export", "m"})) {
            assertThat(Preload.plan(args, Map.of(), null)).as(String.join(" ", args)).isEmpty();
        }
    }

    @Test
    void propertyAndEnvironmentTurnItOff() {
        String[] train = {"train", "x.yaml"};
        assertThat(Preload.plan(train, Map.of(), "false")).isEmpty();
        assertThat(Preload.plan(train, Map.of(), " FALSE ")).isEmpty();
        assertThat(Preload.plan(train, Map.of(), "true")).hasSize(4);
        assertThat(Preload.plan(train, Map.of(Preload.ENV, "off"), null)).isEmpty();
        assertThat(Preload.plan(train, Map.of(Preload.ENV, "0"), null)).isEmpty();
        assertThat(Preload.plan(train, Map.of(Preload.ENV, "on"), null)).hasSize(4);
    }

    @Test
    void stepsRunInOrderOnABackgroundThreadAndLoggingIsSignalledFirst() throws InterruptedException {
        List<String> seen = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch release = new CountDownLatch(1);
        Thread caller = Thread.currentThread();
        Preload p = Preload.start(List.of(
                new Preload.Step("logging", () -> seen.add("logging on " + (Thread.currentThread() == caller ? "caller" : "background"))),
                new Preload.Step("slow", () -> {
                    try {
                        release.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    seen.add("slow");
                }),
                new Preload.Step("last", () -> seen.add("last"))));
        // the wait for logging returns while a later step is still blocked
        Preload.awaitLogging();
        assertThat(seen).containsExactly("logging on background");
        assertThat(p.step()).isIn("slow", "logging");
        release.countDown();
        assertThat(p.join(10_000)).isTrue();
        assertThat(seen).containsExactly("logging on background", "slow", "last");
        assertThat(p.step()).isEqualTo("done");
        assertThat(Preload.failure()).isNull();
        // started once per JVM: a second start returns the first
        assertThat(Preload.start(List.of())).isSameAs(p);
    }

    @Test
    void aFailureIsKeptForTheBugReportAndReleasesTheLoggingWait() throws InterruptedException {
        Preload p = Preload.start(List.of(new Preload.Step("native library", () -> {
            throw new UnsatisfiedLinkError("no libnd4jcpu in java.library.path");
        }), new Preload.Step("never", () -> {
            throw new AssertionError("must not run after a failure");
        })));
        assertThat(p.join(10_000)).isTrue();
        Preload.awaitLogging();   // returns although the logging step never ran
        assertThat(Preload.failure()).isInstanceOf(UnsatisfiedLinkError.class);
        assertThat(p.step()).isEqualTo("native library");
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        Preload.reportFailure(new PrintStream(b, true, StandardCharsets.UTF_8));
        assertThat(b.toString(StandardCharsets.UTF_8)).contains("while preloading (native library)")
                .contains("UnsatisfiedLinkError: no libnd4jcpu in java.library.path");
    }

    @Test
    void withoutPreloadingNothingWaitsAndNothingIsReported() {
        Preload.awaitLogging();
        assertThat(Preload.failure()).isNull();
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        Preload.reportFailure(new PrintStream(b, true, StandardCharsets.UTF_8));
        assertThat(b.size()).isZero();
    }

    @Test
    void theRealStepsLoadNd4jAndSameDiffsRegistry() throws InterruptedException {
        Preload p = Preload.start(Preload.trainingSteps());
        assertThat(p.join(300_000)).isTrue();
        assertThat(p.ownFailure()).isNull();
        assertThat(p.step()).isEqualTo("done");
        assertThat(org.nd4j.imports.converters.DifferentialFunctionClassHolder.getInstance().hasName("matmul")).isTrue();
        assertThat(org.nd4j.ir.OpDescriptorHolder.descriptorForOpName("matmul")).isNotNull();
    }
}
