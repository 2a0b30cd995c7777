package dev.pageviews.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
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

        assertThat(choose(Optional.empty()).point()).map(RestorePoint::dir).contains(newer);

        touch(older, Instant.parse("2020-01-01T00:00:00Z")); // equal times: the ids still decide
        assertThat(choose(Optional.empty()).point()).map(RestorePoint::checkpointId).contains(12L);
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
        assertThat(RestorePoints.choose(flinkDir(), scan, Optional.empty(), Optional.empty()).point())
                .map(RestorePoint::dir).contains(complete);
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
        assertThat(choose(Optional.empty()).point()).map(RestorePoint::dir).contains(savepoint);
        assertThatThrownBy(() -> choose(Optional.empty(), afterStop)).isInstanceOf(LocalPipeline.CannotStart.class)
                .hasMessageContaining("would end the job at once");
    }

    @Test
    void withoutAnyStartsFromEmpty() {
        RestorePoints.Choice choice = choose(Optional.empty());
        assertThat(choice.point()).isEmpty();
        assertThat(choice.reason()).contains("no completed checkpoint or savepoint");
    }

    @Test
    void withoutARecordTwoPointsOfTheSameHighestIdAreNotGuessedBetween() throws Exception {
        Path one = savepoint(job(), 9);
        Path other = savepoint(job(), 9);
        savepoint(job(), 3);

        assertThatThrownBy(() -> choose(Optional.empty())).isInstanceOf(LocalPipeline.CannotStart.class)
                .hasMessageContaining(one.toString()).hasMessageContaining(other.toString())
                .hasMessageContaining("same, highest checkpoint id").hasMessageContaining("--restore-from");
    }

    @Test
    void afterACrashTheCheckpointsTakenSinceTheSavepointWin() throws Exception {
        String before = job();
        String crashed = job();
        Path savepoint = savepoint(before, 10);
        checkpoint(crashed, 11);
        Path last = checkpoint(crashed, 13);
        touch(savepoint, Instant.now().plusSeconds(3600));
        RestoreRecord record = recordOf(crashed, savepoint, 10, savepoint, 10);

        RestorePoints.Choice choice = choose(Optional.of(record));

        assertThat(choice.point()).map(RestorePoint::dir).contains(last);
        assertThat(choice.reason()).contains("highest checkpoint id of the last up's job " + crashed);
    }

    @Test
    void aJobThatCompletedNothingResumesFromWhatItStartedFrom() throws Exception {
        String first = job();
        Path savepoint = savepoint(first, 10);
        savepoint(first, 8);
        RestoreRecord record = recordOf(job(), savepoint, 10, savepoint, 10);

        RestorePoints.Choice choice = choose(Optional.of(record));

        assertThat(choice.point()).map(RestorePoint::dir).contains(savepoint);
        assertThat(choice.reason()).contains("started from; it completed no checkpoint since");
    }

    @Test
    void aNewerPointTheRecordKnewOfThatIsGoneStopsUpNamingBoth() throws Exception {
        // a backup of the data dir restored: the savepoint of the last stop is missing, the one before is there
        String first = job();
        String second = job();
        Path older = savepoint(first, 10);
        Path newest = savepoint(second, 20);
        RestoreRecord record = recordOf(second, older, 10, newest, 20);
        delete(newest);

        assertThatThrownBy(() -> choose(Optional.of(record))).isInstanceOf(LocalPipeline.CannotStart.class)
                .hasMessageContaining(newest + " (checkpoint id 20)").hasMessageContaining("it is gone")
                .hasMessageContaining(older + " (checkpoint id 10)")
                .hasMessageContaining("--restore-from (PAGEVIEWS_RESTORE_FROM) " + older);

        Files.createDirectories(newest); // its directory there, but not its _metadata
        assertThatThrownBy(() -> choose(Optional.of(record))).hasMessageContaining("holds no _metadata any more");
        Files.write(newest.resolve("_metadata"), new byte[] {1});
        assertThatThrownBy(() -> choose(Optional.of(record))).hasMessageContaining("its _metadata cannot be read");
    }

    @Test
    void anOverrideResumesFromTheNamedPointAndLeavesTheNewerOnesBehindForLaterStarts() throws Exception {
        String first = job();
        String second = job();
        Path older = savepoint(first, 10);
        Path lost = checkpoint(second, 14);
        Path newest = savepoint(second, 20);
        RestoreRecord record = recordOf(second, older, 10, newest, 20);
        delete(newest);

        RestorePoints.Choice override = choose(Optional.of(record), older);

        assertThat(override.point()).map(RestorePoint::dir).contains(older);
        assertThat(override.named()).isTrue();
        assertThat(override.leftBehind()).extracting(RestorePoint::dir).containsExactly(lost);

        // the next start: the job started by the override completed checkpoints 11 and 12; 14 stays behind
        String third = job();
        RestoreRecord after = RestoreRecord.starting(third, flinkDir(), override, Instant.now());
        Path resumed = checkpoint(third, 12);
        assertThat(choose(Optional.of(after)).point()).map(RestorePoint::dir).contains(resumed);
        assertThat(choose(Optional.of(after)).leftBehind()).extracting(RestorePoint::dir).containsExactly(lost);
    }

    @Test
    void anOverrideLeftSetDoesNotTakeEveryStartBackToTheSamePoint() throws Exception {
        String first = job();
        Path older = savepoint(first, 10);
        RestorePoints.Choice override = choose(Optional.of(recordOf(first, older, 10, older, 10)), older);
        String next = job();
        RestoreRecord record = RestoreRecord.starting(next, flinkDir(), override, Instant.now());

        // nothing completed since: naming it again changes nothing
        assertThat(choose(Optional.of(record), older).point()).map(RestorePoint::dir).contains(older);

        checkpoint(next, 11);
        assertThatThrownBy(() -> choose(Optional.of(record), older)).isInstanceOf(LocalPipeline.CannotStart.class)
                .hasMessageContaining("which the last up already resumed from as --restore-from said")
                .hasMessageContaining("checkpoint id 11").hasMessageContaining("PAGEVIEWS_RESTORE_FROM");
    }

    @Test
    void aNewerPointTheRecordCannotAccountForStopsUp() throws Exception {
        String mine = job();
        String stranger = job();
        Path base = savepoint(job(), 4);
        Path own = checkpoint(mine, 6);
        Path foreign = checkpoint(stranger, 30); // copied in from another data dir
        RestoreRecord record = recordOf(mine, base, 4, own, 6);

        assertThatThrownBy(() -> choose(Optional.of(record))).isInstanceOf(LocalPipeline.CannotStart.class)
                .hasMessageContaining(foreign + " (checkpoint id 30) is newer than checkpoint " + own)
                .hasMessageContaining("cannot account for it").hasMessageContaining("--restore-from");

        // named, it is resumed from, and the next start sees no stranger: the named one is the lineage now
        RestorePoints.Choice named = choose(Optional.of(record), foreign);
        assertThat(named.point()).map(RestorePoint::dir).contains(foreign);
        assertThat(choose(Optional.of(RestoreRecord.starting(job(), flinkDir(), named, Instant.now()))).point())
                .map(RestorePoint::dir).contains(foreign);
    }

    @Test
    void aRestorePointNamedOutsideTheDataDirIsFoundAgainByTheRecord() throws Exception {
        Path elsewhere = write(dataDir.resolve("backups").resolve("savepoint-abcdef-0123456789ab"), 25, true);
        RestorePoints.Choice named = choose(Optional.empty(), elsewhere.resolve("_metadata"));
        assertThat(named.point()).map(RestorePoint::dir).contains(elsewhere);

        RestoreRecord record = RestoreRecord.starting(job(), flinkDir(), named, Instant.now());
        assertThat(record.restoredFrom()).map(RestoreRecord.Ref::location).contains(elsewhere.toString());
        assertThat(choose(Optional.of(record)).point()).map(RestorePoint::dir).contains(elsewhere);
    }

    @Test
    void aNamedDirectoryWithoutMetadataIsRefusedNamingTheFlag() throws Exception {
        Path empty = Files.createDirectories(dataDir.resolve("nothing"));
        assertThatThrownBy(() -> choose(Optional.empty(), empty)).isInstanceOf(LocalPipeline.CannotStart.class)
                .hasMessageStartingWith("--restore-from (PAGEVIEWS_RESTORE_FROM) " + empty + ": not a completed checkpoint or "
                        + "savepoint (no " + empty.resolve("_metadata") + ")");
    }

    @Test
    void theRecordSurvivesTheDataDirBeingCopiedWithNewFileTimes() throws Exception {
        String first = job();
        String second = job();
        Path base = savepoint(first, 10);
        Path newest = savepoint(second, 15);
        Path oldest = savepoint(first, 8);
        recordOf(second, base, 10, newest, 15).write(flinkDir());

        Path copy = dataDir.resolve("copy");
        try (Stream<Path> files = Files.walk(flinkDir())) {
            // the oldest savepoint last, so its files have the newest times
            for (Path from : files.sorted(Comparator.comparing((Path p) -> p.startsWith(oldest)).thenComparing(p -> p)).toList()) {
                Path to = copy.resolve(flinkDir().relativize(from).toString());
                if (Files.isDirectory(from)) {
                    Files.createDirectories(to);
                } else {
                    Files.createDirectories(to.getParent());
                    Files.copy(from, to);
                }
            }
        }

        RestorePoints.Choice choice = RestorePoints.choose(copy, RestorePoints.scan(copy.resolve("checkpoints"),
                copy.resolve("savepoints")), RestoreRecord.read(copy), Optional.empty());
        assertThat(choice.point()).map(RestorePoint::dir).contains(copy.resolve(flinkDir().relativize(newest)));
    }

    @Test
    void theRecordIsWrittenWholeAndReadBack() throws Exception {
        Path base = savepoint(job(), 10);
        String job = job();
        RestoreRecord record = recordOf(job, base, 10, base, 10);
        RestoreRecord.Keeper keeper = new RestoreRecord.Keeper(flinkDir(), record);
        Path checkpoint = flinkDir().resolve("checkpoints").resolve(job).resolve("chk-11");

        keeper.completed(checkpoint, 11);
        keeper.completed(base, 10); // older: the newest known stays

        RestoreRecord read = RestoreRecord.read(flinkDir()).orElseThrow();
        assertThat(read.job()).isEqualTo(job);
        assertThat(read.restoredFrom()).contains(new RestoreRecord.Ref("savepoints/" + base.getFileName(), 10));
        assertThat(read.newest()).contains(new RestoreRecord.Ref("checkpoints/" + job + "/chk-11", 11));
        assertThat(read.named()).isFalse();
        assertThat(Files.exists(flinkDir().resolve(RestoreRecord.FILE + ".tmp"))).isFalse();

        // checkpoints completing during the stop, or seen by the watcher after it, are not the state the stop hands on
        keeper.stopping();
        keeper.completed(flinkDir().resolve("checkpoints").resolve(job).resolve("chk-13"), 13);
        Path stopSavepoint = flinkDir().resolve("savepoints").resolve("savepoint-" + job.substring(0, 6) + "-0123456789ab");
        keeper.stopped(stopSavepoint, 12);
        keeper.completed(flinkDir().resolve("checkpoints").resolve(job).resolve("chk-14"), 14);
        assertThat(RestoreRecord.read(flinkDir()).orElseThrow().newest())
                .contains(new RestoreRecord.Ref("savepoints/" + stopSavepoint.getFileName(), 12));

        Files.writeString(flinkDir().resolve(RestoreRecord.FILE), "job-id=\n");
        assertThatThrownBy(() -> RestoreRecord.read(flinkDir())).isInstanceOf(LocalPipeline.CannotStart.class)
                .hasMessageContaining(flinkDir().resolve(RestoreRecord.FILE).toString()).hasMessageContaining("no job-id")
                .hasMessageContaining("--restore-from");
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

    private static void delete(Path point) throws Exception {
        Files.delete(point.resolve("_metadata"));
        Files.delete(point);
    }

    private RestoreRecord recordOf(String job, Path from, long fromId, Path newest, long newestId) {
        return new RestoreRecord(job, Optional.of(RestoreRecord.Ref.of(flinkDir(), from, fromId)), false,
                Optional.of(RestoreRecord.Ref.of(flinkDir(), newest, newestId)), List.of(), Instant.now());
    }

    private RestorePoints.Scan scan() {
        return RestorePoints.scan(flinkDir().resolve("checkpoints"), flinkDir().resolve("savepoints"));
    }

    private RestorePoints.Choice choose(Optional<RestoreRecord> record) {
        return RestorePoints.choose(flinkDir(), scan(), record, Optional.empty());
    }

    private RestorePoints.Choice choose(Optional<RestoreRecord> record, Path named) {
        return RestorePoints.choose(flinkDir(), scan(), record, Optional.of(named));
    }
}
