package dev.pageviews.job;

import static dev.pageviews.job.ExactRuns.BASE;
import static dev.pageviews.job.ExactRuns.newRun;
import static dev.pageviews.job.ViewsTraffic.awaitCounts;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pageviews.event.PageView;
import dev.pageviews.job.ArchivedFiles.Archived;
import dev.pageviews.job.dedup.FirstPerEventId;
import dev.pageviews.stack.LocalStack;
import dev.pageviews.stack.LocalStackExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.apache.flink.api.common.JobID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import redis.clients.jedis.Jedis;

/**
 * Views carrying a client's event id, sent again as a client whose answer was lost would: at once, seconds later,
 * across a TaskManager kill and a savepoint restored at another parallelism. Real Kafka, Redis and Flink; each id
 * must be counted once (and archived once), every view without a client id each time it is sent.
 */
@ExtendWith(LocalStackExtension.class)
class DedupIT extends OnFlinkCluster {

    private static final Duration COUNTED = Duration.ofSeconds(120);
    @Test
    void copiesSentAtOnceOrSecondsLaterAreCountedAndArchivedOnceAndViewsWithoutAClientIdEachTime(LocalStack stack)
            throws Exception {
        Path archive = LocalStackExtension.newWorkDir().resolve("archive");
        ExactRuns.Run run = newRun(stack, stack.redis().uri(), 2,
                "--archive-path", archive.toUri().toString(), "--archive-json-gzip", "true");
        try (ViewsTraffic traffic = new ViewsTraffic(stack.kafka().bootstrapServers(), run.topic());
                Jedis jedis = stack.redis().client()) {
            JobID job = flink.submit(run.config(), null);
            try {
                List<PageView> firsts = new ArrayList<>();
                for (int i = 0; i < 300; i++) {
                    PageView view = traffic.clientView("order-" + i, "u" + i % 17, "/p/" + i % 30, BASE + i / 100);
                    firsts.add(view);
                    if (i % 3 == 0) {
                        traffic.resend(view); // a retry right after the first try
                    }
                }
                for (int i = 0; i < 50; i++) {
                    traffic.view("anon", "/edge-ids", BASE + 1); // alike, but ids from the edge: each one counts
                    traffic.resend(PageView.of("anon", "/no-ids", BASE + 1)); // no id at all: each one counts
                }
                traffic.flush();
                awaitCounts(jedis::hgetAll, run.key(), traffic.expected(), COUNTED);
                assertThat(traffic.expected()).containsEntry("/edge-ids", 50L).containsEntry("/no-ids", 50L);

                for (PageView view : firsts) {
                    traffic.resend(view); // seconds later, every one of them again
                }
                traffic.clientView("order-new", "u", "/p/new", BASE + 5);
                traffic.flush();
                assertThat(flink.awaitMetricSum(job, FirstPerEventId.DUPLICATES_METRIC, traffic.copies()))
                        .isEqualTo(traffic.copies()).isEqualTo(400);
                awaitCounts(jedis::hgetAll, run.key(), traffic.expected(), COUNTED);
                Thread.sleep(1500); // three more checkpoints: nothing more arrives
                assertThat(ViewsTraffic.counts(jedis::hgetAll, run.key())).isEqualTo(traffic.expected());

                List<PageView> archived = awaitArchived(archive, traffic.sentViews().size());
                assertThat(archived).as("one archived line per counted view")
                        .containsExactlyInAnyOrderElementsOf(traffic.sentViews());
            } finally {
                flink.cancel(job);
            }
        }
    }

    @ParameterizedTest(name = "state backend {0}, restored on {1}")
    @CsvSource({"hashmap, hashmap", "rocksdb, hashmap", "hashmap, rocksdb"})
    void copiesAreCountedOnceAcrossATaskManagerKillAndASavepointRestoredAtAnotherParallelismWindowAndStateBackend(
            String backend, String restoredOn, LocalStack stack) throws Exception {
        ExactRuns.Run run = newRun(stack, stack.redis().uri(), 2, "--state-backend", backend);
        Random random = new Random(3);
        List<PageView> sent = new ArrayList<>();
        try (ViewsTraffic traffic = new ViewsTraffic(stack.kafka().bootstrapServers(), run.topic());
                Jedis jedis = stack.redis().client()) {
            JobID job = flink.submit(run.config(), null);
            try {
                for (int round = 0; round < 12; round++) {
                    sendRound(traffic, round, sent, random);
                    if (round == 5) {
                        flink.killTaskManager(job); // the job restarts from its last checkpoint and reads the copies again
                    }
                }
                awaitCounts(jedis::hgetAll, run.key(), traffic.expected(), COUNTED);
                assertThat(flink.hasRestarted(job)).isTrue();
                long copiesBefore = traffic.copies();

                String savepoint = flink.stopWithSavepoint(job, run.dir().resolve("savepoints"));
                // restored at another parallelism, with another window, maybe on another state backend (the ids are
                // kept otherwise there): the ids remembered stay remembered
                job = flink.submit(run.config().with(JobConfig.PARALLELISM, 3).with(JobConfig.DEDUP_WINDOW, Duration.ofHours(12))
                        .with(JobConfig.STATE_BACKEND, JobConfig.StateBackend.valueOf(restoredOn.toUpperCase(Locale.ROOT))), savepoint);
                for (int round = 12; round < 20; round++) {
                    sendRound(traffic, round, sent, random); // copies of views from before the savepoint, too
                }
                awaitCounts(jedis::hgetAll, run.key(), traffic.expected(), COUNTED);
                long copiesAfter = traffic.copies() - copiesBefore;
                assertThat(flink.awaitMetricSum(job, FirstPerEventId.DUPLICATES_METRIC, copiesAfter))
                        .as("copies dropped by the restored job").isEqualTo(copiesAfter);
                Thread.sleep(1500);
                assertThat(ViewsTraffic.counts(jedis::hgetAll, run.key())).isEqualTo(traffic.expected());
            } finally {
                if (!flink.status(job).isGloballyTerminalState()) {
                    flink.cancel(job);
                }
            }
        }
    }

    /** 100 new views with client ids, 30 copies of views sent in any earlier round, 10 views with the edge's ids. */
    private static void sendRound(ViewsTraffic traffic, int round, List<PageView> sent, Random random) throws InterruptedException {
        List<PageView> fresh = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            fresh.add(traffic.clientView("r" + round + "-" + i, "u" + random.nextInt(50), "/p/" + random.nextInt(40), BASE + round));
        }
        for (int i = 0; i < 30 && !sent.isEmpty(); i++) {
            traffic.resend(sent.get(random.nextInt(sent.size())));
        }
        for (int i = 0; i < 10; i++) {
            traffic.view("u" + random.nextInt(50), "/p/" + random.nextInt(40), BASE + round);
        }
        sent.addAll(fresh);
        traffic.flush();
        Thread.sleep(250);
    }

    @Test
    void anIdSeenAgainAfterTheWindowHasPassedIsCountedAgain(LocalStack stack) throws Exception {
        ExactRuns.Run run = newRun(stack, stack.redis().uri(), 1, "--dedup-window", "4s");
        try (ViewsTraffic traffic = new ViewsTraffic(stack.kafka().bootstrapServers(), run.topic());
                Jedis jedis = stack.redis().client()) {
            JobID job = flink.submit(run.config(), null);
            try {
                PageView later = traffic.clientView("seen-again-later", "u", "/later", BASE);
                PageView soon = traffic.clientView("seen-again-soon", "u", "/soon", BASE);
                traffic.flush();
                awaitCounts(jedis::hgetAll, run.key(), Map.of("/later", 1L, "/soon", 1L), COUNTED);

                traffic.resend(soon); // within the 4 s window: a copy
                traffic.flush();
                assertThat(flink.awaitMetricSum(job, FirstPerEventId.DUPLICATES_METRIC, 1)).isEqualTo(1);
                Thread.sleep(5000); // the window has passed for both ids
                traffic.resend(later);
                traffic.flush();

                awaitCounts(jedis::hgetAll, run.key(), Map.of("/later", 2L, "/soon", 1L), COUNTED);
                assertThat(flink.metricSum(job, FirstPerEventId.DUPLICATES_METRIC)).isEqualTo(1);
            } finally {
                flink.cancel(job);
            }
        }
    }

    @Test
    void withTheWindowAtZeroEveryCopyIsCounted(LocalStack stack) throws Exception {
        ExactRuns.Run run = newRun(stack, stack.redis().uri(), 2, "--dedup-window", "0");
        try (ViewsTraffic traffic = new ViewsTraffic(stack.kafka().bootstrapServers(), run.topic());
                Jedis jedis = stack.redis().client()) {
            JobID job = flink.submit(run.config(), null);
            try {
                PageView view = traffic.clientView("counted-each-time", "u", "/off", BASE);
                traffic.resend(view);
                traffic.resend(view);
                traffic.flush();
                awaitCounts(jedis::hgetAll, run.key(), Map.of("/off", 3L), COUNTED);
            } finally {
                flink.cancel(job);
            }
        }
    }

    /** Waits until the finished part files hold {@code count} views (or 60 s passed), and a little more; returns them. */
    private static List<PageView> awaitArchived(Path archive, int count) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline && archived(archive).size() < count) {
            Thread.sleep(250);
        }
        Thread.sleep(1000); // more checkpoints publish nothing twice
        return archived(archive);
    }

    private static List<PageView> archived(Path archive) {
        if (!archive.toFile().exists()) {
            return List.of();
        }
        return ArchivedFiles.views(ArchivedFiles.finished(archive)).stream().map(Archived::view).toList();
    }
}
