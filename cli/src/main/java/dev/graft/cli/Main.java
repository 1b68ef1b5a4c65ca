package dev.graft.cli;

import dev.graft.runtime.GraftException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The {@code graft} command. User errors ({@link GraftException}) print one message and exit with
 * the error's code; anything else is a bug and prints its stack trace (exit 70).
 */
@Command(name = "graft", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Graft: a plugin-first neural-network framework for Java.")
public final class Main implements Runnable {
    /** Exit code for bugs. */
    public static final int BUG = 70;

    /** The subcommands by name, in the order the usage lists them. */
    private static final Map<String, Supplier<Object>> COMMANDS = commands();

    private static Map<String, Supplier<Object>> commands() {
        Map<String, Supplier<Object>> m = new LinkedHashMap<>();
        m.put("plugins", PluginsCommand::new);
        m.put("train", TrainCommand::new);
        m.put("finetune", FinetuneCommand::new);
        m.put("eval", EvalCommand::new);
        m.put("predict", PredictCommand::new);
        m.put("summary", SummaryCommand::new);
        m.put("tune", TuneCommand::new);
        m.put("import", ImportCommand::new);
        m.put("export", ExportCommand::new);
        m.put("onnx-test", OnnxTestCommand::new);
        m.put("info", InfoCommand::new);
        m.put("bench", BenchCommand::new);
        m.put("demo", DemoCommand::new);
        m.put("help", CommandLine.HelpCommand::new);
        return m;
    }

    /**
     * The command line for {@code args}. Picocli builds the model of every registered subcommand by
     * reflection up front; when the first argument names one subcommand (other than {@code help}), only
     * that one is registered, since nothing else can be reached from there. Any other first argument
     * (none, an option, {@code help}, an unknown or misspelt command) gets all of them.
     */
    static CommandLine commandLine(String[] args) {
        String first = args.length > 0 ? args[0] : "";
        boolean one = COMMANDS.containsKey(first) && !first.equals("help");
        CommandLine cl = new CommandLine(new Main());
        COMMANDS.forEach((name, command) -> {
            if (!one || name.equals(first)) {
                cl.addSubcommand(name, command.get());
            }
        });
        return cl;
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        Logging.quiet();
        // before anything loads ND4J (the preload below does, on another thread)
        dev.graft.runtime.CpuTuning.bootstrap();
        Preload.startFor(args);
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the command line with the given streams and returns the exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        CommandLine cl = commandLine(args);
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
