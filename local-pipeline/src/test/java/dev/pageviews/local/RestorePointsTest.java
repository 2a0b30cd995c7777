package dev.pageviews.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import org.apache.flink.api.common.JobID;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.checkpoint.CheckpointProperties;
import org.apache.flink.runtime.checkpoint.CheckpointRetentionPolicy;
import org.apache.flink.runtime.checkpoint.Checkpoints;
import org.apache.flink.runtime.checkpoint.FullyFinishedOperatorState;
import org.apache.flink.runtime.checkpoint.metadata.CheckpointMetadata;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The choice of restore point, over {@code _metadata} files written by Flink's own {@link Checkpoints} writer with
 * the checkpoint ids a lineage of {@code up} runs would give them, laid out as Flink lays them out.
 */
class RestorePointsTest {

    @TempDir
    Path dataDir;

    private Path flinkDir() {
        return dataDir.resolve("flink");
    }

    @Test
    void choosesTheHighestCheckpointIdWhateverTheFileTimes() throws Exception {
        String job1 = job();
        String job2 = job();
        Path older = savepoint(job1, 7);
        Path newer = savepoint(job2, 12);
        touch(older, Instant.now().plusSeconds(3600)); // copied without -p, or restored from a backup
        touch(newer, Instant.parse("2020-01-01T00:00:00Z"));

        assertThat(choose().point()).map(RestorePoint::dir).contains(newer);

        touch(older, Instant.parse("2020-01-01T00:00:00Z")); // equal times: the ids still decide
        assertThat(choose().point()).map(RestorePoint::checkpointId).contains(12L);
    }

    @Test
    void readsTheIdAndTheJobFromWhereFlinkPutsThem() throws Exception {
        String job = job();
        RestorePoint checkpoint = RestorePoint.read(checkpoint(job, 4));
        RestorePoint savepoint = RestorePoint.read(savepoint(job, 5));

        assertThat(checkpoint.checkpointId()).isEqualTo(4);
        assertThat(checkpoint.savepoint()).isFalse();
        assertThat(checkpoint.writtenBy(job)).isTrue();
        assertThat(checkpoint.writtenBy(job())).isFalse();
        assertThat(savepoint.checkpointId()).isEqualTo(5);
        assertThat(savepoint.savepoint()).isTrue();
        assertThat(savepoint.writtenBy(job)).isTrue(); // by the first six hex digits its directory name keeps
        assertThat(savepoint.describe()).startsWith("savepoint " + flinkDir().resolve("savepoints")).endsWith("(checkpoint id 5)");
    }

    @Test
    void passesOverACheckpointWithoutMetadataAndOneThatCannotBeRead() throws Exception {
        String job = job();
        Path complete = checkpoint(job, 3);
        Files.createDirectories(flinkDir().resolve("checkpoints").resolve(job).resolve("chk-4")); // still being written
        Path damaged = Files.createDirectories(flinkDir().resolve("checkpoints").resolve(job).resolve("chk-5"));
        Files.write(damaged.resolve("_metadata"), new byte[] {0, 1, 2, 3});

        RestorePoints.Scan scan = scan();

        assertThat(scan.complete()).extracting(RestorePoint::dir).containsExactly(complete);
        assertThat(scan.unreadable()).containsOnlyKeys(damaged);
        assertThat(RestorePoints.choose(scan).point()).map(RestorePoint::dir).contains(complete);
    }

    @Test
    void passesOverACheckpointTakenAfterTheOperatorsFinished() throws Exception {
        String job = job();
        Path savepoint = savepoint(job, 8);
        Path afterStop = Files.createDirectories(flinkDir().resolve("checkpoints").resolve(job).resolve("chk-9"));
        try (OutputStream out = Files.newOutputStream(afterStop.resolve("_metadata"))) {
            Checkpoints.storeCheckpointMetadata(new CheckpointMetadata(9, List.of(new FullyFinishedOperatorState("source",
                    "kafka-source", new OperatorID(), 1, 128)), List.of(),
                    CheckpointProperties.forCheckpoint(CheckpointRetentionPolicy.RETAIN_ON_CANCELLATION)), out);
        }

        assertThat(RestorePoint.read(afterStop).endsTheJob()).isTrue();
        assertThat(choose().point()).map(RestorePoint::dir).contains(savepoint);
    }

    @Test
    void withoutAnyStartsFromEmpty() {
        RestorePoints.Choice choice = choose();
        assertThat(choice.point()).isEmpty();
        assertThat(choice.reason()).contains("no completed checkpoint or savepoint");
    }

    @Test
    void twoPointsOfTheSameHighestIdAreNotGuessedBetween() throws Exception {
        Path one = savepoint(job(), 9);
        Path other = savepoint(job(), 9);
        savepoint(job(), 3);

        assertThatThrownBy(this::choose).isInstanceOf(LocalPipeline.CannotStart.class)
                .hasMessageContaining(one.toString()).hasMessageContaining(other.toString())
                .hasMessageContaining("same, highest checkpoint id");
    }

    // --- helpers: Flink's layout, Flink's metadata writer ---

    private static String job() {
        return new JobID().toHexString();
    }

    private Path checkpoint(String job, long id) throws Exception {
        return write(flinkDir().resolve("checkpoints").resolve(job).resolve("chk-" + id), id, false);
    }

    /** A savepoint directory named as Flink names it; the random part carries the id, so two are never one. */
    private Path savepoint(String job, long id) throws Exception {
        return write(flinkDir().resolve("savepoints").resolve(String.format("savepoint-%s-%012d%s", job.substring(0, 6), id,
                Long.toHexString(System.nanoTime()))), id, true);
    }

    private static Path write(Path dir, long id, boolean savepoint) throws Exception {
        Files.createDirectories(dir);
        CheckpointProperties properties = savepoint ? CheckpointProperties.forSavepoint(false, SavepointFormatType.CANONICAL)
                : CheckpointProperties.forCheckpoint(CheckpointRetentionPolicy.RETAIN_ON_CANCELLATION);
        try (OutputStream out = Files.newOutputStream(dir.resolve("_metadata"))) {
            Checkpoints.storeCheckpointMetadata(new CheckpointMetadata(id, List.of(), List.of(), properties), out);
        }
        return dir.toAbsolutePath().normalize();
    }

    private static void touch(Path point, Instant time) throws Exception {
        Files.setLastModifiedTime(point.resolve("_metadata"), FileTime.from(time));
    }

    private RestorePoints.Scan scan() {
        return RestorePoints.scan(flinkDir().resolve("checkpoints"), flinkDir().resolve("savepoints"));
    }

    private RestorePoints.Choice choose() {
        return RestorePoints.choose(scan());
    }
}
