package dev.pageviews.job.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pageviews.settings.RedisUri;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import javax.net.ssl.SSLHandshakeException;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;

/** Each outcome of a commit, with a store that answers as Redis would, and what the committer makes of it. */
class RedisCommitterTest {

    private static final RedisSinkSettings SETTINGS = new RedisSinkSettings(RedisUri.parse("redis://localhost:6379"),
            "page_views", Duration.ofDays(7), Duration.ofSeconds(1), 2000);

    /** Answers with the queued outcomes, in order; counts the calls and resets. */
    private static final class FakeStore implements CommitStore {
        final Deque<Supplier<IncrementScript.Outcome>> answers = new ArrayDeque<>();
        int calls;
        int resets;

        FakeStore answer(Supplier<IncrementScript.Outcome> answer) {
            answers.add(answer);
            return this;
        }

        @Override
        public IncrementScript.Outcome apply(RedisCommittable committable) {
            calls++;
            return answers.remove().get();
        }

        @Override
        public void reset() {
            resets++;
        }

        @Override
        public void close() {}
    }

    /** Records what the committer signalled for one committable. */
    private static final class Request implements Committer.CommitRequest<RedisCommittable> {
        final RedisCommittable committable;
        final List<String> signals = new ArrayList<>();

        Request(RedisCommittable committable) {
            this.committable = committable;
        }

        @Override public RedisCommittable getCommittable() { return committable; }
        @Override public int getNumberOfRetries() { return 0; }
        @Override public void signalFailedWithKnownReason(Throwable t) { signals.add("failed-known"); }
        @Override public void signalFailedWithUnknownReason(Throwable t) { signals.add("failed-unknown"); }
        @Override public void retryLater() { signals.add("retry-later"); }
        @Override public void updateAndRetryLater(RedisCommittable committable) { signals.add("update-retry-later"); }
        @Override public void signalAlreadyCommitted() { signals.add("already-committed"); }
    }

    /** Metrics by name, to read what the committer counted. */
    private static final class Metrics extends UnregisteredMetricsGroup {
        final Map<String, Counter> counters = new java.util.HashMap<>();

        @Override
        public Counter counter(String name) {
            return counters.computeIfAbsent(name, n -> new SimpleCounter());
        }

        long count(String name) {
            return counters.get(name).getCount();
        }
    }

    private static RedisCommittable committable(long createdAt) {
        return new RedisCommittable("c-1", createdAt, Map.of("/a", 2L, "/b", 1L), "job-1", 5);
    }

    private static Request commit(RedisCommitter committer, RedisCommittable committable) throws Exception {
        Request request = new Request(committable);
        committer.commit(List.of(request));
        return request;
    }

    @Test
    void appliedNowSignalsNothingAndCountsIt() throws Exception {
        Metrics metrics = new Metrics();
        FakeStore store = new FakeStore().answer(() -> new IncrementScript.Outcome(true, 0, 0));
        Request request = commit(new RedisCommitter(SETTINGS, metrics, store), committable(System.currentTimeMillis()));
        assertThat(request.signals).isEmpty(); // success
        assertThat(metrics.count("redisCommitsApplied")).isEqualTo(1);
        assertThat(metrics.count("redisCommitsAlreadyApplied")).isZero();
    }

    @Test
    void appliedBeforeIsSignalledAsAlreadyCommitted() throws Exception {
        Metrics metrics = new Metrics();
        FakeStore store = new FakeStore().answer(() -> new IncrementScript.Outcome(false, 0, 0));
        Request request = commit(new RedisCommitter(SETTINGS, metrics, store), committable(System.currentTimeMillis()));
        assertThat(request.signals).containsExactly("already-committed");
        assertThat(metrics.count("redisCommitsAlreadyApplied")).isEqualTo(1);
    }

    @Test
    void pagesOverTheBudgetAreCounted() throws Exception {
        Metrics metrics = new Metrics();
        FakeStore store = new FakeStore().answer(() -> new IncrementScript.Outcome(true, 3, 17));
        commit(new RedisCommitter(SETTINGS, metrics, store), committable(System.currentTimeMillis()));
        assertThat(metrics.count("redisPagesOverBudget")).isEqualTo(3);
        assertThat(metrics.count("redisViewsOverBudget")).isEqualTo(17);
    }

    @Test
    void aTransientFailureIsRetriedWithANewConnectionAndThenSucceeds() throws Exception {
        Metrics metrics = new Metrics();
        FakeStore store = new FakeStore()
                .answer(() -> { throw new JedisConnectionException("Connection refused"); })
                .answer(() -> { throw new IncrementScript.ReplicationShortfall("c-1", 0, 1, Duration.ofSeconds(1)); })
                .answer(() -> new IncrementScript.Outcome(true, 0, 0));
        Request request = commit(new RedisCommitter(SETTINGS, metrics, store), committable(System.currentTimeMillis()));
        assertThat(request.signals).isEmpty();
        assertThat(store.calls).isEqualTo(3);
        assertThat(store.resets).isEqualTo(2);
        assertThat(metrics.count("redisCommitFailures")).isZero();
    }

    @Test
    void aFailureThatPersistsFailsTheJobAndNeverDropsTheCommittable() {
        Metrics metrics = new Metrics();
        FakeStore store = new FakeStore();
        for (int i = 0; i < Retrying.ATTEMPTS; i++) {
            store.answer(() -> { throw new JedisDataException("OOM command not allowed when used memory > 'maxmemory'."); });
        }
        RedisCommitter committer = new RedisCommitter(SETTINGS, metrics, store);
        Request request = new Request(committable(System.currentTimeMillis()));
        assertThatThrownBy(() -> committer.commit(List.of(request))).isInstanceOf(IOException.class)
                .hasMessageContaining("answered \"OOM").hasMessageContaining(Retrying.ATTEMPTS + " times")
                .hasMessageContaining("Nothing of this commit was applied").hasMessageContaining("commits again, once");
        assertThat(request.signals).as("never failed, so Flink keeps it").isEmpty();
        assertThat(store.calls).isEqualTo(Retrying.ATTEMPTS);
        assertThat(metrics.count("redisCommitFailures")).isEqualTo(1);
    }

    @Test
    void aFailureOnlyAPersonCanFixFailsAtOnceWithTheFix() {
        FakeStore store = new FakeStore().answer(() -> {
            throw new JedisDataException(IncrementScript.NO_PERMISSION + " the Redis user may not run SET {page_views}:commit:c-1");
        });
        RedisCommitter committer = new RedisCommitter(SETTINGS, new Metrics(), store);
        Request request = new Request(committable(System.currentTimeMillis()));
        assertThatThrownBy(() -> committer.commit(List.of(request))).isInstanceOf(IOException.class)
                .hasMessageContaining("ACL SETUSER").hasMessageContaining("Nothing of this commit was applied");
        assertThat(store.calls).isEqualTo(1);
        assertThat(request.signals).isEmpty();
    }

    /**
     * With TLS 1.3 Redis checks the client certificate after the handshake, so the refusal may show only at the first
     * command: it is not retried as a lost connection would be, and it names the setting.
     */
    @Test
    void aClientCertificateRedisRefusesFailsAtOnceNamingTheSetting() {
        FakeStore store = new FakeStore().answer(() -> {
            throw new JedisConnectionException(new SSLHandshakeException("Received fatal alert: certificate_required"));
        });
        RedisCommitter committer = new RedisCommitter(SETTINGS, new Metrics(), store);
        Request request = new Request(committable(System.currentTimeMillis()));
        assertThatThrownBy(() -> committer.commit(List.of(request))).isInstanceOf(IOException.class)
                .hasMessageContaining("Redis refused the job's TLS client certificate")
                .hasMessageContaining("--redis-tls-keystore (PAGEVIEWS_REDIS_TLS_KEYSTORE) is empty")
                .hasMessageContaining("commits again, once");
        assertThat(store.calls).isEqualTo(1);
        assertThat(request.signals).as("never failed, so Flink keeps it").isEmpty();
    }

    @Test
    void anUnexpectedReplyDoesNotClaimWhatIsNotKnown() {
        FakeStore store = new FakeStore().answer(() -> { throw new JedisDataException("ERR something new"); });
        RedisCommitter committer = new RedisCommitter(SETTINGS, new Metrics(), store);
        assertThatThrownBy(() -> committer.commit(List.of(new Request(committable(System.currentTimeMillis())))))
                .hasMessageContaining("whether part of the commit was applied is not known")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContainIgnoringCase("nothing of this commit was applied").doesNotContain("once."));
    }

    @Test
    void aStaleCommittableFollowsTheOperatorsChoice() throws Exception {
        long eightDaysAgo = System.currentTimeMillis() - Duration.ofDays(8).toMillis();
        FakeStore failing = new FakeStore();
        assertThatThrownBy(() -> commit(new RedisCommitter(SETTINGS, new Metrics(), failing), committable(eightDaysAgo)))
                .hasMessageContaining("--stale-commits");
        assertThat(failing.calls).isZero();

        Metrics metrics = new Metrics();
        FakeStore skipping = new FakeStore();
        Request skipped = commit(new RedisCommitter(SETTINGS.withStaleCommits(RedisSinkSettings.StaleCommits.SKIP), metrics, skipping),
                committable(eightDaysAgo));
        assertThat(skipped.signals).containsExactly("already-committed");
        assertThat(skipping.calls).isZero();
        assertThat(metrics.count("redisCommitsStaleSkipped")).isEqualTo(1);

        FakeStore applying = new FakeStore().answer(() -> new IncrementScript.Outcome(true, 0, 0));
        Request appliedStale = commit(new RedisCommitter(SETTINGS.withStaleCommits(RedisSinkSettings.StaleCommits.APPLY),
                new Metrics(), applying), committable(eightDaysAgo));
        assertThat(appliedStale.signals).isEmpty();
        assertThat(applying.calls).isEqualTo(1);
    }

    @Test
    void aWatermarkWithoutViewsIsAppliedWhateverItsAgeAndCountsAsNoCommit() throws Exception {
        long eightDaysAgo = System.currentTimeMillis() - Duration.ofDays(8).toMillis();
        Metrics metrics = new Metrics();
        FakeStore store = new FakeStore().answer(() -> new IncrementScript.Outcome(false, 0, 0));
        Request request = commit(new RedisCommitter(SETTINGS, metrics, store),
                RedisCommittable.watermarkOnly("w-1", eightDaysAgo, "job-1", 5, 1_000L));
        assertThat(request.signals).isEmpty();
        assertThat(store.calls).isEqualTo(1);
        assertThat(metrics.count("redisCommitsApplied")).isZero();
        assertThat(metrics.count("redisCommitsAlreadyApplied")).isZero();
        assertThat(metrics.count("redisCommitsStaleSkipped")).isZero();
    }
}
