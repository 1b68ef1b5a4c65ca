package dev.graft.plugins.data;

import dev.graft.api.PluginException;

import java.io.BufferedReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads delimited text one record per line, for the {@code csv} and {@code digits} datasets.
 *
 * <p>Fields are separated by a one-character delimiter; a field may be enclosed in double quotes, in
 * which case it may contain the delimiter, and {@code ""} stands for one quote (RFC 4180). A quoted
 * field may not span lines. Unquoted fields are trimmed. Blank lines are skipped. Line numbers are
 * 1-based and count every physical line, the header included, so they match what an editor shows.
 */
final class CsvLines {
    private final BufferedReader reader;
    private final String file;
    private final char delimiter;
    private int lineNumber;

    CsvLines(BufferedReader reader, String file, char delimiter) {
        this.reader = reader;
        this.file = file;
        this.delimiter = delimiter;
    }

    /** The 1-based line number of the record last returned by {@link #next()}. */
    int lineNumber() {
        return lineNumber;
    }

    /** The next non-blank record's fields, or null at the end of the file. */
    String[] next() {
        try {
            String line;
            do {
                line = reader.readLine();
                if (line == null) {
                    return null;
                }
                lineNumber++;
                if (lineNumber == 1 && !line.isEmpty() && line.charAt(0) == '\uFEFF') {
                    line = line.substring(1);
                }
            } while (line.isBlank());
            return split(line);
        } catch (IOException e) {
            throw new PluginException(file + ": cannot read line " + (lineNumber + 1) + ": " + e.getMessage(), e);
        }
    }

    private String[] split(String line) {
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        int i = 0;
        int n = line.length();
        while (true) {
            while (i < n && line.charAt(i) != delimiter && Character.isWhitespace(line.charAt(i))) {
                i++;
            }
            if (i < n && line.charAt(i) == '"') {
                int start = i;
                i++;
                while (true) {
                    if (i >= n) {
                        throw new PluginException(file + ": line " + lineNumber + ", column " + (fields.size() + 1)
                                + ": the quoted field starting at character " + (start + 1) + " is not closed"
                                + " (fields may not span lines)");
                    }
                    char c = line.charAt(i);
                    if (c == '"') {
                        if (i + 1 < n && line.charAt(i + 1) == '"') {
                            field.append('"');
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    field.append(c);
                    i++;
                }
                while (i < n && line.charAt(i) != delimiter && Character.isWhitespace(line.charAt(i))) {
                    i++;
                }
                if (i < n && line.charAt(i) != delimiter) {
                    throw new PluginException(file + ": line " + lineNumber + ", column " + (fields.size() + 1)
                            + ": unexpected '" + line.charAt(i) + "' after a closing quote; expected the delimiter '"
                            + delimiter + "'");
                }
                fields.add(field.toString());
            } else {
                int start = i;
                while (i < n && line.charAt(i) != delimiter) {
                    i++;
                }
                fields.add(line.substring(start, i).strip());
            }
            field.setLength(0);
            if (i >= n) {
                return fields.toArray(new String[0]);
            }
            i++; // skip the delimiter; a trailing delimiter yields a final empty field
            if (i == n) {
                fields.add("");
                return fields.toArray(new String[0]);
            }
        }
    }

    /**
     * Parses a numeric cell.
     *
     * @param column 0-based column
     * @param name   the column's header name, or null without a header
     * @throws PluginException "FILE: line N, column C ('name'): 'abc' is not a number"
     */
    float number(String cell, int column, String name) {
        String where = file + ": line " + lineNumber + ", column " + (column + 1) + (name == null ? "" : " ('" + name + "')");
        if (cell.isEmpty()) {
            throw new PluginException(where + ": the cell is empty; expected a number");
        }
        double v;
        try {
            v = Double.parseDouble(cell);
        } catch (NumberFormatException e) {
            throw new PluginException(where + ": '" + cell + "' is not a number");
        }
        if (!Double.isFinite(v) || Math.abs(v) > Float.MAX_VALUE) {
            throw new PluginException(where + ": '" + cell + "' is not a finite number in float range");
        }
        return (float) v;
    }
}
