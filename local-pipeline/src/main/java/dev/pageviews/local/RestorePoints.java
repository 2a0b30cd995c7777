package dev.pageviews.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses where a restarted local job resumes: the newest state of this data dir, by checkpoint id, never by file
 * time (a copy, a backup restored or a {@code touch} sets times anew; ids stay). A job restored from checkpoint or
 * savepoint {@code n} numbers its next checkpoint {@code n + 1}, and savepoints share that counter, so along one
 * lineage of runs a higher id is newer state; resuming from an older state than Redis has counted would count
 * views again.
 */
final class RestorePoints {

    private static final Logger LOG = LoggerFactory.getLogger(RestorePoints.class);
    private static final Comparator<RestorePoint> BY_ID = Comparator.comparingLong(RestorePoint::checkpointId);
    private static final String FRESH = "or start from empty with --fresh (deletes the data dir: counts, Kafka log and archive)";

    private RestorePoints() {}

    /** The completed checkpoints and savepoints found, and the directories whose {@code _metadata} could not be read. */
    record Scan(List<RestorePoint> complete, Map<Path, String> unreadable) {
        Scan {
            complete = List.copyOf(complete);
            unreadable = Map.copyOf(unreadable);
        }
    }

    /** Where to resume: {@code point} (empty: from empty state), and why. */
    record Choice(Optional<RestorePoint> point, String reason) {}

    /**
     * Every directory under {@code dirs} (three levels down: {@code <job id>/chk-<n>}, {@code savepoint-...}) that
     * holds a {@code _metadata} Flink can read. A directory without one is a checkpoint that never completed and is
     * passed over; one whose {@code _metadata} cannot be read is passed over with a WARN saying why, and one taken
     * after the job's operators had finished ({@link RestorePoint#endsTheJob}) with an INFO.
     */
    static Scan scan(Path... dirs) {
        List<RestorePoint> complete = new ArrayList<>();
        Map<Path, String> unreadable = new LinkedHashMap<>();
        for (Path dir : dirs) {
            for (Path metadata : metadataFiles(dir)) {
                Path point = metadata.getParent().toAbsolutePath().normalize();
                try {
                    RestorePoint read = RestorePoint.read(point);
                    if (read.endsTheJob()) {
                        LOG.info("Passing over {}: taken after the job's operators had finished (during a stop); resuming "
                                + "from it would end the job at once", read.describe());
                    } else {
                        complete.add(read);
                    }
                } catch (IOException e) {
                    String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                    unreadable.put(point, reason);
                    LOG.warn("Passing over {}: its {} cannot be read ({}); a damaged or unfinished checkpoint or savepoint",
                            point, RestorePoint.METADATA, reason);
                }
            }
        }
        return new Scan(complete, unreadable);
    }

    private static List<Path> metadataFiles(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(dir, 3)) {
            return files.filter(p -> p.getFileName().toString().equals(RestorePoint.METADATA)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("could not look for checkpoints in " + dir, e);
        }
    }

    /**
     * The completed point with the highest checkpoint id; empty when there is none. Throws
     * {@link LocalPipeline.CannotStart} when two points share the highest id: which is newer cannot be told.
     */
    static Choice choose(Scan found) {
        Optional<RestorePoint> top = found.complete().stream().max(BY_ID);
        if (top.isEmpty()) {
            return new Choice(top, "no completed checkpoint or savepoint in the data dir");
        }
        List<RestorePoint> tied = found.complete().stream().filter(p -> p.checkpointId() == top.get().checkpointId()).toList();
        if (tied.size() > 1) {
            throw new LocalPipeline.CannotStart("cannot choose a restore point: " + describe(tied) + " have the same, highest "
                    + "checkpoint id: copies of one state, or the states of two jobs. Move all but the one to resume from out "
                    + "of the data dir, " + FRESH + ".");
        }
        return new Choice(top, "the highest checkpoint id among the " + found.complete().size() + " completed checkpoints "
                + "and savepoints");
    }

    private static String describe(List<RestorePoint> points) {
        return points.stream().map(RestorePoint::describe).collect(Collectors.joining(", "));
    }
}
