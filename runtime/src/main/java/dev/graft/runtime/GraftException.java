package dev.graft.runtime;

import java.util.List;

/**
 * A user error: a bad config, data file, model file or plugin set. The message is complete and meant
 * for people (it names the key, file, row or node, the bad value and what is allowed); the command
 * line prints it without a stack trace and exits with {@link Code#exitCode()}. Anything else that
 * escapes is a bug and keeps its stack trace.
 */
public class GraftException extends RuntimeException {

    /** Stable error families; their exit codes are part of the command-line contract. */
    public enum Code {
        USAGE(2), CONFIG(3), PLUGIN(4), DATA(5), MODEL(6), IO(7);

        private final int exitCode;

        Code(int exitCode) {
            this.exitCode = exitCode;
        }

        public int exitCode() {
            return exitCode;
        }
    }

    private final Code code;
    private final List<String> problems;

    public GraftException(Code code, String message) {
        this(code, message, List.of(), null);
    }

    public GraftException(Code code, String message, Throwable cause) {
        this(code, message, List.of(), cause);
    }

    /** One error made of several problems, all reported together. */
    public GraftException(Code code, String headline, List<String> problems, Throwable cause) {
        super(format(headline, problems), cause);
        this.code = code;
        this.problems = List.copyOf(problems);
    }

    private static String format(String headline, List<String> problems) {
        if (problems.isEmpty()) {
            return headline;
        }
        if (problems.size() == 1 && (headline == null || headline.isEmpty())) {
            return problems.get(0);
        }
        StringBuilder sb = new StringBuilder(headline);
        for (String p : problems) {
            sb.append(System.lineSeparator()).append("  - ").append(p);
        }
        return sb.toString();
    }

    public Code code() {
        return code;
    }

    /** The individual problems, when the error collects several; else empty. */
    public List<String> problems() {
        return problems;
    }

    public static GraftException config(String message) {
        return new GraftException(Code.CONFIG, message);
    }

    public static GraftException data(String message) {
        return new GraftException(Code.DATA, message);
    }

    public static GraftException model(String message) {
        return new GraftException(Code.MODEL, message);
    }
}
