package dev.pageviews.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Collection;
import java.util.List;
import java.util.stream.Stream;

/** Empties the data dir for {@code --fresh}. */
final class DataDir {

    private DataDir() {}

    /**
     * Deletes everything under {@code dir} except the files in {@code keep} (and the folders leading to them). The
     * log file is kept because logging has started by the time {@code up} parses its flags: deleting the open file
     * would leave the run writing into an unlinked file that nobody can read; the lock file because it is held.
     */
    static void clear(Path dir, Collection<Path> keep) {
        if (!Files.exists(dir)) {
            return;
        }
        List<Path> kept = keep.stream().map(p -> p.toAbsolutePath().normalize()).toList();
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Path absolute = path.toAbsolutePath().normalize();
                if (kept.stream().anyMatch(k -> k.startsWith(absolute))) {
                    continue; // a kept file itself, or a folder that holds one
                }
                Files.delete(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete " + dir + " for --fresh", e);
        }
    }
}
