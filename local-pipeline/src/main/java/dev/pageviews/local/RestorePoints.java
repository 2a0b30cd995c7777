package dev.pageviews.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Finds where a restarted local job resumes: the newest completed checkpoint or savepoint (the directory
 * whose {@code _metadata} was written last). A checkpoint still in progress when the process died has no
 * {@code _metadata} and is passed over.
 */
final class RestorePoints {

    private RestorePoints() {}

    static Optional<Path> newest(Path... dirs) {
        return Stream.of(dirs)
                .filter(Files::isDirectory)
                .flatMap(RestorePoints::metadataFiles)
                .max(Comparator.comparingLong(RestorePoints::modified))
                .map(Path::getParent);
    }

    private static Stream<Path> metadataFiles(Path dir) {
        try (Stream<Path> files = Files.walk(dir, 3)) {
            return files.filter(p -> p.getFileName().toString().equals("_metadata")).toList().stream();
        } catch (IOException e) {
            throw new UncheckedIOException("could not look for checkpoints in " + dir, e);
        }
    }

    private static long modified(Path file) {
        try {
            return Files.getLastModifiedTime(file).toMillis();
        } catch (IOException e) {
            return Long.MIN_VALUE;
        }
    }
}
