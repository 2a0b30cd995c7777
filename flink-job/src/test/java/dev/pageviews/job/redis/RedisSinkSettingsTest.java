package dev.pageviews.job.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pageviews.settings.RedisUri;
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
        RedisCommittable committable = new RedisCommittable("c-1", 1_764_000_000_000L, increments, "job-abc", 41);
        assertThat(serializer.deserialize(serializer.getVersion(), serializer.serialize(committable))).isEqualTo(committable);
        java.util.List<String> users = new java.util.ArrayList<>();
        for (int i = 0; i < 3_000; i++) {
            users.add("user-" + i + "-ü");
        }
        RedisCommittable readSide = new RedisCommittable("c-2", 1_764_000_000_000L, increments, "job-abc", 42, 1_764_000_000_500L,
                java.util.List.of(new RedisCommittable.MinuteViews("/home", 1_764_000_000L, 3),
                        new RedisCommittable.MinuteViews("/ü?q=1&x=\"y\"", 1_764_000_060L, 1)),
                java.util.List.of(new RedisCommittable.FirstVisits("/home", "2025-11-24", users),
                        new RedisCommittable.FirstVisits(null, "2025-11-24", java.util.List.of("u1"))));
        assertThat(serializer.deserialize(serializer.getVersion(), serializer.serialize(readSide))).isEqualTo(readSide);
        assertThatThrownBy(() -> serializer.deserialize(99, serializer.serialize(committable)))
                .hasMessageStartingWith("Redis committable version 99 is unknown to this build");
    }

    @Test
    void readsCommittablesOfCheckpointsWrittenBeforeTheCreationTimeWasRecorded() throws Exception {
        // version 1: id, number of increments, then (field length, field bytes, count) each
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.io.DataOutputStream out = new java.io.DataOutputStream(bytes)) {
            out.writeUTF("old-1");
            out.writeInt(1);
            out.writeInt(5);
            out.write("/home".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            out.writeLong(7);
        }
        RedisCommittable old = new RedisCommittableSerializer().deserialize(1, bytes.toByteArray());
        assertThat(old).isEqualTo(new RedisCommittable("old-1", RedisCommittable.UNKNOWN_CREATION_TIME, java.util.Map.of("/home", 7L)));
    }

    @Test
    void readsCommittablesOfCheckpointsWrittenBeforeTheLineageWasRecorded() throws Exception {
        // version 2: id, creation time, number of increments, then (field length, field bytes, count) each
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.io.DataOutputStream out = new java.io.DataOutputStream(bytes)) {
            out.writeUTF("old-2");
            out.writeLong(1_764_000_000_000L);
            out.writeInt(1);
            out.writeInt(5);
            out.write("/home".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            out.writeLong(7);
        }
        RedisCommittable old = new RedisCommittableSerializer().deserialize(2, bytes.toByteArray());
        assertThat(old).isEqualTo(new RedisCommittable("old-2", 1_764_000_000_000L, java.util.Map.of("/home", 7L)));
        assertThat(old.lineage()).isEqualTo(RedisCommittable.UNKNOWN_LINEAGE);
    }

    @Test
    void aCommittableCountsAsStaleAMarginBeforeItsMarkerCouldExpire() {
        assertThat(settings("k").staleAfter()).isEqualTo(Duration.ofDays(7).minusHours(1));
        RedisSinkSettings shortLived = new RedisSinkSettings(RedisUri.parse("redis://h:1"), "k", Duration.ofSeconds(10), Duration.ofSeconds(1), 10);
        assertThat(shortLived.staleAfter()).isEqualTo(Duration.ofSeconds(9));
    }
}
