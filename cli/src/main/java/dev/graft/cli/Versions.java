package dev.graft.cli;

/** Versions of Graft and its engine, for {@code --version} and {@code info}. */
final class Versions {
    private Versions() {
    }

    static String graft() {
        String v = Main.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
