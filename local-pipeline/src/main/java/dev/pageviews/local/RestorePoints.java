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
 * Chooses where a restarted local job resumes: the newest state of this data dir's lineage, by checkpoint id, never
 * by file time (a copy, a backup restored or a {@code touch} sets times anew; ids stay). A job restored from
 * checkpoint or savepoint {@code n} numbers its next checkpoint {@code n + 1}, and savepoints share that counter, so
 * along one lineage a higher id is newer state.
 *
 * <p>{@link RestoreRecord} says which lineage: the job of the last {@code up} and what it started from. The choice is
 * that job's highest checkpoint or savepoint, or, if it completed none, what it started from. It must not be older
 * than the newest point the record knows of (else a newer one was lost: a backup restored, a directory deleted),
 * and no newer point may exist that the record cannot account for (copied in from elsewhere, written by an
 * {@code up} that kept no record). Either stops {@code up} with a message naming both and the way out,
 * {@code --restore-from}; resuming from an older state than Redis has counted would count views again.
 */
final class RestorePoints {

    private static final Logger LOG = LoggerFactory.getLogger(RestorePoints.class);
    private static final Comparator<RestorePoint> BY_ID = Comparator.comparingLong(RestorePoint::checkpointId);
    private static final String NAME_IT = "--restore-from (PAGEVIEWS_RESTORE_FROM)";
    private static final String FRESH = "or start from empty with --fresh (deletes the data dir: counts, Kafka log and archive)";

    private RestorePoints() {}

    /** The completed checkpoints and savepoints found, and the directories whose {@code _metadata} could not be read. */
    record Scan(List<RestorePoint> complete, Map<Path, String> unreadable) {
        Scan {
            complete = List.copyOf(complete);
            unreadable = Map.copyOf(unreadable);
        }
    }

    /**
     * Where to resume: {@code point} (empty: from empty state), why, whether {@code --restore-from} named it, and the
     * points newer than it that a {@code --restore-from} left behind (the next start does not take them for a lost
     * newer state).
     */
    record Choice(Optional<RestorePoint> point, String reason, boolean named, List<RestorePoint> leftBehind) {
        Choice {
            leftBehind = List.copyOf(leftBehind);
        }
    }

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
     * Chooses among {@code found}, checked against {@code record}; {@code restoreFrom}, when given, wins. Throws
     * {@link LocalPipeline.CannotStart} saying why and what to do when no choice is safe.
     *
     * @param flinkDir {@code <data-dir>/flink}, which the record's paths are relative to
     */
    static Choice choose(Path flinkDir, Scan found, Optional<RestoreRecord> record, Optional<Path> restoreFrom) {
        if (restoreFrom.isPresent()) {
            return named(flinkDir, found, record, restoreFrom.get());
        }
        return record.isPresent() ? byRecord(flinkDir, found, record.get()) : byIdsAlone(flinkDir, found);
    }

    private static Choice byIdsAlone(Path flinkDir, Scan found) {
        Optional<RestorePoint> top = found.complete().stream().max(BY_ID);
        if (top.isEmpty()) {
            return new Choice(top, "no completed checkpoint or savepoint in the data dir", false, List.of());
        }
        List<RestorePoint> tied = found.complete().stream().filter(p -> p.checkpointId() == top.get().checkpointId()).toList();
        if (tied.size() > 1) {
            throw new LocalPipeline.CannotStart("cannot choose a restore point: " + describe(tied) + " have the same, highest "
                    + "checkpoint id, and the data dir has no record (" + flinkDir.resolve(RestoreRecord.FILE) + ") of which "
                    + "one its last run wrote: copies of one state, or the states of two jobs. Name the one to resume from "
                    + "with " + NAME_IT + ", " + FRESH + ".");
        }
        return new Choice(top, "the highest checkpoint id among the " + found.complete().size() + " completed checkpoints "
                + "and savepoints; no record of an earlier run to check it against (" + RestoreRecord.FILE
                + " is kept from this run on)", false, List.of());
    }

    private static Choice byRecord(Path flinkDir, Scan found, RestoreRecord record) {
        List<RestorePoint> lineage = new ArrayList<>(found.complete().stream()
                .filter(p -> p.writtenBy(record.job()) || record.restoredFrom().filter(r -> r.names(flinkDir, p)).isPresent())
                .toList());
        outsideStart(flinkDir, found, record).ifPresent(lineage::add);
        Optional<RestorePoint> chosen = lineage.stream().max(BY_ID);
        long chosenId = chosen.map(RestorePoint::checkpointId).orElse(0L); // Flink's ids start at 1
        if (record.newest().isPresent() && record.newest().get().checkpointId() > chosenId) {
            throw new LocalPipeline.CannotStart(newestMissing(flinkDir, found, record, chosen));
        }
        List<RestorePoint> newer = found.complete().stream().filter(p -> p.checkpointId() > chosenId && !lineage.contains(p))
                .sorted(BY_ID).toList();
        List<RestorePoint> strangers = newer.stream().filter(p -> !leftBehind(flinkDir, record, p)).toList();
        if (!strangers.isEmpty()) {
            throw new LocalPipeline.CannotStart(strangers(flinkDir, record, chosen, strangers));
        }
        if (!newer.isEmpty()) {
            LOG.info("Not resuming from {}: an earlier --restore-from left {} behind (recorded in {})", describe(newer),
                    newer.size() == 1 ? "it" : "them", flinkDir.resolve(RestoreRecord.FILE));
        }
        List<RestorePoint> stillLeftBehind = found.complete().stream().filter(p -> leftBehind(flinkDir, record, p)).toList();
        String reason;
        if (chosen.isEmpty()) {
            reason = "the last up's job " + record.job() + " started from empty and completed no checkpoint";
        } else if (chosen.get().writtenBy(record.job())) {
            reason = "the highest checkpoint id of the last up's job " + record.job() + " (recorded newest: "
                    + record.newest().map(r -> "checkpoint id " + r.checkpointId()).orElse("none") + ")";
        } else {
            reason = "what the last up's job " + record.job() + " started from; it completed no checkpoint since";
        }
        return new Choice(chosen, reason, false, stillLeftBehind);
    }

    /**
     * What the last up's job started from when that is outside the data dir's checkpoints and savepoints (a
     * {@code --restore-from} elsewhere), if it is still there and still holds that state.
     */
    private static Optional<RestorePoint> outsideStart(Path flinkDir, Scan found, RestoreRecord record) {
        Optional<RestoreRecord.Ref> start = record.restoredFrom();
        if (start.isEmpty() || found.complete().stream().anyMatch(p -> start.get().names(flinkDir, p))) {
            return Optional.empty();
        }
        try {
            RestorePoint point = RestorePoint.read(start.get().path(flinkDir));
            return start.get().names(flinkDir, point) ? Optional.of(point) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty(); // gone: the record's newest is then missing, which says so
        }
    }

    private static boolean leftBehind(Path flinkDir, RestoreRecord record, RestorePoint point) {
        return record.leftBehind().stream().anyMatch(r -> r.names(flinkDir, point));
    }

    private static String newestMissing(Path flinkDir, Scan found, RestoreRecord record, Optional<RestorePoint> chosen) {
        RestoreRecord.Ref newest = record.newest().orElseThrow();
        Path path = newest.path(flinkDir);
        Optional<RestorePoint> there = found.complete().stream().filter(p -> p.dir().equals(path)).findFirst();
        String state;
        if (found.unreadable().containsKey(path)) {
            state = "its " + RestorePoint.METADATA + " cannot be read (" + found.unreadable().get(path) + ")";
        } else if (there.isPresent()) {
            state = "that directory holds checkpoint id " + there.get().checkpointId() + " now";
        } else if (Files.isDirectory(path)) {
            state = "that directory holds no " + RestorePoint.METADATA + " any more";
        } else {
            state = "it is gone";
        }
        return "cannot resume safely: up's record " + flinkDir.resolve(RestoreRecord.FILE) + " (of " + record.time()
                + ") says this data dir's job completed " + newest.describe(flinkDir) + ", but " + state + ", and "
                + chosen.map(p -> "the newest of the same lineage left is " + p.describe()).orElse("nothing of that lineage is left")
                + ". Resuming from " + chosen.map(p -> "that").orElse("empty state")
                + " would count again every view counted after it (Redis holds those counts). If a backup of the data dir was "
                + "restored, restore " + path + " too. To resume from an older point anyway, knowing that the views since "
                + "are counted a second time, name it with " + NAME_IT + chosen.map(p -> " " + p.dir()).orElse("")
                + " and set PAGEVIEWS_ALLOW_RESTORE_BEHIND_REDIS=true (without it the job refuses a point behind what Redis "
                + "has counted); " + FRESH + ".";
    }

    private static String strangers(Path flinkDir, RestoreRecord record, Optional<RestorePoint> chosen, List<RestorePoint> strangers) {
        return "cannot resume safely: " + describe(strangers) + (strangers.size() == 1 ? " is" : " are") + " newer than "
                + chosen.map(RestorePoint::describe).orElse("empty state") + ", where this data dir's lineage continues "
                + "(up's record " + flinkDir.resolve(RestoreRecord.FILE) + ": job " + record.job() + "), but the record "
                + "cannot account for " + (strangers.size() == 1 ? "it" : "them") + ": not written by the last up's job, nor "
                + "left behind by a --restore-from. Copied in from another data dir, or written by an up that kept no "
                + "record? Name the restore point to resume from with " + NAME_IT + ": "
                + strangers.get(strangers.size() - 1).dir() + " if it holds this data dir's newest state"
                + chosen.map(p -> ", else " + p.dir()).orElse("") + "; or move the others out of " + flinkDir + ".";
    }

    private static Choice named(Path flinkDir, Scan found, Optional<RestoreRecord> record, Path named) {
        Path dir = (named.getFileName() != null && named.getFileName().toString().equals(RestorePoint.METADATA)
                ? named.getParent() : named).toAbsolutePath().normalize();
        RestorePoint point;
        try {
            point = RestorePoint.read(dir);
        } catch (IOException e) {
            throw new LocalPipeline.CannotStart(NAME_IT + " " + named + ": not a completed checkpoint or savepoint ("
                    + (e instanceof java.nio.file.NoSuchFileException ? "no " + dir.resolve(RestorePoint.METADATA) : e.getMessage())
                    + "). Name a directory that holds Flink's " + RestorePoint.METADATA + ", e.g. " + flinkDir.resolve("savepoints")
                    + "/savepoint-<...> or " + flinkDir.resolve("checkpoints") + "/<job id>/chk-<n>.", e);
        }
        if (point.endsTheJob()) {
            throw new LocalPipeline.CannotStart(NAME_IT + " " + named + ": taken after the job's operators had finished "
                    + "(during a stop); resuming from it would end the job at once. Name the savepoint that stop wrote.");
        }
        // a --restore-from (or its variable) left set would take every later start back to the same point
        if (record.isPresent() && record.get().named() && record.get().restoredFrom().filter(r -> r.names(flinkDir, point)).isPresent()) {
            RestoreRecord last = record.get();
            Optional<RestorePoint> since = found.complete().stream().filter(p -> p.writtenBy(last.job())).max(BY_ID);
            long newestId = Math.max(since.map(RestorePoint::checkpointId).orElse(0L),
                    last.newest().map(RestoreRecord.Ref::checkpointId).orElse(0L));
            if (newestId > point.checkpointId()) {
                throw new LocalPipeline.CannotStart(NAME_IT + " names " + point.describe() + ", which the last up already "
                        + "resumed from as --restore-from said; its job has completed newer state since (checkpoint id " + newestId + "). Resuming "
                        + "from it again would count a second time every view counted since. Remove --restore-from (and "
                        + "PAGEVIEWS_RESTORE_FROM) to continue from the newest state; to go back to it once more on purpose, "
                        + "copy it to a new directory and name that.");
            }
        }
        String otherwise;
        boolean same = false;
        long newestKnown = record.flatMap(RestoreRecord::newest).map(RestoreRecord.Ref::checkpointId).orElse(0L);
        try {
            Choice automatic = record.isPresent() ? byRecord(flinkDir, found, record.get()) : byIdsAlone(flinkDir, found);
            otherwise = automatic.point().map(p -> "resumed from " + p.describe()).orElse("started from empty state");
            same = automatic.point().filter(p -> p.dir().equals(point.dir())).isPresent();
            newestKnown = Math.max(newestKnown, automatic.point().map(RestorePoint::checkpointId).orElse(0L));
        } catch (LocalPipeline.CannotStart refused) {
            otherwise = "refused to start: " + refused.getMessage().replaceAll("\\.$", "");
        }
        List<RestorePoint> leftBehind = found.complete().stream()
                .filter(p -> !p.dir().equals(point.dir()))
                .filter(p -> p.checkpointId() > point.checkpointId() || record.filter(r -> leftBehind(flinkDir, r, p)).isPresent())
                .sorted(BY_ID).toList();
        String left = leftBehind.isEmpty() ? "" : " Left behind, and not chosen by later starts: " + describe(leftBehind) + ".";
        if (same) {
            LOG.info("--restore-from names {}, the restore point up chooses anyway.{}", point.describe(), left);
        } else {
            String older = newestKnown > point.checkpointId()
                    ? " It is older than this data dir's newest state (checkpoint id " + newestKnown + "): the job refuses it "
                            + "if Redis has counted past it, unless PAGEVIEWS_ALLOW_RESTORE_BEHIND_REDIS=true, which counts every "
                            + "view counted after it a second time."
                    : "";
            LOG.warn("Resuming from {} as --restore-from says; without it up would have {}.{}{}", point.describe(), otherwise,
                    older, left);
        }
        return new Choice(Optional.of(point), "named by --restore-from", true, leftBehind);
    }

    private static String describe(List<RestorePoint> points) {
        return points.stream().map(RestorePoint::describe).collect(Collectors.joining(", "));
    }
}
