package dev.pageviews.read.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The job's --redis forms, read without the job. */
class RedisAddressTest {

    @Test
    void theJobsForms() {
        RedisAddress one = RedisAddress.parse("rediss://user:p%3Ass%25@redis.example:6380/3");
        assertThat(one.topology()).isEqualTo(RedisAddress.Topology.STANDALONE);
        assertThat(one.tls()).isTrue();
        assertThat(one.user()).isEqualTo("user");
        assertThat(one.password()).isEqualTo("p:ss%");
        assertThat(one.database()).isEqualTo(3);
        assertThat(one.toString()).isEqualTo("rediss://redis.example:6380/3");
        RedisAddress cluster = RedisAddress.parse("redis-cluster://a:7000,[::1]:7001,b");
        assertThat(cluster.hosts()).containsExactly(new RedisAddress.HostPort("a", 7000), new RedisAddress.HostPort("::1", 7001),
                new RedisAddress.HostPort("b", 6379));
        RedisAddress sentinel = RedisAddress.parse("redis-sentinel://:pw@s1,s2:26380/1#main");
        assertThat(sentinel.hosts()).containsExactly(new RedisAddress.HostPort("s1", 26379), new RedisAddress.HostPort("s2", 26380));
        assertThat(sentinel.primaryName()).isEqualTo("main");
        assertThat(sentinel.user()).isNull();
        assertThat(sentinel.password()).isEqualTo("pw");
        assertThat(RedisAddress.parse("redis://:p@ss@h:1").password()).isEqualTo("p@ss");
    }

    @Test
    void mistakesAreNamedWithoutThePassword() {
        for (String bad : List.of("localhost:6379", "mysql://h", "redis://a,b", "redis-cluster://h/2", "redis-sentinel://h",
                "redis://h:99999", "redis://h/x", "redis://u:p%zz@h")) {
            assertThatThrownBy(() -> RedisAddress.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("write redis://").satisfies(e -> assertThat(e.getMessage()).doesNotContain("p%zz"));
        }
        assertThat(RedisAddress.withoutCredentials("redis://u:secret@h:1")).isEqualTo("redis://***@h:1");
    }
}
