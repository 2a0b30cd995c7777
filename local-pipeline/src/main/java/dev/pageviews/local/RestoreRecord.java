package dev.pageviews.local;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@code up} knows of its job's state in this data dir, kept in {@code <data-dir>/flink/restore-point.properties}:
 * the job the last {@code up} ran, what that job started from, the newest checkpoint or savepoint it is known to
 * have completed, and the points an explicit {@code --restore-from} left behind. The next start checks its choice
 * against it ({@link RestorePoints#choose}): a restore point the record knows of must not have disappeared, and no
 * newer one may have appeared that the record cannot account for.
 *
 * <p>Written with a temporary file moved into place, so a crash leaves the old record or the new one, whole.
 *
 * @param job the id (hex) of the job the last {@code up} started
 * @param restoredFrom what that job started from; empty: from empty state
 * @param named whether {@code restoredFrom} was named by {@code --restore-from}
 * @param newest the newest restore point of this lineage known to be complete; empty: none yet
 * @param leftBehind points newer than the one a {@code --restore-from} named, which this lineage no longer continues
 * @param time when this was written
 */
record RestoreRecord(String job, Optional<Ref> restoredFrom, boolean named, Optional<Ref> newest, List<Ref> leftBehind,
        Instant time) {

    static final String FILE = "restore-point.properties";

    RestoreRecord {
        leftBehind = List.copyOf(leftBehind);
    }

    /**
     * A restore point as the record names it: its directory relative to {@code <data-dir>/flink} when it is in there
     * (so the record stays right when the data dir is copied or moved), else its absolute path; and its checkpoint id.
     */
    record Ref(String location, long checkpointId) {

        static Ref of(Path flinkDir, RestorePoint point) {
            return of(flinkDir, point.dir(), point.checkpointId());
        }

        static Ref of(Path flinkDir, Path point, long checkpointId) {
            Path base = flinkDir.toAbsolutePath().normalize();
            Path dir = point.toAbsolutePath().normalize();
            String location = dir.startsWith(base) ? base.relativize(dir).toString().replace('\\', '/') : dir.toString();
            return new Ref(location, checkpointId);
        }

        boolean names(Path flinkDir, RestorePoint point) {
            return equals(of(flinkDir, point));
        }

        Path path(Path flinkDir) {
            Path path = Path.of(location);
            return path.isAbsolute() ? path : flinkDir.toAbsolutePath().normalize().resolve(path);
        }

        String describe(Path flinkDir) {
            return path(flinkDir) + " (checkpoint id " + checkpointId + ")";
        }
    }

    /** The record of a job about to start from {@code choice}. */
    static RestoreRecord starting(String job, Path flinkDir, RestorePoints.Choice choice, Instant now) {
        Optional<Ref> from = choice.point().map(p -> Ref.of(flinkDir, p));
        return new RestoreRecord(job, from, choice.named(), from, choice.leftBehind().stream().map(p -> Ref.of(flinkDir, p)).toList(),
                now);
    }

    /** This record with {@code point} as the newest, if it is newer than the newest known. */
    Optional<RestoreRecord> completed(Ref point, Instant now) {
        if (newest.isPresent() && newest.get().checkpointId() >= point.checkpointId()) {
            return Optional.empty();
        }
        return withNewest(point, now);
    }

    private Optional<RestoreRecord> withNewest(Ref point, Instant now) {
        return Optional.of(new RestoreRecord(job, restoredFrom, named, Optional.of(point), leftBehind, now));
    }

    /** The record in {@code flinkDir}; empty when there is none (a data dir of an {@code up} that kept no record). */
    static Optional<RestoreRecord> read(Path flinkDir) {
        Path file = flinkDir.resolve(FILE);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        Properties props = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            props.load(in);
            List<Ref> leftBehind = new ArrayList<>();
            for (int i = 1; props.containsKey("left-behind." + i + ".path"); i++) {
                leftBehind.add(ref(props, "left-behind." + i + ".").orElseThrow());
            }
            return Optional.of(new RestoreRecord(required(props, "job-id"), ref(props, "restored-from."),
                    Boolean.parseBoolean(props.getProperty("restored-from.named-by-restore-from", "false").trim()), ref(props, ""),
                    leftBehind, Instant.parse(required(props, "time"))));
        } catch (IOException | IllegalArgumentException | DateTimeParseException e) {
            throw new LocalPipeline.CannotStart("cannot read " + file + " (" + e.getMessage() + "), up's record of the "
                    + "newest restore point in this data dir. Without it up cannot tell a restore point restored from a "
                    + "backup from the newest one. Move the file away to choose by checkpoint ids alone, or name the restore "
                    + "point with --restore-from (PAGEVIEWS_RESTORE_FROM)", e);
        }
    }

    private static String required(Properties props, String key) {
        String value = props.getProperty(key, "").trim();
        if (value.isEmpty()) {
            throw new IllegalArgumentException("no " + key);
        }
        return value;
    }

    private static Optional<Ref> ref(Properties props, String prefix) {
        String path = props.getProperty(prefix + "path", "").trim();
        if (path.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Ref(path, Long.parseLong(required(props, prefix + "checkpoint-id"))));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(prefix + "checkpoint-id is not a number", e);
        }
    }

    /** Writes the record into {@code flinkDir}: a temporary file, flushed to disk, then moved over the old one. */
    void write(Path flinkDir) {
        Properties props = new Properties();
        props.setProperty("job-id", job);
        newest.ifPresent(r -> put(props, "", r));
        restoredFrom.ifPresent(r -> put(props, "restored-from.", r));
        if (named) {
            props.setProperty("restored-from.named-by-restore-from", "true");
        }
        for (int i = 0; i < leftBehind.size(); i++) {
            put(props, "left-behind." + (i + 1) + ".", leftBehind.get(i));
        }
        props.setProperty("time", time.toString());
        Path file = flinkDir.resolve(FILE);
        Path temp = flinkDir.resolve(FILE + ".tmp");
        try {
            Files.createDirectories(flinkDir);
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                Writer out = Channels.newWriter(channel, StandardCharsets.UTF_8);
                props.store(out, "./pageviews up: the newest restore point of this data dir's job (path, checkpoint-id), the "
                        + "job of the last up (job-id)\nand what it started from; up checks its choice of restore point "
                        + "against it. Written by up: do not edit. README.md, ./pageviews up.");
                out.flush();
                channel.force(true);
            }
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + file, e);
        }
    }

    /**
     * The record of a running job, brought up to date as it completes checkpoints and savepoints. A record that
     * cannot be written is logged: the next start then checks against the last one written, which is older but
     * still true.
     */
    static final class Keeper {

        private static final Logger LOG = LoggerFactory.getLogger(Keeper.class);

        private final Path flinkDir;
        private RestoreRecord record;
        private boolean stopping;

        /** Writes {@code record} (of a job about to start): its checkpoints are then known as its own. */
        Keeper(Path flinkDir, RestoreRecord record) {
            record.write(flinkDir);
            this.flinkDir = flinkDir;
            this.record = record;
        }

        /** The job completed checkpoint or savepoint {@code checkpointId} in {@code dir}. */
        synchronized void completed(Path dir, long checkpointId) {
            if (!stopping) {
                record.completed(Ref.of(flinkDir, dir, checkpointId), Instant.now()).ifPresent(this::write);
            }
        }

        /**
         * The job is being stopped with a savepoint: checkpoints completed from now on are not recorded. One
         * triggered during the stop may complete after the savepoint with a higher id, or after the job's operators
         * finished; Flink deletes both when the job has finished.
         */
        synchronized void stopping() {
            stopping = true;
        }

        /**
         * The job stopped with savepoint {@code checkpointId} in {@code dir}: the state Flink's stop hands on, which the
         * next run continues from, also when a checkpoint triggered during the stop completed with a higher id (Flink
         * deletes a finished job's checkpoints: the record must not expect that one).
         */
        synchronized void stopped(Path dir, long checkpointId) {
            stopping = true;
            record.withNewest(Ref.of(flinkDir, dir, checkpointId), Instant.now()).ifPresent(this::write);
        }

        private void write(RestoreRecord next) {
            try {
                next.write(flinkDir);
                record = next;
            } catch (UncheckedIOException e) {
                LOG.warn("Could not record {} as the newest restore point: {}",
                        next.newest().map(r -> r.describe(flinkDir)).orElse("?"), e.getCause().toString());
            }
        }
    }

    private static void put(Properties props, String prefix, Ref ref) {
        props.setProperty(prefix + "path", ref.location());
        props.setProperty(prefix + "checkpoint-id", Long.toString(ref.checkpointId()));
    }
}
