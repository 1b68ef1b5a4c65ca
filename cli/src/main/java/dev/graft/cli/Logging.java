package dev.graft.cli;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Keeps ND4J's chatter off standard output, which carries results and the JSON line. */
final class Logging {
    private Logging() {
    }

    /**
     * SameDiff prints a line per differentiated op with {@code System.out.println} when it builds a
     * gradient graph. Those lines are dropped; everything else written to {@code System.out} passes.
     */
    static void quiet() {
        PrintStream original = System.out;
        System.setOut(new PrintStream(new LineFilter(original), true, StandardCharsets.UTF_8));
    }

    /** Passes whole lines through unless they are SameDiff's op-registration notes. */
    static final class LineFilter extends OutputStream {
        private final PrintStream target;
        private final StringBuilder line = new StringBuilder();

        LineFilter(PrintStream target) {
            this.target = target;
        }

        @Override
        public synchronized void write(int b) {
            line.append((char) (b & 0xff));
            if (b == '\n') {
                emit();
            }
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            String s = new String(b, off, len, StandardCharsets.UTF_8);
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                line.append(c);
                if (c == '\n') {
                    emit();
                }
            }
        }

        private void emit() {
            String s = line.toString();
            line.setLength(0);
            if (!s.startsWith("Added differentiated op ")) {
                target.print(s);
            }
        }

        @Override
        public synchronized void flush() {
            if (line.length() > 0) {
                emit();
            }
            target.flush();
        }
    }
}
