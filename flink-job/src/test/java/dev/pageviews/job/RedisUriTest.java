package dev.pageviews.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pageviews.job.RedisUri.Endpoint;
import dev.pageviews.job.RedisUri.Topology;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RedisUriTest {

    @Test
    void oneServerPlainOrTls() {
        RedisUri plain = RedisUri.parse("redis://cache.internal:6380/2");
        assertThat(plain.topology()).isEqualTo(Topology.STANDALONE);
        assertThat(plain.tls()).isFalse();
        assertThat(plain.endpoints()).containsExactly(new Endpoint("cache.internal", 6380));
        assertThat(plain.database()).isEqualTo(2);
        assertThat(plain.user()).isNull();
        assertThat(plain.password()).isNull();

        RedisUri tls = RedisUri.parse("rediss://:s3cret@cache.internal");
        assertThat(tls.tls()).isTrue();
        assertThat(tls.endpoints()).containsExactly(new Endpoint("cache.internal", 6379));
        assertThat(tls.user()).isNull();
        assertThat(tls.password()).isEqualTo("s3cret");
        assertThat(tls).hasToString("rediss://cache.internal:6379");
        assertThat(RedisUri.parse("redis://[::1]:7000").endpoints()).containsExactly(new Endpoint("::1", 7000));
    }

    @Test
    void clusterPlainOrTls() {
        RedisUri cluster = RedisUri.parse("rediss-cluster://app:pw@r1:7000,r2:7001,r3");
        assertThat(cluster.topology()).isEqualTo(Topology.CLUSTER);
        assertThat(cluster.cluster()).isTrue();
        assertThat(cluster.tls()).isTrue();
        assertThat(cluster.endpoints()).containsExactly(new Endpoint("r1", 7000), new Endpoint("r2", 7001), new Endpoint("r3", 6379));
        assertThat(cluster.user()).isEqualTo("app");
        assertThat(cluster).hasToString("rediss-cluster://r1:7000,r2:7001,r3:6379");
        assertThat(RedisUri.parse("redis-cluster://r1:7000").tls()).isFalse();
    }

    @Test
    void sentinelAsLettuceWritesIt() {
        RedisUri sentinel = RedisUri.parse("redis-sentinel://app:pw@s1,s2:26380,10.0.0.3:5000/3#mymaster");
        assertThat(sentinel.topology()).isEqualTo(Topology.SENTINEL);
        assertThat(sentinel.sentinel()).isTrue();
        assertThat(sentinel.tls()).isFalse();
        assertThat(sentinel.endpoints()).containsExactly(new Endpoint("s1", 26379), new Endpoint("s2", 26380),
                new Endpoint("10.0.0.3", 5000));
        assertThat(sentinel.masterName()).isEqualTo("mymaster");
        assertThat(sentinel.database()).isEqualTo(3);
        assertThat(sentinel.user()).isEqualTo("app");
        assertThat(sentinel.password()).isEqualTo("pw");
        assertThat(sentinel).hasToString("redis-sentinel://s1:26379,s2:26380,10.0.0.3:5000/3#mymaster");
        assertThat(RedisUri.parse("rediss-sentinel://s1#pv").tls()).isTrue();
        assertThat(RedisUri.parse("rediss-sentinel://s1#pv").scheme()).isEqualTo("rediss-sentinel");
    }

    @Test
    void credentialsArePercentDecodedSoAPasswordMayHoldAnyCharacter() {
        RedisUri uri = RedisUri.parse("redis-sentinel://us%3Aer:p%40ss%2Cw%3Ao%25r%2Fd%23x+y@s1:26379#pv");
        assertThat(uri.user()).isEqualTo("us:er");
        assertThat(uri.password()).isEqualTo("p@ss,w:o%r/d#x+y"); // + stays +: a URI's, not a form's, encoding
        assertThat(RedisUri.parse("redis://:%C3%BCber@h:1").password()).isEqualTo("über");
        // written raw, @ and / in a password still work: the credentials end at the last @
        assertThat(RedisUri.parse("redis://:pa@ss/word@h:1").password()).isEqualTo("pa@ss/word");
    }

    @Test
    void errorsNameTheProblemAndNeverThePassword() {
        Map<String, String> bad = Map.of(
                "redis://:s3cret%zz@h:1", "the password has a '%' not followed by two hex digits (character 7); write a % in it as %25",
                "redis://:s3cret%@h:1", "the password has a '%' not followed by two hex digits",
                "redis://:s3cret%ff@h:1", "the password is not UTF-8 once percent-decoded",
                "redis-sentinel://:s3cret@s1:26379", "a Sentinel URI needs the primary's name after '#', e.g. redis-sentinel://s1:26379#mymaster",
                "rediss://:s3cret@h:1#pv", "'#pv' names a Sentinel primary, but the scheme is rediss; write rediss-sentinel://... for Sentinel",
                "redis-cluster://:s3cret@h:1/2", "Redis Cluster has database 0 only, not 2",
                "redis://:s3cret@h1:1,h2:2", "several hosts need the redis-cluster:// or redis-sentinel:// scheme",
                "memcached://:s3cret@h:1", "unknown scheme 'memcached'",
                "redis://:s3cret@h:1/x", "database 'x' is not a number",
                "redis://:s3cret@h:port", "'h:port' is not host:port");
        bad.forEach((text, message) -> assertThatThrownBy(() -> RedisUri.parse(text)).as(text)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(message)
                .hasMessageContaining("percent-encoded")
                .hasMessageNotContaining("s3cret"));
        assertThatThrownBy(() -> RedisUri.parse("h:s3cret@host")).hasMessageStartingWith("'***@host' has no scheme");
    }

    @Test
    void credentialsAreMaskedForLogs() {
        for (String text : List.of("redis://:s3cret@h:1", "rediss-sentinel://user:s3cret@s1,s2#pv", "redis://:s3@cr,et@h:1",
                "redis-cluster://u:s3cret@a:1,b:2")) {
            assertThat(RedisUri.withoutCredentials(text)).as(text).doesNotContain("s3").contains("***@");
        }
        assertThat(RedisUri.withoutCredentials("redis-sentinel://u:pw@s1,s2#pv")).isEqualTo("redis-sentinel://***@s1,s2#pv");
        assertThat(RedisUri.withoutCredentials("redis://h:1")).isEqualTo("redis://h:1");
    }
}
