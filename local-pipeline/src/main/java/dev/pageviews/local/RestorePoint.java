package dev.pageviews.local;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.runtime.checkpoint.CheckpointProperties;
import org.apache.flink.runtime.checkpoint.Checkpoints;
import org.apache.flink.runtime.checkpoint.OperatorState;
import org.apache.flink.runtime.checkpoint.metadata.CheckpointMetadata;

/**
 * A completed checkpoint or savepoint: its directory, the checkpoint id Flink wrote into its {@code _metadata},
 * and the job that wrote it as far as Flink's directory names tell: {@code <checkpoint-dir>/<job id>/chk-<n>}
 * names the whole job id, {@code <savepoint-dir>/savepoint-<first 6 hex digits of the job id>-<random>} only its
 * start; anything else (a directory copied elsewhere and renamed) names none.
 *
 * <p>The checkpoint id orders the points of one lineage: a job restored from checkpoint or savepoint {@code n}
 * numbers its next checkpoint {@code n + 1}, and savepoints take their ids from the same counter. File times do
 * not: a copy or a restored backup sets them anew.
 */
record RestorePoint(Path dir, long checkpointId, String job, boolean savepoint, boolean tasksFinished) {

    static final String METADATA = "_metadata";
    private static final Pattern CHECKPOINT = Pattern.compile("chk-\\d+");
    private static final Pattern JOB_ID = Pattern.compile("[0-9a-f]{32}");
    private static final Pattern SAVEPOINT = Pattern.compile("savepoint-([0-9a-f]{6})-.*");

    /**
     * Reads {@code dir/_metadata} with Flink's own reader. Throws {@link IOException} when there is none or it cannot
     * be read: then {@code dir} is no completed checkpoint or savepoint (Flink writes the file last).
     */
    static RestorePoint read(Path dir) throws IOException {
        CheckpointMetadata metadata;
        try (InputStream in = Files.newInputStream(dir.resolve(METADATA))) {
            metadata = Checkpoints.loadCheckpointMetadata(new DataInputStream(in), RestorePoint.class.getClassLoader(),
                    dir.toUri().toString());
        } catch (RuntimeException e) { // the reader's own checks of what it reads
            throw new IOException(e.getMessage(), e);
        }
        String name = dir.getFileName() == null ? "" : dir.getFileName().toString();
        Path parent = dir.getParent();
        Matcher savepointName = SAVEPOINT.matcher(name);
        String job = "";
        if (CHECKPOINT.matcher(name).matches() && parent != null && JOB_ID.matcher(parent.getFileName().toString()).matches()) {
            job = parent.getFileName().toString();
        } else if (savepointName.matches()) {
            job = savepointName.group(1);
        }
        CheckpointProperties properties = metadata.getCheckpointProperties(); // absent in metadata of older Flink versions
        boolean savepoint = properties != null ? properties.isSavepoint() : savepointName.matches();
        boolean tasksFinished = metadata.getOperatorStates().stream().anyMatch(OperatorState::isFullyFinished);
        return new RestorePoint(dir.toAbsolutePath().normalize(), metadata.getCheckpointId(), job, savepoint, tasksFinished);
    }

    /**
     * Whether this is no state to continue from: a checkpoint taken after operators had finished (Flink takes
     * checkpoints of finished tasks). The job's operators finish only when a stop drains it, and a job restored from
     * such a checkpoint would finish them again at once, counting nothing.
     */
    boolean endsTheJob() {
        return tasksFinished;
    }

    /** Whether the job with this id (hex) wrote this point, as far as its directory's name tells (see the class comment). */
    boolean writtenBy(String job) {
        return !this.job.isEmpty() && job.startsWith(this.job);
    }

    /** "savepoint /x/savepoint-1a2b3c-… (checkpoint id 14)". */
    String describe() {
        return (savepoint ? "savepoint " : "checkpoint ") + dir + " (checkpoint id " + checkpointId + ")";
    }
}
