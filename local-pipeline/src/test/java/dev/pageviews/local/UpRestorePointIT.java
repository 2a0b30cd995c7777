package dev.pageviews.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pageviews.stack.LocalStackExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Jedis;

/**
 * {@code up} resumes from the newest state of its data dir's lineage, chosen by checkpoint id, whatever the file times
 * say, and refuses when that state is missing. As a user reported it: stops with Ctrl-C, 100 views to {@code /m}
 * before the last one, then the older savepoint's {@code _metadata} touched (a copy without {@code -p}, a backup
 * restored); resuming from the older savepoint read those views from Kafka again and counted {@code /m} twice. Then
 * the data dir copied with new file times to another place, and there a backup restored that lacks the last
 * savepoint. One lineage of runs, each check on the state the run before left.
 */
class UpRestorePointIT {

    private static final Logger LOG = LoggerFactory.getLogger(UpRestorePointIT.class);

    private final Path dataDir = LocalStackExtension.newWorkDir();
    private final UpConfig config = UpConfigs.up(dataDir, "--ui-port", "0");
    private final PipelineTraffic traffic = new PipelineTraffic(config.httpPort(), Map.of());
    private final long now = System.currentTimeMillis() / 1000;

    @Test
    void resumesFromTheNewestStateByCheckpointIdWhateverTheFileTimesAndRefusesWhenItIsMissing() throws Exception {
        Path first = run(config, "/a", 10, null);
        Path flinkBackup = LocalStackExtension.newWorkDir(); // a backup of the state after the first run, record included
        copyWithNewTimes(config.flinkDir(), flinkBackup, flinkBackup);
        Path second = run(config, "/m", 100, first);

        touch(first); // now the newest file of all
        Path third = run(config, "/b", 1, second);

        // the data dir copied to another place without its times, the oldest savepoint last (newest times)
        Path copy = LocalStackExtension.newWorkDir();
        copyWithNewTimes(dataDir, copy, first);
        UpConfig copied = config.with(UpConfig.DATA_DIR, copy.toString());
        Path fourth = run(copied, "/c", 1, copy.resolve(dataDir.relativize(third)));

        // a backup of the copy restored, taken before its last run: the newest savepoint is not in the data dir
        Path backups = Files.createDirectories(copy.resolve("backups"));
        Path moved = Files.move(fourth, backups.resolve(fourth.getFileName()));
        deleteCheckpointsOfJob(copy, RestoreRecord.read(copy.resolve("flink")).orElseThrow().job());
        assertThatThrownBy(() -> LocalPipeline.start(copied, Map.of()).close())
                .isInstanceOf(LocalPipeline.CannotStart.class)
                .hasMessageContaining(fourth + " (checkpoint id ").hasMessageContaining("it is gone")
                .hasMessageContaining("the newest of the same lineage left is savepoint " + copy.resolve(dataDir.relativize(third)))
                .hasMessageContaining("--restore-from");

        // named explicitly where it is now, it is resumed from, exactly
        run(copied.with(UpConfig.RESTORE_FROM, Optional.of(moved)), "/d", 1, moved);

        // the first data dir's whole flink dir restored from the backup taken after its first run, its record with it,
        // while its Redis has counted on: up's own record cannot tell, and the job refuses the state Redis is past
        deleteTree(config.flinkDir());
        copyWithNewTimes(flinkBackup, config.flinkDir(), flinkBackup);
        assertThatThrownBy(() -> LocalPipeline.start(config, Map.of()).close())
                .isInstanceOf(LocalPipeline.CannotStart.class)
                .hasMessageContaining("has already applied the commits of checkpoint")
                .hasMessageContaining("PAGEVIEWS_ALLOW_RESTORE_BEHIND_REDIS=true");
    }

    /**
     * One run of {@code up}: checks it resumed from {@code expectedRestorePoint} (null: from empty), posts {@code views}
     * views to {@code page}, waits until Redis holds exactly every view accepted so far, and again after a few more
     * checkpoints (a restore from an older point counts views again within them); then stops (with a savepoint).
     * Returns that savepoint.
     */
    private Path run(UpConfig config, String page, int views, Path expectedRestorePoint) throws Exception {
        try (LocalPipeline pipeline = LocalPipeline.start(config, Map.of());
                Jedis jedis = new Jedis("127.0.0.1", pipeline.redisPort())) {
            LOG.info("Resumed from {}", pipeline.restorePoint().map(RestorePoint::describe).orElse("nothing"));
            for (int i = 0; i < views; i++) {
                assertThat(traffic.post("u" + i, page, now + i % 3)).isEqualTo(202);
            }
            assertThat(PipelineTraffic.awaitCounts(jedis, traffic.expected(), Duration.ofSeconds(60)))
                    .as("counts after posting to %s", page).isEqualTo(traffic.expected());
            Thread.sleep(3000);
            assertThat(PipelineTraffic.counts(jedis)).as("counts a few checkpoints later").isEqualTo(traffic.expected());
            assertThat(pipeline.restoredFrom()).isEqualTo(Optional.ofNullable(expectedRestorePoint));
        }
        Path flinkDir = config.flinkDir();
        RestoreRecord record = RestoreRecord.read(flinkDir).orElseThrow();
        Path savepoint = record.newest().orElseThrow().path(flinkDir);
        assertThat(savepoint.getParent()).as("the stop's savepoint is the newest recorded").isEqualTo(config.savepointDir());
        return savepoint;
    }

    private static void touch(Path point) throws Exception {
        Files.setLastModifiedTime(point.resolve(RestorePoint.METADATA), FileTime.from(Instant.now().plusSeconds(60)));
    }

    /** Files.copy without COPY_ATTRIBUTES: every file's time is the copy's; {@code last}'s files are copied last. */
    private static void copyWithNewTimes(Path from, Path to, Path last) throws Exception {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(from)) {
            files = walk.filter(Files::isRegularFile).filter(f -> !f.getFileName().toString().equals(DataDirLock.FILE))
                    .sorted(Comparator.comparing((Path f) -> f.startsWith(last)).thenComparing(f -> f)).toList();
        }
        for (Path file : files) {
            Path target = to.resolve(from.relativize(file).toString());
            Files.createDirectories(target.getParent());
            Files.copy(file, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void deleteCheckpointsOfJob(Path dataDir, String job) throws Exception {
        deleteTree(dataDir.resolve("flink").resolve("checkpoints").resolve(job));
    }

    private static void deleteTree(Path dir) throws Exception {
        if (Files.exists(dir)) {
            try (Stream<Path> walk = Files.walk(dir)) {
                for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(path);
                }
            }
        }
    }
}
