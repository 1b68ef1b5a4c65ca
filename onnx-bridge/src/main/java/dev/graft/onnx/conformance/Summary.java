package dev.graft.onnx.conformance;

import java.util.Collection;

/** Counts of test outcomes. */
public record Summary(int total, int passed, int failed, int unsupported, int errors) {

    public static Summary of(Collection<TestResult> results) {
        int p = 0;
        int f = 0;
        int u = 0;
        int e = 0;
        for (TestResult r : results) {
            switch (r.status()) {
                case PASS -> p++;
                case FAIL -> f++;
                case UNSUPPORTED -> u++;
                case ERROR -> e++;
            }
        }
        return new Summary(results.size(), p, f, u, e);
    }

    /** passed / total, 0 when there are no tests. */
    public double passRate() {
        return total == 0 ? 0 : (double) passed / total;
    }

    /** "932 tests: 880 passed, 3 failed, 0 unsupported, 49 errors (94.4% passed)". */
    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "%d test%s: %d passed, %d failed, %d unsupported, %d error%s (%.1f%% passed)",
                total, total == 1 ? "" : "s", passed, failed, unsupported, errors, errors == 1 ? "" : "s", 100 * passRate());
    }
}
