package dev.pageviews.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/** Empties the data dir for {@code --fresh}. */
final class DataDir {

    private DataDir() {}

    /**
     * Deletes everything under {@code dir} except {@code keep} (and the folders leading to it). The log file is
     * kept because logging has started by the time {@code up} parses its flags: deleting the open file would
     * leave the run writing into an unlinked file that nobody can read.
     */
    static void clear(Path dir, Optional<Path> keep) {
        if (!Files.exists(dir)) {
            return;
        }
        Path kept = keep.map(p -> p.toAbsolutePath().normalize()).orElse(null);
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Path absolute = path.toAbsolutePath().normalize();
                if (kept != null && kept.startsWith(absolute)) {
                    continue; // the kept file itself, or a folder that holds it
                }
                Files.delete(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete " + dir + " for --fresh", e);
        }
    }
}
