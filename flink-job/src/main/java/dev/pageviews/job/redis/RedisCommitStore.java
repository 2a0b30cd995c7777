package dev.pageviews.job.redis;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.UnifiedJedis;

/** The committer's Redis: a client opened on first use, the commit script run through it. */
final class RedisCommitStore implements CommitStore {

    private static final Logger LOG = LoggerFactory.getLogger(RedisCommitStore.class);

    private final RedisSinkSettings settings;
    private final String clientName;
    private UnifiedJedis redis;

    RedisCommitStore(RedisSinkSettings settings, String clientName) {
        this.settings = settings;
        this.clientName = clientName;
    }

    @Override
    public IncrementScript.Outcome apply(RedisCommittable committable) {
        if (redis == null) {
            redis = RedisConnections.open(settings, clientName);
        }
        return IncrementScript.apply(redis, settings, committable);
    }

    @Override
    public void reset() {
        if (redis != null) {
            try {
                redis.close();
            } catch (RuntimeException e) {
                LOG.debug("closing Redis client", e);
            }
            redis = null;
        }
    }

    @Override
    public void close() {
        reset();
    }
}
