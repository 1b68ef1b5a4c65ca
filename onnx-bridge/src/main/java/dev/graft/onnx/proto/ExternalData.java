package dev.graft.onnx.proto;

import dev.graft.runtime.GraftException;
import onnx.Onnx.StringStringEntryProto;
import onnx.Onnx.TensorProto;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Where a tensor with {@code data_location = EXTERNAL} keeps its bytes, checked to lie inside the
 * model's directory.
 *
 * <p>The {@code location} key must be a relative path that stays inside the directory after {@code
 * ..} segments are resolved and after symbolic links are followed: absolute paths, paths escaping with
 * {@code ..}, and links (of the file or of a directory on the way) leading out are all rejected, with
 * a message naming the tensor and the path, before a byte is read. {@code offset} (default 0) and
 * {@code length} (default: to the end of the file) must be non-negative decimal numbers, and the
 * range they describe must lie inside the file and hold exactly the bytes the tensor declares. The
 * {@code checksum} key is ignored.
 *
 * @param file the resolved file, real path (links followed)
 * @param location the location as the model writes it
 * @param offset where the tensor's bytes start
 * @param length the number of bytes the model says it stores, -1 when it does not say
 * @param fileSize the file's size when it was checked
 */
public record ExternalData(Path file, String location, long offset, long length, long fileSize) {

    /**
     * Resolves and checks a tensor's external data reference.
     *
     * @param modelDir the directory of the model file
     * @param source the model file's name for messages (may be "")
     * @throws GraftException code {@code MODEL} naming the tensor and the path
     */
    public static ExternalData resolve(TensorProto t, Path modelDir, String source) {
        String what = "tensor '" + t.getName() + "'" + (source.isEmpty() ? "" : " of " + source);
        String location = null;
        long offset = 0;
        long length = -1;
        for (StringStringEntryProto e : t.getExternalDataList()) {
            switch (e.getKey()) {
                case "location" -> location = e.getValue();
                case "offset" -> offset = number(e.getValue(), "offset", what);
                case "length" -> length = number(e.getValue(), "length", what);
                default -> {
                    // checksum and keys of later versions: not needed to read the data
                }
            }
        }
        if (location == null || location.isEmpty()) {
            throw GraftException.model(what + " has data_location EXTERNAL but no 'location' in its external_data");
        }
        Path dir = modelDir.toAbsolutePath().normalize();
        Path rel;
        try {
            rel = Path.of(location);
        } catch (InvalidPathException e) {
            throw GraftException.model(what + " keeps its data in '" + location + "', which is not a valid path: " + e.getMessage());
        }
        if (rel.isAbsolute() || location.startsWith("/") || location.startsWith("\\") || rel.getRoot() != null
                || location.matches("^[A-Za-z]:.*")) {
            throw GraftException.model(what + " keeps its data at the absolute path '" + location + "'; external data must be a path relative to the"
                    + " model's directory " + dir + " and inside it");
        }
        Path resolved = dir.resolve(rel).normalize();
        if (!resolved.startsWith(dir)) {
            throw GraftException.model(what + " keeps its data in '" + location + "', outside the model's directory " + dir
                    + "; external data is read only from files inside that directory");
        }
        if (!Files.exists(resolved, LinkOption.NOFOLLOW_LINKS)) {
            throw GraftException.model(what + " keeps its data in '" + location + "', but " + resolved + " does not exist");
        }
        Path real;
        Path realDir;
        try {
            real = resolved.toRealPath();
            realDir = dir.toRealPath();
        } catch (IOException e) {
            throw GraftException.model(what + " keeps its data in '" + location + "', which cannot be resolved: " + e);
        }
        if (!real.startsWith(realDir)) {
            throw GraftException.model(what + " keeps its data in '" + location + "', which is a symbolic link to " + real
                    + ", outside the model's directory " + realDir + "; external data is read only from files inside that directory");
        }
        if (!Files.isRegularFile(real)) {
            throw GraftException.model(what + " keeps its data in '" + location + "', which is not a regular file");
        }
        long size;
        try {
            size = Files.size(real);
        } catch (IOException e) {
            throw new GraftException(GraftException.Code.IO, what + ": cannot read the size of " + real + ": " + e.getMessage(), e);
        }
        return new ExternalData(real, location, offset, length, size);
    }

    /**
     * Checks that the reference holds exactly {@code bytes} bytes inside the file.
     *
     * @throws GraftException code {@code MODEL} naming the tensor, the file and both sizes
     */
    void checkSize(long bytes, String what) {
        if (length >= 0 && length != bytes) {
            throw GraftException.model(what + " declares " + bytes + " bytes of data, but its external_data length in '" + location + "' is "
                    + length);
        }
        long end = offset + bytes;
        if (offset > fileSize || end > fileSize || end < 0) {
            throw GraftException.model(what + " needs bytes " + offset + ".." + end + " of '" + location + "', but that file has "
                    + fileSize + " bytes");
        }
    }

    private static long number(String v, String key, String what) {
        try {
            long n = Long.parseLong(v.trim());
            if (n < 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw GraftException.model(what + " has external_data " + key + " '" + v + "'; it must be a non-negative whole number");
        }
    }
}
