package dev.pageviews.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pageviews.event.PageView;
import dev.pageviews.job.ArchivedFiles.Archived;
import dev.pageviews.job.ArchivedFiles.PartFile;
import dev.pageviews.job.archive.EventTimePartitions;
import dev.pageviews.stack.LocalStack;
import dev.pageviews.stack.LocalStackExtension;
import dev.pageviews.stack.S3Server;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.Extension;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The archive on a real MiniCluster, from real Kafka, into a real S3 API server (S3Proxy) through Flink's S3 file
 * system plugin: every valid view in exactly one finished part file per format, in the hour it happened.
 */
@ExtendWith(LocalStackExtension.class)
class ArchiveIT {

    private static final long BASE = 1_730_800_000L; // 2024-11-05T09:46:40Z
    private static final String BUCKET = "pageviews-archive";
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private static S3Server s3;
    private static int runs;

    /** Registered before the cluster: up before it starts, its s3.* keys in the cluster's settings, down after it. */
    @RegisterExtension
    @Order(1)
    static final Extension S3 = new S3ServerExtension();

    @RegisterExtension
    @Order(2)
    static final MiniClusterExtension FLINK = FlinkCluster.extension(() -> {
        // the cluster's file systems take the S3 server's s3.* keys from the cluster configuration, as a TaskManager would
        Configuration conf = FlinkSettings.of(JobConfig.parse(new String[0], Map.of()));
        conf.addAll(Configuration.fromMap(s3.flinkFileSystemSettings()));
        return conf;
    });
    private static FlinkCluster flink;

    @BeforeAll
    static void connect(@InjectMiniCluster MiniCluster cluster) throws Exception {
        flink = new FlinkCluster(cluster);
    }

    private static final class S3ServerExtension implements BeforeAllCallback, AfterAllCallback {

        @Override
        public void beforeAll(ExtensionContext context) {
            // the S3 plugin's AWS SDK v1 prints a deprecation notice with a stack trace on first use
            System.setProperty("aws.java.v1.disableDeprecationAnnouncement", "true");
            s3 = S3Server.start(LocalStackExtension.newWorkDir(), 0);
            s3.createBucket(BUCKET); // should this fail, JUnit still calls afterAll, which stops the server
        }

        @Override
        public void afterAll(ExtensionContext context) {
            try {
                if (s3 != null) {
                    s3.close();
                }
            } finally {
                FileSystem.initialize(new Configuration(), null); // later tests in this JVM get default file systems
            }
        }
    }

    private record Run(String topic, Path dir, String archivePath, JobConfig config) {}

    private static Run newRun(LocalStack stack, String archivePath, String... archiveFlags) {
        int n = ++runs;
        String topic = "archive-views-" + n;
        stack.kafka().createTopic(topic, LocalStack.VIEWS_PARTITIONS);
        stack.kafka().createTopic("archive-dlq-" + n, 1);
        Path dir = LocalStackExtension.newWorkDir();
        List<String> args = new ArrayList<>(List.of(
            "--kafka-bootstrap", stack.kafka().bootstrapServers(), "--topic", topic, "--dlq-topic", "archive-dlq-" + n,
            "--group-id", "archive-it-" + n, "--redis", stack.redis().uri(), "--redis-key", "archive_views_" + n,
            "--window", "1s", "--out-of-orderness", "1s", "--idle-timeout", "500ms", "--checkpoint-interval", "500ms",
            "--checkpoint-dir", dir.resolve("checkpoints").toUri().toString(), "--parallelism", "2",
            "--archive-path", archivePath));
        args.addAll(List.of(archiveFlags));
        return new Run(topic, dir, archivePath, JobConfig.parse(args.toArray(String[]::new), Map.of()));
    }

    @AfterEach
    void cancelJobsLeftRunning() throws Exception {
        flink.cancelJobsLeftRunning();
    }

    @Test
    void archivesEveryValidViewOnceInItsEventHourAsJsonAndParquetOnS3(LocalStack stack) throws Exception {
        Run run = newRun(stack, "s3://" + BUCKET + "/hours", "--archive-format", "json,parquet", "--archive-roll-interval", "1s");
        List<PageView> produced = new ArrayList<>();
        try (ViewsTraffic traffic = new ViewsTraffic(stack.kafka().bootstrapServers(), run.topic())) {
            for (int i = 0; i < 3000; i++) {
                traffic.view("u" + (i % 17), "/a/" + (i % 5), BASE + i * 4L); // 3 h 20 min of event time
            }
            traffic.garbage("{\"user_id\":\"u\",\"page_url\":\"/not-archived\"}"); // no timestamp: dead-lettered
            // valid, but without the edge's event_id and received_at: both null in Parquet, absent in JSON
            traffic.garbage("{\"user_id\":\"anonymous\",\"page_url\":\"/anon\",\"timestamp\":" + (BASE + 7200) + "}");
            traffic.flush();
            produced.addAll(traffic.sentViews());
            produced.add(PageView.of("anonymous", "/anon", BASE + 7200));
        }
        JobID job = flink.submit(run.config(), null);
        try {
            for (String format : List.of("json", "parquet")) {
                Supplier<List<Archived>> archived = () -> inFormat(ArchivedFiles.views(s3Files("hours")), format);
                assertThat(awaitViews(archived, produced.size())).extracting(Archived::view)
                        .as("%s: every valid view, exactly once, field for field", format)
                        .containsExactlyInAnyOrderElementsOf(produced);
                for (Archived a : archived.get()) {
                    assertThat(a.file().partition()).isEqualTo("format=" + format + "/" + EventTimePartitions.partitionOf(a.view().timestamp()));
                }
                Archived first = archived.get().stream().filter(a -> "e-0".equals(a.view().eventId())).findFirst().orElseThrow();
                assertThat(first.file().path()).startsWith("format=" + format + "/dt=2024-11-05/hour=09/views-");
                assertThat(archived.get()).extracting(a -> a.file().partition()).containsOnly(
                        "format=" + format + "/dt=2024-11-05/hour=09", "format=" + format + "/dt=2024-11-05/hour=10",
                        "format=" + format + "/dt=2024-11-05/hour=11", "format=" + format + "/dt=2024-11-05/hour=12",
                        "format=" + format + "/dt=2024-11-05/hour=13");
            }
            assertThat(s3Files("hours")).extracting(PartFile::path).allMatch(p -> ArchivedFiles.PART_FILE.matcher(p).matches());
            assertThat(s3Files("hours")).filteredOn(f -> f.path().startsWith("format=parquet/")).allSatisfy(f ->
                    assertThat(ArchivedFiles.parquetSchema(f.content()).toString()).isEqualTo(String.join("\n",
                            "message page_view {",
                            "  required binary user_id (STRING);",
                            "  required binary page_url (STRING);",
                            "  required int64 timestamp (TIMESTAMP(MILLIS,true));",
                            "  optional binary event_id (STRING);",
                            "  optional int64 received_at (TIMESTAMP(MILLIS,true));",
                            "  required boolean event_id_from_client;",
                            "}", "")));
            Thread.sleep(2000); // more checkpoints publish nothing twice
            assertThat(ArchivedFiles.views(s3Files("hours"))).hasSize(2 * produced.size());
        } finally {
            flink.cancel(job);
        }
    }

    @Test
    void staysExactlyOnceOnS3ThroughATaskManagerFailureAndACrashRestore(LocalStack stack) throws Exception {
        // a long roll interval: JSON part files stay open across checkpoints and failures, resumed from S3
        // parallelism 4: every slot of both TaskManagers runs tasks
        Run run = newRun(stack, "s3://" + BUCKET + "/failures", "--archive-format", "json,parquet", "--archive-roll-interval", "1h",
                "--parallelism", "4");
        List<PageView> produced;
        try (ViewsTraffic traffic = new ViewsTraffic(stack.kafka().bootstrapServers(), run.topic())) {
            JobID job = flink.submit(run.config(), null);
            try {
                for (int round = 0; round < 20; round++) {
                    for (int i = 0; i < 150; i++) {
                        traffic.view("u" + i, "/f/" + (i % 7), BASE + round * 300L);
                    }
                    traffic.flush();
                    Thread.sleep(300);
                    if (round == 6) {
                        flink.killTaskManager(job);
                    }
                    if (round == 7) {
                        awaitRestart(job);
                    }
                    if (round == 14) {
                        flink.cancel(job); // as if the whole job had died: restore from its last retained checkpoint
                        Path checkpoint = FlinkCluster.latestCheckpoint(run.dir().resolve("checkpoints")).orElseThrow();
                        job = flink.submit(run.config(), checkpoint.toUri().toString());
                    }
                }
                produced = traffic.sentViews();
                awaitViews(() -> inFormat(ArchivedFiles.views(s3Files("failures")), "parquet"), produced.size());
                flink.stopWithSavepoint(job, run.dir().resolve("savepoints"), true); // drain: open JSON files finish
            } catch (Exception | Error e) {
                flink.cancel(job);
                throw e;
            }
        }
        List<Archived> archived = ArchivedFiles.views(s3Files("failures"));
        for (String format : List.of("json", "parquet")) {
            assertThat(inFormat(archived, format)).extracting(Archived::view).as(format)
                    .containsExactlyInAnyOrderElementsOf(produced);
        }
        assertThat(s3Files("failures")).extracting(PartFile::path).allMatch(p -> ArchivedFiles.PART_FILE.matcher(p).matches());
        // what else is left: the last persisted tail of each resumed JSON upload, hidden from readers by its leading _
        assertThat(ArchivedFiles.allKeys(s3.api(), BUCKET, "failures")).filteredOn(k -> !ArchivedFiles.isFinished(k))
                .allMatch(k -> k.matches("format=json/dt=[^/]+/hour=\\d{2}/_views-[0-9a-f-]{36}-\\d+\\.json_tmp_[0-9a-f-]{36}"));
    }

    @Test
    void writesGzipJsonToALocalPath(LocalStack stack) throws Exception {
        Path archive = LocalStackExtension.newWorkDir().resolve("archive");
        Run run = newRun(stack, archive.toUri().toString(), "--archive-json-gzip", "true");
        List<PageView> produced;
        try (ViewsTraffic traffic = new ViewsTraffic(stack.kafka().bootstrapServers(), run.topic())) {
            for (int i = 0; i < 1000; i++) {
                traffic.view("u" + i, "/g/" + (i % 3), BASE + i);
            }
            traffic.flush();
            produced = traffic.sentViews();
        }
        JobID job = flink.submit(run.config(), null);
        try {
            assertThat(awaitViews(() -> ArchivedFiles.views(ArchivedFiles.finished(archive)), produced.size()))
                    .extracting(Archived::view).containsExactlyInAnyOrderElementsOf(produced);
            assertThat(ArchivedFiles.finished(archive)).extracting(PartFile::path).allSatisfy(path ->
                    assertThat(path).matches(ArchivedFiles.PART_FILE).endsWith(".json.gz"));
            assertThat(ArchivedFiles.views(ArchivedFiles.finished(archive))).allSatisfy(a -> assertThat(a.file().partition())
                    .isEqualTo("format=json/" + EventTimePartitions.partitionOf(a.view().timestamp())));
        } finally {
            flink.cancel(job);
        }
    }

    /** Proves the failure took effect: a task of the job runs again. */
    private static void awaitRestart(JobID job) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!flink.hasRestarted(job)) {
            assertThat(System.nanoTime()).as("the job restarted after the TaskManager was killed").isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    private static List<PartFile> s3Files(String prefix) {
        return ArchivedFiles.finished(s3.api(), BUCKET, prefix);
    }

    private static List<Archived> inFormat(List<Archived> archived, String format) {
        return archived.stream().filter(a -> a.file().path().startsWith("format=" + format + "/")).toList();
    }

    /** Waits until the finished files hold {@code expected} views (or more, which fails the caller's assertion). */
    private static List<Archived> awaitViews(Supplier<List<Archived>> archived, int expected) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        List<Archived> views = archived.get();
        while (views.size() < expected && System.nanoTime() < deadline) {
            Thread.sleep(250);
            views = archived.get();
        }
        return views;
    }
}
