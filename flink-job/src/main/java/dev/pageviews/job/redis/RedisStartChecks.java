package dev.pageviews.job.redis;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.UnifiedJedis;

/**
 * What a writer checks in Redis when its task starts, before anything is counted: that the Redis user has every
 * right the commit script needs and that Redis evicts nothing, so that a job that cannot count exactly does not
 * start; and which lineage committed last ({@link Lineage}). The commit script checks the same rights and policy
 * again at every commit, as either can change while the job runs.
 */
final class RedisStartChecks {

    private static final Logger LOG = LoggerFactory.getLogger(RedisStartChecks.class);

    private RedisStartChecks() {}

    /** Runs the checks; returns Redis's lineage record, if there is one. Throws with the fix when a check fails. */
    static Optional<Lineage.Record> run(RedisSinkSettings settings, boolean exactlyOnce, String clientName)
            throws IOException, InterruptedException {
        try (UnifiedJedis redis = RedisConnections.open(settings, clientName)) {
            return Retrying.read("Checking Redis before counting", settings, () -> check(redis, settings, exactlyOnce));
        } catch (StartRefused e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    private static Optional<Lineage.Record> check(UnifiedJedis redis, RedisSinkSettings settings, boolean exactlyOnce) {
        List<String> keys = List.of(settings.hashKey(), settings.markerKey("check"), settings.lineageKey(), settings.metaKey());
        List<?> reply = (List<?>) redis.eval(IncrementScript.PREFLIGHT, keys, List.of(exactlyOnce ? "1" : "0",
                Integer.toString(settings.commit().waitReplicas()), settings.taggedKey()));
        String missing = (String) reply.get(0);
        String redisUri = settings.redis().toString();
        if (!missing.isEmpty()) {
            throw new StartRefused("The Redis user in --redis (" + redisUri + ") may not run " + missing + ", which every "
                    + "commit needs. Grant the job's user its rights, e.g. " + RedisRights.aclSetUser("<user>", settings.hashKey())
                    + " (flink-job README, 'The Redis user'), then restart the job.");
        }
        String policy = (String) reply.get(1);
        if (!policy.equals("noeviction")) {
            throw new StartRefused("Redis at " + redisUri + " has maxmemory-policy " + policy + ": under it Redis may evict "
                    + "the commit markers (volatile-*: the only keys with an expiry) or the counts themselves (allkeys-*), and "
                    + "a recovery would then count views twice or lose them. The only safe policy is noeviction (Redis then "
                    + "answers writes with OOM when full, which the job waits out): CONFIG SET maxmemory-policy noeviction, "
                    + "and the same in redis.conf.");
        }
        long replicas = (Long) reply.get(2);
        int required = settings.commit().waitReplicas();
        if (required > 0 && replicas < required) {
            LOG.warn("Redis at {} has {} replicas connected, and --redis-wait-replicas asks {} to acknowledge every commit: "
                    + "commits wait (and the job restarts) until enough replicas are connected", redisUri, replicas, required);
        }
        if (!exactlyOnce) {
            return Optional.empty();
        }
        List<String> record = redis.hmget(settings.lineageKey(), "lineage", "checkpoint");
        if (record.get(0) == null || record.get(1) == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Lineage.Record(record.get(0), Long.parseLong(record.get(1))));
        } catch (NumberFormatException e) {
            throw new StartRefused("Key " + settings.lineageKey() + " holds checkpoint '" + record.get(1) + "', not a number: "
                    + "it is written only by this job; delete the key (the restore guard then starts afresh).");
        }
    }

    /** A check failed; no retry helps, only the fix in the message. */
    static final class StartRefused extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        StartRefused(String message) {
            super(message);
        }
    }
}
