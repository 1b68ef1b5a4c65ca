package dev.graft.plugins.data;

import dev.graft.api.PluginException;
import dev.graft.api.data.DataContext;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/** Opening data files: path resolution, existence checks and transparent gzip. */
final class Sources {
    private static final int BUFFER = 1 << 16;

    private Sources() {
    }

    /**
     * Resolves a config path and checks that it is a readable file.
     *
     * @param key the config key the path came from, for the message
     */
    static Path existingFile(DataContext context, String key, String path) {
        Path resolved = context.resolve(path).toAbsolutePath().normalize();
        if (!Files.exists(resolved)) {
            throw new PluginException(key + ": file not found: " + resolved
                    + (path.equals(resolved.toString()) ? "" : " (" + key + " = '" + path + "')"));
        }
        if (!Files.isRegularFile(resolved)) {
            throw new PluginException(key + ": " + resolved + " is not a regular file");
        }
        if (!Files.isReadable(resolved)) {
            throw new PluginException(key + ": " + resolved + " is not readable");
        }
        return resolved;
    }

    /** Opens a file, decompressing it when it starts with the gzip magic bytes 1f 8b. */
    static InputStream open(Path file) throws IOException {
        return maybeGunzip(Files.newInputStream(file));
    }

    /** Wraps a stream, decompressing it when it starts with the gzip magic bytes 1f 8b. */
    static InputStream maybeGunzip(InputStream raw) throws IOException {
        BufferedInputStream in = new BufferedInputStream(raw, BUFFER);
        in.mark(2);
        int b0 = in.read();
        int b1 = in.read();
        in.reset();
        if (b0 == 0x1f && b1 == 0x8b) {
            return new BufferedInputStream(new GZIPInputStream(in, BUFFER), BUFFER);
        }
        return in;
    }
}
