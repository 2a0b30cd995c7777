package dev.pageviews.job.redis;

/**
 * Where the committer applies committables: Redis, through the commit script ({@link RedisCommitStore}); in unit
 * tests a fake that answers each outcome. Calls throw what Redis answered ({@code JedisException}) or
 * {@link IncrementScript.ReplicationShortfall}.
 */
interface CommitStore extends AutoCloseable {

    /** Applies {@code committable}, or recognises it as applied before. */
    IncrementScript.Outcome apply(RedisCommittable committable);

    /** Forgets the connections, so that the next call connects anew (after a failover, to the new primary). */
    void reset();

    @Override
    void close();
}
