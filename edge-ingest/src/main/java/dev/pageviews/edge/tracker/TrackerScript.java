package dev.pageviews.edge.tracker;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.stream.Collectors;
import java.util.zip.GZIPOutputStream;

/**
 * The browser tracker {@code pv.js} as the edge serves it: the readable source in this package, with its comment
 * lines, indentation and blank lines left out (code lines are kept whole, so the script's meaning cannot change;
 * the source keeps every comment on a line of its own for that). Also held gzipped, and with a strong ETag.
 */
public final class TrackerScript {

    public static final String RESOURCE = "pv.js";

    private final byte[] plain;
    private final byte[] gzipped;
    private final String etag;

    private TrackerScript(byte[] plain) {
        this.plain = plain;
        this.gzipped = gzip(plain);
        this.etag = "\"" + sha256(plain) + "\"";
    }

    public static TrackerScript load() {
        try (InputStream in = TrackerScript.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the edge's jar");
            }
            return new TrackerScript(strip(new String(in.readAllBytes(), StandardCharsets.UTF_8))
                    .getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + RESOURCE, e);
        }
    }

    /** Leaves out comment lines ({@code //} first on the line), blank lines and indentation. */
    static String strip(String source) {
        return source.lines()
                .map(String::strip)
                .filter(line -> !line.isEmpty() && !line.startsWith("//"))
                .collect(Collectors.joining("\n", "", "\n"));
    }

    /** Bytes served to a browser that does not accept gzip. */
    public int size() {
        return plain.length;
    }

    /** Bytes served gzipped. */
    public int gzippedSize() {
        return gzipped.length;
    }

    /** A strong ETag: the first 16 bytes of the script's SHA-256, base64url. */
    public String etag() {
        return etag;
    }

    byte[] plainBytes() {
        return plain;
    }

    byte[] gzippedBytes() {
        return gzipped;
    }

    private static byte[] gzip(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out) {
            {
                def.setLevel(java.util.zip.Deflater.BEST_COMPRESSION);
            }
        }) {
            gz.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("gzip in memory cannot fail", e);
        }
        return out.toByteArray();
    }

    private static String sha256(byte[] bytes) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
            return Base64.getUrlEncoder().withoutPadding().encodeToString(java.util.Arrays.copyOf(digest, 16));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
