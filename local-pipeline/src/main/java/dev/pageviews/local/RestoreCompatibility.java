package dev.pageviews.local;

import dev.pageviews.job.PageViewsTopology;
import dev.pageviews.job.archive.Archive;
import dev.pageviews.job.dedup.CountOncePerEventId;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.flink.runtime.OperatorIDPair;
import org.apache.flink.runtime.checkpoint.Checkpoints;
import org.apache.flink.runtime.checkpoint.OperatorState;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.checkpoint.metadata.CheckpointMetadata;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobgraph.JobVertex;
import org.apache.flink.runtime.jobgraph.OperatorID;

/**
 * Decides, before the job is submitted, whether a checkpoint or savepoint can be restored into the job as now
 * configured. Flink refuses state of an operator the new job lacks unless told to drop it
 * ({@code allowNonRestoredState}), and that flag drops any such state, silently. Here it is set only when every
 * operator left behind is one a setting removed on purpose:
 * <ul>
 *   <li>an archive operator ({@code --archive-path none}, or a format taken out of {@code --archive-format}): its
 *       state is open part files of a sink that is no longer wanted; counts do not depend on it;
 *   <li>the dedup operator when {@code --dedup-window} is now 0: its state is the client event ids already
 *       counted, which a job that counts every copy has no use for (copies are counted from then on, as asked);
 *   <li>the first-visits operator when {@code --stats} is now false: its state is who was seen each day, for the read
 *       side's visitor counts, which a job that writes only the counts hash has no use for.
 * </ul>
 * Any other operator's state (for example the Redis sink's pending commits after {@code --delivery} changed, or
 * the dedup state while deduplication is still on, which only a code change can cause) carries counts, so
 * dropping it would lose or double them: then {@code up} stops.
 */
final class RestoreCompatibility {

    /** State of an operator the new job lacks: its uid as the checkpoint recorded it, and its id. */
    record Dropped(String uid, OperatorID id) {
        String describe() {
            return uid.isEmpty() ? "operator " + id : "operator '" + uid + "' (" + id + ")";
        }

        /** What dropping this state means, for a WARN line. */
        String warning(UpConfig config) {
            if (isFirstVisits(uid)) {
                return "Dropping the saved state of the first-visits " + describe() + ": --stats is false now (was true), so "
                        + "who was seen each day is forgotten. The counts hash is not affected; turning --stats on again later "
                        + "counts today's visitors again from then, so that day's exact visitor counts may count some twice.";
            }
            if (isDedup(uid)) {
                return "Dropping the saved state of the dedup " + describe() + ": --dedup-window is 0 now (was on), so the "
                        + "client event ids it remembered are forgotten. From now on every copy of a view is counted, a retry "
                        + "of a view counted before included; turning --dedup-window on again later starts remembering from then.";
            }
            return "Dropping the saved state of archive " + describe() + ": the archive settings changed (now --archive-path "
                    + (config.archivePath().isEmpty() ? "none" : config.archivePath()) + " --archive-format "
                    + config.archiveFormat() + "). Part files it had open or pending are not finished; counts are not affected.";
        }
    }

    /** What to do: restore, dropping {@code dropped} (archive operators, the dedup operator) when not empty. */
    record Decision(List<Dropped> dropped) {
        boolean allowNonRestoredState() {
            return !dropped.isEmpty();
        }

        /** One line per dropped operator, saying what is lost with its state. */
        List<String> warnings(UpConfig config) {
            return dropped.stream().map(d -> d.warning(config)).toList();
        }
    }

    /** A restore point whose state this job cannot take without losing counts; the message says what to do. */
    static final class Unrestorable extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        Unrestorable(String message) {
            super(message);
        }
    }

    private RestoreCompatibility() {}

    /**
     * @param dedupOff whether the job as now configured counts every copy ({@code --dedup-window 0}): only then may
     *     the dedup operator's state be dropped
     */
    static Decision check(Path restorePoint, JobGraph job, boolean dedupOff) {
        return check(restorePoint, job, dedupOff, false);
    }

    /** @param statsOff whether the job as now configured writes no read side ({@code --stats false}) */
    static Decision check(Path restorePoint, JobGraph job, boolean dedupOff, boolean statsOff) {
        Set<OperatorID> present = operatorIds(job);
        List<Dropped> dropped = new ArrayList<>();
        for (OperatorState state : load(restorePoint).getOperatorStates()) {
            // Flink itself skips operators whose state is empty; only state that would be lost matters
            if (!present.contains(state.getOperatorID()) && hasState(state)) {
                dropped.add(new Dropped(state.getOperatorUid().orElse(""), state.getOperatorID()));
            }
        }
        List<Dropped> notDroppable = dropped.stream().filter(d -> !isArchive(d.uid()) && !(dedupOff && isDedup(d.uid()))
                && !(statsOff && isFirstVisits(d.uid()))).toList();
        if (!notDroppable.isEmpty()) {
            throw new Unrestorable(unrestorableMessage(restorePoint, notDroppable));
        }
        return new Decision(dropped);
    }

    private static boolean hasState(OperatorState state) {
        return state.getCoordinatorState() != null || state.getStates().stream().anyMatch(OperatorSubtaskState::hasState);
    }

    /** The archive's operators: the batcher and each FileSink's writer and committer. */
    static boolean isArchive(String uid) {
        return belongsTo(uid, Archive.BATCH_UID) || belongsTo(uid, Archive.JSON_UID) || belongsTo(uid, Archive.PARQUET_UID);
    }

    /** The operator that remembers the client event ids already counted ({@code --dedup-window} above 0). */
    static boolean isDedup(String uid) {
        return belongsTo(uid, CountOncePerEventId.UID);
    }

    /** The operator that remembers who was seen each day ({@code --stats}). */
    static boolean isFirstVisits(String uid) {
        return belongsTo(uid, PageViewsTopology.FIRST_VISITS_UID);
    }

    /**
     * Whether {@code uid} is {@code base} or one Flink derived from it: a sink's uid names its writer, and Flink
     * names the operators it adds, e.g. {@code "Sink Committer: archive-json"}.
     */
    static boolean belongsTo(String uid, String base) {
        return uid.equals(base) || uid.endsWith(": " + base) || uid.startsWith(base + ":") || uid.startsWith(base + " ");
    }

    private static String unrestorableMessage(Path restorePoint, List<Dropped> operators) {
        StringBuilder text = new StringBuilder("cannot resume from ").append(restorePoint).append(": it holds state of ");
        text.append(String.join(", ", operators.stream().map(Dropped::describe).toList()));
        text.append(", which the job as now configured does not have. ");
        if (operators.stream().anyMatch(d -> belongsTo(d.uid(), PageViewsTopology.REDIS_SINK_UID))) {
            text.append("That is the Redis sink's pending commits: --delivery (PAGEVIEWS_DELIVERY) changed since the last run. "
                    + "Dropping them could lose counts. ");
        } else {
            text.append("The job's code or a setting changed in a way its saved state cannot follow. ");
        }
        return text.append("Start with the previous settings, or start from empty with --fresh (deletes the data dir: "
                + "counts, Kafka log and archive).").toString();
    }

    private static Set<OperatorID> operatorIds(JobGraph job) {
        Set<OperatorID> ids = new HashSet<>();
        for (JobVertex vertex : job.getVertices()) {
            for (OperatorIDPair pair : vertex.getOperatorIDs()) {
                ids.add(pair.getGeneratedOperatorID());
                pair.getUserDefinedOperatorID().ifPresent(ids::add);
            }
        }
        return ids;
    }

    private static CheckpointMetadata load(Path restorePoint) {
        Path metadata = restorePoint.resolve("_metadata");
        try (InputStream in = Files.newInputStream(metadata)) {
            return Checkpoints.loadCheckpointMetadata(new DataInputStream(in), RestoreCompatibility.class.getClassLoader(),
                    restorePoint.toUri().toString());
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + metadata + " (a damaged checkpoint or savepoint?); "
                    + "move that directory away to resume from the one before, or start with --fresh", e);
        }
    }
}
