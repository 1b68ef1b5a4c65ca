package dev.graft.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.core.ConsoleAppender;
import org.junit.jupiter.api.Test;

import java.util.ServiceLoader;

import static org.assertj.core.api.Assertions.assertThat;

class LogSetupTest {
    @Test
    void warningsAndErrorsGoToStandardErrorAndNd4jOnlyReportsErrors() {
        LoggerContext ctx = new LoggerContext();
        LogSetup setup = new LogSetup();
        setup.setContext(ctx);
        assertThat(setup.configure(ctx)).isEqualTo(Configurator.ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY);
        Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
        assertThat(root.getLevel()).isEqualTo(Level.WARN);
        ConsoleAppender<?> app = (ConsoleAppender<?>) root.getAppender("STDERR");
        assertThat(app.isStarted()).isTrue();
        assertThat(app.getTarget()).isEqualTo("System.err");
        assertThat(((PatternLayoutEncoder) app.getEncoder()).getPattern()).isEqualTo("%level %logger{0}: %msg%n");
        assertThat(ctx.getLogger("org.nd4j.linalg.factory.Nd4jBackend").getEffectiveLevel()).isEqualTo(Level.ERROR);
        assertThat(ctx.getLogger("org.deeplearning4j").getEffectiveLevel()).isEqualTo(Level.ERROR);
        assertThat(ctx.getLogger("dev.graft.runtime.CpuTuning").getEffectiveLevel()).isEqualTo(Level.WARN);
        assertThat(ctx.getStatusManager().getCopyOfStatusListenerList()).isNotEmpty();
    }

    @Test
    void aConfigurationFileOfOnesOwnWins() {
        String before = System.getProperty(LogSetup.FILE_PROPERTY);
        System.setProperty(LogSetup.FILE_PROPERTY, "/somewhere/logback.xml");
        try {
            LoggerContext ctx = new LoggerContext();
            LogSetup setup = new LogSetup();
            setup.setContext(ctx);
            assertThat(setup.configure(ctx)).isEqualTo(Configurator.ExecutionStatus.INVOKE_NEXT_IF_ANY);
            assertThat(ctx.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("STDERR")).isNull();
        } finally {
            if (before == null) {
                System.clearProperty(LogSetup.FILE_PROPERTY);
            } else {
                System.setProperty(LogSetup.FILE_PROPERTY, before);
            }
        }
    }

    @Test
    void logbackFindsItAsAService() {
        assertThat(ServiceLoader.load(Configurator.class).stream().map(p -> p.type().getName()))
                .contains(LogSetup.class.getName());
        // and the logging in use in this JVM is the one it set up
        LoggerContext ctx = (LoggerContext) org.slf4j.LoggerFactory.getILoggerFactory();
        assertThat(ctx.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("STDERR")).isNotNull();
        assertThat(ctx.getLogger("org.nd4j").getLevel()).isEqualTo(Level.ERROR);
    }
}
