package dev.pageviews.job.redis;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies committables after their checkpoint completed: applied now, or already applied before (a re-commit after
 * recovery: success). Any failure is retried ({@link Retrying}) and, if it persists, fails the job: Flink restarts
 * it from the last checkpoint and this committer commits the same committables again. A committable is never
 * signalled as failed, because Flink 2.2 would then drop it, and its views with it.
 */
final class RedisCommitter implements Committer<RedisCommittable> {

    private static final Logger LOG = LoggerFactory.getLogger(RedisCommitter.class);

    private final RedisSinkSettings settings;
    private final Counter applied;
    private final Counter duplicates;
    private final Counter failures;
    private final Counter staleSkipped;
    private final Histogram latencyMillis;
    private final Histogram batchPages;
    private final Counter pagesOverBudget;
    private final Counter viewsOverBudget;
    private final CommitStore store;
    private static final long OVER_BUDGET_WARNING_INTERVAL_MILLIS = 60_000;
    private long lastOverBudgetWarning = Long.MIN_VALUE / 2;

    RedisCommitter(RedisSinkSettings settings, MetricGroup metrics, CommitStore store) {
        this.settings = settings;
        this.store = store;
        this.applied = metrics.counter("redisCommitsApplied");
        this.duplicates = metrics.counter("redisCommitsAlreadyApplied");
        this.failures = metrics.counter("redisCommitFailures");
        this.staleSkipped = metrics.counter("redisCommitsStaleSkipped");
        this.latencyMillis = metrics.histogram("redisCommitLatencyMs", new DescriptiveStatisticsHistogram(1000));
        this.batchPages = metrics.histogram("redisCommitBatchPages", new DescriptiveStatisticsHistogram(1000));
        this.pagesOverBudget = metrics.counter("redisPagesOverBudget");
        this.viewsOverBudget = metrics.counter("redisViewsOverBudget");
    }

    @Override
    public void commit(Collection<CommitRequest<RedisCommittable>> requests) throws IOException, InterruptedException {
        for (CommitRequest<RedisCommittable> request : requests) {
            RedisCommittable committable = request.getCommittable();
            if (committable.watermarkOnly()) {
                // idempotent and holding no views: applied whatever its age
                Retrying.call("Watermark of commit " + committable.id() + " to the record '" + settings.metaKey() + "'", settings,
                        () -> store.apply(committable), store::reset);
                continue;
            }
            if (isStale(committable) && !mayApplyStale(committable)) {
                staleSkipped.inc();
                request.signalAlreadyCommitted();
                continue;
            }
            long started = System.nanoTime();
            IncrementScript.Outcome outcome;
            try {
                outcome = Retrying.call("Commit " + committable.id() + " (" + committable.totalViews() + " views of "
                        + committable.increments().size() + " pages to hash '" + settings.hashKey() + "')", settings,
                        () -> store.apply(committable), store::reset);
            } catch (IOException e) {
                failures.inc();
                LOG.error("{}", e.getMessage()); // Flink logs the task failure with the stack trace
                store.reset(); // reconnect from scratch after the restart
                throw e;
            }
            latencyMillis.update((System.nanoTime() - started) / 1_000_000);
            batchPages.update(committable.increments().size());
            if (outcome.appliedNow()) {
                applied.inc();
                if (outcome.pagesOverBudget() > 0) {
                    pagesOverBudget.inc(outcome.pagesOverBudget());
                    viewsOverBudget.inc(outcome.viewsOverBudget());
                    warnOverBudget(outcome);
                }
            } else {
                duplicates.inc();
                LOG.info("Commit {} ({} views) was applied before; skipped", committable.id(), committable.totalViews());
                request.signalAlreadyCommitted();
            }
        }
    }

    /** Once a minute at most per committer subtask: a flood of new pages would otherwise log at every commit. */
    private void warnOverBudget(IncrementScript.Outcome outcome) {
        long now = System.currentTimeMillis();
        if (now - lastOverBudgetWarning < OVER_BUDGET_WARNING_INTERVAL_MILLIS) {
            return;
        }
        lastOverBudgetWarning = now;
        LOG.warn("Hash '{}' holds its budget of {} pages (--max-pages): {} views of {} pages not in it were added to field "
                + "'{}' by one commit (metrics redisViewsOverBudget, redisPagesOverBudget count them all; each committer "
                + "subtask logs this once a minute at most)", settings.hashKey(), settings.commit().maxPages(), outcome.viewsOverBudget(),
                outcome.pagesOverBudget(), RedisSinkSettings.OTHER_PAGES);
    }

    private boolean isStale(RedisCommittable committable) {
        return committable.createdAtMillis() != RedisCommittable.UNKNOWN_CREATION_TIME
                && System.currentTimeMillis() - committable.createdAtMillis() > settings.staleAfter().toMillis();
    }

    /** Whether a stale committable is applied (APPLY), skipped (SKIP), or fails the job with the choice to make (FAIL). */
    private boolean mayApplyStale(RedisCommittable committable) throws IOException {
        Duration age = Duration.ofMillis(System.currentTimeMillis() - committable.createdAtMillis());
        String what = "Commit " + committable.id() + " (" + committable.totalViews() + " views) was created "
                + Instant.ofEpochMilli(committable.createdAtMillis()) + ", "
                + (age.toHours() >= 1 ? age.toHours() + " h" : age.toSeconds() + " s") + " ago: longer ago than --commit-marker-ttl (" + settings.markerTtl() + ") allows, so Redis may have "
                + "forgotten that it was applied (the job was restored from an old checkpoint or savepoint)";
        switch (settings.staleCommits()) {
            case APPLY -> {
                LOG.warn("{}; applying it, as --stale-commits apply says (counts twice if it had been applied)", what);
                return true;
            }
            case SKIP -> {
                LOG.warn("{}; skipping it, as --stale-commits skip says (its views are missing if it had not been applied)", what);
                return false;
            }
            default -> {
                IOException refused = new IOException(what + ". Refusing to guess. If the job was stopped with a savepoint "
                        + "(the stop applies the savepoint's commits before the job ends), restart with --stale-commits skip; "
                        + "if it crashed, --stale-commits apply (a commit whose marker is still there is skipped anyway); "
                        + "or restore a newer checkpoint.");
                failures.inc();
                LOG.error("{}", refused.getMessage());
                throw refused;
            }
        }
    }

    @Override
    public void close() {
        store.close();
    }
}
