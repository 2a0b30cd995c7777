package dev.pageviews.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

class LocalStackIT {

    @Test
    void startsRealKafkaAndRedisAndStopsThem() {
        Path dir = LocalStackExtension.newWorkDir();
        long kafkaPid;
        try (LocalStack stack = LocalStack.startForTests(dir)) {
            assertThat(stack.kafka().topics()).contains(LocalStack.VIEWS_TOPIC, LocalStack.DLQ_TOPIC);
            try (Jedis jedis = stack.redis().client()) {
                assertThat(jedis.hincrBy("h", "k", 3)).isEqualTo(3);
            }
            assertThat(stack.kafka().isRunning()).isTrue();
            assertThat(stack.redis().isRunning()).isTrue();
            kafkaPid = Long.parseLong(readPid(dir.resolve("kafka/kafka.pid")));
        }
        assertThat(ProcessHandle.of(kafkaPid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    }

    @Test
    void keepsKafkaTopicsAndRedisDataAcrossRestartsOnTheSameDir() throws Exception {
        Path dir = LocalStackExtension.newWorkDir();
        try (RedisServer redis = RedisServer.start(dir.resolve("redis"), 0, RedisServer.Persistence.APPEND_ONLY)) {
            try (Jedis jedis = redis.client()) {
                jedis.hincrBy("page_views", "/home", 1);
            }
            redis.kill();
            redis.restart();
            try (Jedis jedis = redis.client()) {
                assertThat(jedis.hget("page_views", "/home")).isEqualTo("1");
            }
        }
        try (KafkaBroker kafka = KafkaBroker.start(dir.resolve("kafka"), 0)) {
            kafka.createTopic("kept", 2);
            kafka.kill();
            kafka.restart();
            assertThat(kafka.topics()).contains("kept");
        }
    }

    @Test
    void namesTheMissingRedisBinaryAndHowToInstallIt() {
        assertThatThrownBy(() -> RedisServer.executable(java.util.Map.of("PATH", "/nonexistent"), java.util.List.of()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("redis-server not found on PATH: apt-get install redis-server (or set REDIS_SERVER to its path)");
    }

    private static String readPid(Path file) {
        try {
            return java.nio.file.Files.readString(file).trim();
        } catch (java.io.IOException e) {
            return "-1";
        }
    }
}
