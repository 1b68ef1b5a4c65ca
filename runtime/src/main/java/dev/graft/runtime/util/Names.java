package dev.graft.runtime.util;

import java.util.Collection;
import java.util.Comparator;
import java.util.Optional;

/** Spelling helpers for messages: kebab-case conversion and "did you mean". */
public final class Names {
    private Names() {
    }

    /** {@code useBias} -> {@code use-bias}. */
    public static String kebab(String camel) {
        StringBuilder sb = new StringBuilder();
        for (char c : camel.toCharArray()) {
            if (Character.isUpperCase(c)) {
                sb.append('-').append(Character.toLowerCase(c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /** The candidate closest to {@code word} by edit distance, if it is plausibly a typo of it. */
    public static Optional<String> nearest(String word, Collection<String> candidates) {
        if (word == null) {
            return Optional.empty();
        }
        return candidates.stream()
                .min(Comparator.comparingInt((String c) -> distance(word.toLowerCase(), c.toLowerCase())).thenComparing(c -> c))
                .filter(c -> distance(word.toLowerCase(), c.toLowerCase()) <= Math.max(2, c.length() / 3));
    }

    /** "; did you mean 'x'?" or the empty string. */
    public static String didYouMean(String word, Collection<String> candidates) {
        return nearest(word, candidates).map(n -> "; did you mean '" + n + "'?").orElse("");
    }

    /** Levenshtein distance. */
    public static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
