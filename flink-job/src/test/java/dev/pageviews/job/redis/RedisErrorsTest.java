package dev.pageviews.job.redis;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;

/** The error → behaviour table of flink-job/README.md. */
class RedisErrorsTest {

    @Test
    void repliesThatPassByThemselvesAreRetried() {
        for (String reply : new String[] {"OOM command not allowed when used memory > 'maxmemory'.",
                "READONLY You can't write against a read only replica.", "CLUSTERDOWN The cluster is down",
                "TRYAGAIN Multiple keys request during rehashing of slot", "LOADING Redis is loading the dataset in memory",
                "BUSY Redis is busy running a script.", "MASTERDOWN Link with MASTER is down",
                "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk."}) {
            assertThat(RedisErrors.kind(new JedisDataException(reply))).as(reply).isEqualTo(RedisErrors.Kind.TRANSIENT);
        }
        assertThat(RedisErrors.kind(new JedisConnectionException("Connection refused"))).isEqualTo(RedisErrors.Kind.TRANSIENT);
    }

    @Test
    void repliesOnlyAPersonCanFixFailTheJobAtOnceWithTheFix() {
        JedisDataException badField = new JedisDataException(RedisErrors.BAD_FIELD + " field /x of hash page_views holds \"abc\"");
        assertThat(RedisErrors.kind(badField)).isEqualTo(RedisErrors.Kind.NEEDS_OPERATOR);
        assertThat(RedisErrors.advice(badField, "page_views", "redis://r:6379")).contains("HSET").contains("HDEL");

        JedisAccessControlException wrongPass = new JedisAccessControlException("WRONGPASS invalid username-password pair");
        assertThat(RedisErrors.kind(wrongPass)).isEqualTo(RedisErrors.Kind.NEEDS_OPERATOR);
        assertThat(RedisErrors.advice(wrongPass, "page_views", "redis://r:6379")).contains("--redis");

        for (String reply : new String[] {"NOAUTH Authentication required.", "WRONGTYPE Operation against a key holding the wrong kind of value",
                "ERR something new"}) {
            assertThat(RedisErrors.kind(new JedisDataException(reply))).as(reply).isEqualTo(RedisErrors.Kind.NEEDS_OPERATOR);
        }
    }
}
