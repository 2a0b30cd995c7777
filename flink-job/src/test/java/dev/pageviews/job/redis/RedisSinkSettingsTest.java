package dev.pageviews.job.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pageviews.job.RedisUri;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.util.JedisClusterCRC16;

class RedisSinkSettingsTest {

    private static RedisSinkSettings settings(String key) {
        return new RedisSinkSettings(RedisUri.parse("redis://localhost:6379"), key, Duration.ofDays(7), Duration.ofSeconds(5), 2000);
    }

    @Test
    void commitMarkersLiveInTheHashKeysSlotAsRedisClusterRequires() {
        for (String key : new String[] {"page_views", "{app}:page_views", "views:{tenant-7}"}) {
            String marker = settings(key).markerKey("0b7e-1");
            assertThat(JedisClusterCRC16.getSlot(marker)).as(marker).isEqualTo(JedisClusterCRC16.getSlot(key));
        }
        assertThat(settings("page_views").markerKey("id")).isEqualTo("{page_views}:commit:id");
        assertThat(settings("{app}:page_views").markerKey("id")).isEqualTo("{app}:page_views:commit:id");
    }

    @Test
    void refusesSettingsThatCannotWork() {
        assertThatThrownBy(() -> settings("")).hasMessage("the Redis hash key must not be empty");
        assertThatThrownBy(() -> new RedisSinkSettings(RedisUri.parse("redis://h:1"), "k", Duration.ofMillis(10), Duration.ofSeconds(1), 10))
                .hasMessageStartingWith("the commit marker TTL must be at least 1 s");
    }

    @Test
    void committablesSurviveTheirCheckpointFormat() throws Exception {
        RedisCommittableSerializer serializer = new RedisCommittableSerializer();
        java.util.Map<String, Long> increments = new java.util.LinkedHashMap<>();
        increments.put("/home", 3L);
        increments.put("/ü?q=1&x=\"y\"", 1L);
        RedisCommittable committable = new RedisCommittable("c-1", increments);
        assertThat(serializer.deserialize(serializer.getVersion(), serializer.serialize(committable))).isEqualTo(committable);
        assertThatThrownBy(() -> serializer.deserialize(99, serializer.serialize(committable)))
                .hasMessageStartingWith("Redis committable version 99 is unknown to this build");
    }
}
