package dev.graft.onnx.proto;

import java.util.Locale;

/** Byte counts for people: "24 bytes", "3.6 TiB (4,000,000,000,000 bytes)". */
final class Sizes {
    private Sizes() {
    }

    static String bytes(long b) {
        if (b < 1024) {
            return b + " bytes";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        double v = b;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s (%,d bytes)", v, units[u], b);
    }
}
