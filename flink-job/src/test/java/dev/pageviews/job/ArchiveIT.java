package dev.pageviews.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pageviews.event.DecodeResult;
import dev.pageviews.event.PageView;
import dev.pageviews.event.PageViewCodec;
import dev.pageviews.job.archive.EventTimePartitions;
import dev.pageviews.stack.LocalStack;
import dev.pageviews.stack.LocalStackExtension;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The archive on a real MiniCluster from real Kafka: every valid view in exactly one committed file, in its hour. */
@ExtendWith(LocalStackExtension.class)
class ArchiveIT {

    private static final long BASE = 1_730_800_000L; // 2024-11-05T09:46:40Z
    private static FlinkCluster flink;
    private static int runs;

    @BeforeAll
    static void startFlink() throws Exception {
        flink = new FlinkCluster();
    }

    @AfterAll
    static void stopFlink() throws Exception {
        if (flink != null) {
            flink.close();
        }
    }

    private record Run(String topic, Path dir, Path archive, JobConfig config) {}

    private static Run newRun(LocalStack stack) {
        int n = ++runs;
        String topic = "archive-views-" + n;
        stack.kafka().createTopic(topic, LocalStack.VIEWS_PARTITIONS);
        stack.kafka().createTopic("archive-dlq-" + n, 1);
        Path dir = LocalStackExtension.newWorkDir();
        Path archive = dir.resolve("archive");
        JobConfig config = JobConfig.parse(new String[] {
            "--kafka-bootstrap", stack.kafka().bootstrapServers(), "--topic", topic, "--dlq-topic", "archive-dlq-" + n,
            "--group-id", "archive-it-" + n, "--redis", stack.redis().uri(), "--redis-key", "archive_views_" + n,
            "--window", "1s", "--out-of-orderness", "1s", "--idle-timeout", "500ms", "--checkpoint-interval", "500ms",
            "--checkpoint-dir", dir.resolve("checkpoints").toUri().toString(), "--parallelism", "2",
            "--archive-path", archive.toUri().toString(), "--archive-roll-interval", "1s"}, Map.of());
        return new Run(topic, dir, archive, config);
    }

    @Test
    void archivesEveryValidViewOnceInTheHourItHappened(LocalStack stack) throws Exception {
        Run run = newRun(stack);
        List<PageView> produced = new ArrayList<>();
        try (ViewsTraffic traffic = new ViewsTraffic(stack.kafka().bootstrapServers(), run.topic())) {
            for (int i = 0; i < 3000; i++) {
                long timestamp = BASE + i * 4L; // 3 h 20 min of event time: four hourly partitions
                traffic.view("u" + (i % 17), "/a/" + (i % 5), timestamp);
            }
            traffic.garbage("{\"user_id\":\"u\",\"page_url\":\"/not-archived\"}");
            traffic.flush();
            produced.addAll(traffic.sentViews());
            JobID job = flink.submit(run.config(), null);
            try {
                List<Archived> archived = awaitArchived(run.archive(), produced.size(), Duration.ofSeconds(60));
                assertThat(archived).extracting(a -> a.view().eventId())
                        .containsExactlyInAnyOrderElementsOf(produced.stream().map(PageView::eventId).toList());
                for (Archived a : archived) {
                    assertThat(a.partition()).isEqualTo("format=json/" + EventTimePartitions.partitionOf(a.view().timestamp()));
                }
                assertThat(archived).extracting(Archived::partition).containsOnly(
                        "format=json/dt=2024-11-05/hour=09", "format=json/dt=2024-11-05/hour=10",
                        "format=json/dt=2024-11-05/hour=11", "format=json/dt=2024-11-05/hour=12",
                        "format=json/dt=2024-11-05/hour=13");
                assertThat(archived.get(0).view()).isIn(produced); // fields survive byte for byte
            } finally {
                flink.cancel(job);
            }
        }
    }

    @Test
    void staysExactlyOnceThroughTaskManagerFailuresAndACrashRestore(LocalStack stack) throws Exception {
        Run run = newRun(stack);
        try (ViewsTraffic traffic = new ViewsTraffic(stack.kafka().bootstrapServers(), run.topic())) {
            JobID job = flink.submit(run.config(), null);
            try {
                for (int round = 0; round < 30; round++) {
                    for (int i = 0; i < 200; i++) {
                        traffic.view("u" + i, "/f/" + (i % 7), BASE + round * 60L);
                    }
                    traffic.flush();
                    Thread.sleep(300);
                    if (round == 8 || round == 16) {
                        flink.killTaskManager();
                    }
                    if (round == 22) {
                        flink.cancel(job);
                        Path checkpoint = FlinkCluster.latestCheckpoint(run.dir().resolve("checkpoints")).orElseThrow();
                        job = flink.submit(run.config(), checkpoint.toUri().toString());
                    }
                }
                List<String> ids = traffic.sentViews().stream().map(PageView::eventId).toList();
                List<Archived> archived = awaitArchived(run.archive(), ids.size(), Duration.ofSeconds(90));
                assertThat(archived).extracting(a -> a.view().eventId()).containsExactlyInAnyOrderElementsOf(ids);
                Thread.sleep(2000); // a few more checkpoints publish nothing twice
                assertThat(committed(run.archive())).hasSize(ids.size());
            } finally {
                flink.cancel(job);
            }
        }
    }

    private record Archived(String partition, PageView view) {}

    /** Waits until the committed files hold {@code expected} views (or more, which fails the caller's assertion). */
    private static List<Archived> awaitArchived(Path archive, int expected, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Archived> archived = committed(archive);
        while (archived.size() < expected && System.nanoTime() < deadline) {
            Thread.sleep(250);
            archived = committed(archive);
        }
        return archived;
    }

    /** Every view in a finished part file; in-progress files are hidden (a leading dot) and skipped, as readers do. */
    private static List<Archived> committed(Path archive) {
        if (!Files.exists(archive)) {
            return List.of();
        }
        List<Archived> views = new ArrayList<>();
        try (Stream<Path> files = Files.walk(archive)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String name = file.getFileName().toString();
                if (name.startsWith(".")) {
                    continue;
                }
                assertThat(name).startsWith("views-").endsWith(".json");
                String partition = archive.relativize(file.getParent()).toString();
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    DecodeResult decoded = PageViewCodec.decode(line.getBytes(StandardCharsets.UTF_8));
                    assertThat(decoded).isInstanceOf(DecodeResult.Valid.class);
                    views.add(new Archived(partition, ((DecodeResult.Valid) decoded).view()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return views;
    }
}
