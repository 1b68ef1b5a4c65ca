package dev.graft.cli;

import dev.graft.runtime.GraftException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintStream;
import java.io.PrintWriter;

/**
 * The {@code graft} command. User errors ({@link GraftException}) print one message and exit with
 * the error's code; anything else is a bug and prints its stack trace (exit 70).
 */
@Command(name = "graft", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Graft: a plugin-first neural-network framework for Java.",
        subcommands = {PluginsCommand.class, TrainCommand.class, FinetuneCommand.class, EvalCommand.class, PredictCommand.class, SummaryCommand.class,
                TuneCommand.class, ImportCommand.class, ExportCommand.class, OnnxTestCommand.class, InfoCommand.class, BenchCommand.class,
                DemoCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    /** Exit code for bugs. */
    public static final int BUG = 70;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        Logging.quiet();
        Preload.startFor(args);
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the command line with the given streams and returns the exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            if (ex instanceof GraftException g) {
                err.println("error: " + g.getMessage());
                return g.code().exitCode();
            }
            err.println("internal error (a bug in Graft or a plugin; please report it with this trace):");
            ex.printStackTrace(err);
            Preload.reportFailure(err);
            return BUG;
        });
        cl.setParameterExceptionHandler((ex, args1) -> {
            err.println("error: " + ex.getMessage());
            CommandLine.UnmatchedArgumentException.printSuggestions(ex, err);
            err.println("run 'graft " + (ex.getCommandLine().getCommandName().equals("graft") ? "" : ex.getCommandLine().getCommandName() + " ")
                    + "--help' for usage");
            return GraftException.Code.USAGE.exitCode();
        });
        Preload.awaitLogging();
        return cl.execute(args);
    }

    /** Version from the jar manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"graft " + Versions.graft()};
        }
    }

    static PrintStream stdout(CommandLine.Model.CommandSpec spec) {
        return new PrintStream(new java.io.OutputStream() {
            private final PrintWriter w = spec.commandLine().getOut();

            @Override
            public void write(int b) {
                w.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                w.write(new String(b, off, len, java.nio.charset.StandardCharsets.UTF_8));
            }

            @Override
            public void flush() {
                w.flush();
            }
        }, true, java.nio.charset.StandardCharsets.UTF_8);
    }
}
