package dev.graft.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;
import ch.qos.logback.core.status.NopStatusListener;

/**
 * The logging set-up of the {@code graft} command, in code: warnings and errors only, on standard
 * error (standard output carries results), ND4J's own logging at errors only. Logback finds it as a
 * {@link Configurator} service before it looks for {@code logback.xml}; building the same set-up
 * from an XML file takes an XML parser and logback's configuration model, about a quarter of a
 * second of CPU at every start (docs/performance.md, "Start-up").
 *
 * <p>A configuration file of one's own still wins: with {@code -Dlogback.configurationFile=FILE} (in
 * {@code GRAFT_JAVA_OPTS}) this set-up steps aside and logback reads that file as usual.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_HIGH_PRIORITY)
public final class LogSetup extends ContextAwareBase implements Configurator {
    /** Logback's property naming a configuration file. */
    static final String FILE_PROPERTY = "logback.configurationFile";
    /** The line format: level, logger name without package, message. */
    static final String PATTERN = "%level %logger{0}: %msg%n";

    /** Logback creates it through {@link java.util.ServiceLoader}. */
    public LogSetup() {
    }

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (System.getProperty(FILE_PROPERTY) != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        // a status listener keeps logback's own status messages off the console
        context.getStatusManager().add(new NopStatusListener());
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(PATTERN);
        encoder.start();
        ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
        stderr.setContext(context);
        stderr.setName("STDERR");
        stderr.setTarget("System.err");
        stderr.setEncoder(encoder);
        stderr.start();
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.WARN);
        root.addAppender(stderr);
        context.getLogger("org.nd4j").setLevel(Level.ERROR);
        context.getLogger("org.deeplearning4j").setLevel(Level.ERROR);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }
}
