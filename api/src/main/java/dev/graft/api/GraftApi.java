package dev.graft.api;

/**
 * Version of the Graft plugin API.
 *
 * <p>A plugin states the API version it was compiled against by returning this constant from
 * {@link Plugin#apiVersion()}. Because the field is a compile-time constant, the value is copied into
 * the plugin's own class file, so the runtime can compare what the plugin was built for with what it
 * offers. The rule is semantic: same major version and a minor version no newer than the runtime's.
 */
public final class GraftApi {
    /** The API version of this jar, {@code major.minor}. */
    public static final String VERSION = "1.0";

    private GraftApi() {
    }

    /**
     * Whether a plugin built for {@code required} can run on an API of version {@code offered}.
     *
     * @param required the version a plugin declares, {@code major.minor}
     * @param offered  the version of the API on the class path
     * @return true if the majors match and the required minor is not newer
     * @throws IllegalArgumentException if either string is not {@code major.minor}
     */
    public static boolean compatible(String required, String offered) {
        int[] r = parse(required);
        int[] o = parse(offered);
        return r[0] == o[0] && r[1] <= o[1];
    }

    private static int[] parse(String v) {
        if (v == null || !v.matches("\\d+\\.\\d+")) {
            throw new IllegalArgumentException("API version must look like 1.0, got '" + v + "'");
        }
        String[] p = v.split("\\.");
        return new int[] {Integer.parseInt(p[0]), Integer.parseInt(p[1])};
    }
}
