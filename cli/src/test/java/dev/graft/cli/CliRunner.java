package dev.graft.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Runs the CLI in-process and captures what it prints. */
record CliRunner(int exit, String out, String err) {
    static CliRunner run(String... args) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(o, true, StandardCharsets.UTF_8), new PrintStream(e, true, StandardCharsets.UTF_8));
        return new CliRunner(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    }

    String lastLine() {
        String[] lines = out.strip().split("\\R");
        return lines[lines.length - 1];
    }

    /** A user error: non-zero exit, exactly one "error:" message, no stack trace. */
    boolean isCleanError() {
        return exit != 0 && err.startsWith("error: ") && !err.contains("\tat ") && !err.contains("internal error");
    }
}
