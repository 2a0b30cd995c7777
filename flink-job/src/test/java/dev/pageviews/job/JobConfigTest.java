package dev.pageviews.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pageviews.job.archive.ArchiveFormat;
import dev.pageviews.job.source.LostOffsets;
import dev.pageviews.settings.RedisUri;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JobConfigTest {

    @Test
    void hasDocumentedDefaults() {
        JobConfig config = JobConfig.parse(new String[0], Map.of());
        assertThat(config.kafkaBootstrap()).isEqualTo("localhost:9092");
        assertThat(config.topic()).isEqualTo("views");
        assertThat(config.dlqTopic()).isEqualTo("views-dlq");
        assertThat(config.redisKey()).isEqualTo("page_views");
        assertThat(config.window()).isEqualTo(Duration.ofSeconds(1));
        assertThat(config.delivery()).isEqualTo(JobConfig.Delivery.EXACTLY_ONCE);
        assertThat(config.redis().toString()).isEqualTo("redis://localhost:6379");
        assertThat(config.kafkaFetchMinSize()).isEqualTo(64 * 1024);
        assertThat(config.kafkaFetchMaxWait()).isEqualTo(Duration.ofMillis(200));
    }

    @Test
    void flagsWinOverEnvironmentOverDefaults() {
        JobConfig config = JobConfig.parse(new String[] {"--window=5s", "--topic", "t1"},
                Map.of("PAGEVIEWS_TOPIC", "t0", "PAGEVIEWS_GROUP_ID", "g", "PAGEVIEWS_WINDOW", "2s"));
        assertThat(config.topic()).isEqualTo("t1");
        assertThat(config.groupId()).isEqualTo("g");
        assertThat(config.window()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void takesDurationsInFlinksSyntax() {
        JobConfig config = JobConfig.parse(new String[] {"--window", "30 s", "--checkpoint-interval", "10min",
                "--dedup-window", "2 days", "--watermark-interval", "250ms"}, Map.of());
        assertThat(config.window()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.checkpointInterval()).isEqualTo(Duration.ofMinutes(10));
        assertThat(config.dedupWindow()).isEqualTo(Duration.ofDays(2));
        assertThat(config.watermarkInterval()).isEqualTo(Duration.ofMillis(250));
    }

    @Test
    void copiesAreCheckedAsFlagsAre() {
        JobConfig config = JobConfig.parse(new String[] {"--archive-format", "parquet"}, Map.of());
        assertThat(config.with(JobConfig.PARALLELISM, 3).parallelism()).isEqualTo(3);
        assertThat(config.with(JobConfig.DEDUP_WINDOW, Duration.ofHours(12)).dedupWindow()).isEqualTo(Duration.ofHours(12));
        assertThat(config.parallelism()).isZero();
        assertThatThrownBy(() -> config.with(JobConfig.ARCHIVE_JSON_GZIP, true))
                .hasMessageStartingWith("--archive-json-gzip (PAGEVIEWS_ARCHIVE_JSON_GZIP) is 'true': gzips JSON part files");
        assertThatThrownBy(() -> config.with(JobConfig.PARALLELISM, -1)).hasMessageContaining("--parallelism");
    }

    @Test
    void namesTheBadFlagAndTheFix() {
        assertThatThrownBy(() -> JobConfig.parse(new String[] {"--windw", "1s"}, Map.of()))
                .hasMessage("unknown setting --windw; did you mean --window?; --help lists them all");
        assertThatThrownBy(() -> JobConfig.parse(new String[] {"--window", "one second"}, Map.of()))
                .hasMessage("--window (PAGEVIEWS_WINDOW): 'one second' is not a duration; write e.g. 500ms, 2s, 10min, 1h or 7d");
        assertThatThrownBy(() -> JobConfig.parse(new String[] {"--window", "1 fortnight"}, Map.of()))
                .hasMessageContaining("'1 fortnight' is not a duration");
        assertThatThrownBy(() -> JobConfig.parse(new String[] {"--delivery", "twice"}, Map.of()))
                .hasMessage("--delivery (PAGEVIEWS_DELIVERY): 'twice' is not one of exactly-once, at-least-once");
        assertThatThrownBy(() -> JobConfig.parse(new String[] {"--redis", "localhost:6379"}, Map.of()))
                .hasMessageStartingWith("--redis (PAGEVIEWS_REDIS): 'localhost:6379' has no scheme");
        assertThatThrownBy(() -> JobConfig.parse(new String[] {"--topic"}, Map.of()))
                .hasMessage("--topic needs a value, e.g. --topic views");
    }

    @Test
    void maxFutureSkewDefaultsToFiveMinutesAndMustBePositive() {
        assertThat(JobConfig.parse(new String[0], Map.of()).maxFutureSkew()).isEqualTo(Duration.ofMinutes(5));
        assertThat(JobConfig.parse(new String[0], Map.of("PAGEVIEWS_MAX_FUTURE_SKEW", "90s")).maxFutureSkew())
                .isEqualTo(Duration.ofSeconds(90));
        assertThatThrownBy(() -> JobConfig.parse(new String[] {"--max-future-skew", "0s"}, Map.of()))
                .hasMessage("--max-future-skew (PAGEVIEWS_MAX_FUTURE_SKEW): '0s' must be longer than 0");
        assertThatThrownBy(() -> JobConfig.parse(new String[] {"--max-future-skew=-5m"}, Map.of()))
                .hasMessage("--max-future-skew (PAGEVIEWS_MAX_FUTURE_SKEW): '-5m' is negative; write e.g. 500ms, 2s, 10min, 1h or 7d");
    }

    @Test
    void lostKafkaOffsetsFailUnlessTheOperatorChoosesAnEnd() {
        assertThat(JobConfig.parse(new String[0], Map.of()).lostOffsets()).isEqualTo(LostOffsets.FAIL);
        assertThat(JobConfig.parse(new String[] {"--kafka-lost-offsets", "earliest"}, Map.of()).lostOffsets())
                .isEqualTo(LostOffsets.EARLIEST);
        assertThat(JobConfig.parse(new String[0], Map.of("PAGEVIEWS_KAFKA_LOST_OFFSETS", "latest")).lostOffsets())
                .isEqualTo(LostOffsets.LATEST);
        assertThat(JobConfig.KAFKA_LOST_OFFSETS.flag()).as("the flag the failure messages name").isEqualTo(LostOffsets.FLAG);
        assertThatThrownBy(() -> JobConfig.parse(new String[] {"--kafka-lost-offsets", "skip"}, Map.of()))
                .hasMessage("--kafka-lost-offsets (PAGEVIEWS_KAFKA_LOST_OFFSETS): 'skip' is not one of fail, earliest, latest");
    }

    @Test
    void dedupWindowDefaultsToADayMayBeOffAndIsBounded() {
        assertThat(JobConfig.parse(new String[0], Map.of()).dedupWindow()).isEqualTo(Duration.ofHours(24));
        assertThat(JobConfig.parse(new String[] {"--dedup-window", "0"}, Map.of()).dedupWindow()).isZero();
        assertThat(JobConfig.parse(new String[] {"--dedup-window", "3650d"}, Map.of()).dedupWindow()).isEqualTo(Duration.ofDays(3650));
        assertThatThrownBy(() -> JobConfig.parse(new String[] {"--dedup-window", "3651d"}, Map.of()))
                .hasMessage("--dedup-window (PAGEVIEWS_DEDUP_WINDOW): '3651d' is longer than the most allowed, 3650d");
        assertThatThrownBy(() -> JobConfig.parse(new String[] {"--dedup-window", "-1h"}, Map.of()))
                .hasMessage("--dedup-window (PAGEVIEWS_DEDUP_WINDOW): '-1h' is negative; write e.g. 500ms, 2s, 10min, 1h or 7d");
    }

    @Test
    void parsesRedisClusterAndCredentialsWithoutLoggingThePassword() {
        JobConfig config = JobConfig.parse(new String[] {"--redis", "redis-cluster://app:s3cret@r1:7000,r2:7001"}, Map.of());
        RedisUri redis = config.redis();
        assertThat(redis.cluster()).isTrue();
        assertThat(redis.endpoints()).containsExactly(new RedisUri.Endpoint("r1", 7000), new RedisUri.Endpoint("r2", 7001));
        assertThat(redis.user()).isEqualTo("app");
        assertThat(redis.password()).isEqualTo("s3cret");
        assertThat(config.toString()).doesNotContain("s3cret");
    }

    @Test
    void roundTripsThroughArgs() {
        JobConfig config = JobConfig.parse(new String[] {"--parallelism", "4", "--archive-format", "json,parquet"}, Map.of());
        assertThat(JobConfig.parse(config.toArgs(), Map.of()).toArgs()).containsExactly(config.toArgs());
        assertThat(config.archiveFormats()).containsExactly(ArchiveFormat.JSON, ArchiveFormat.PARQUET);
    }

    @Test
    void archivePathIsOffWithNoneOrUnsetAndMustHaveAScheme() {
        assertThat(JobConfig.parse(new String[0], Map.of()).archivePath()).isEmpty();
        assertThat(JobConfig.parse(new String[0], Map.of("PAGEVIEWS_ARCHIVE_PATH", "")).archivePath()).isEmpty();
        assertThat(JobConfig.parse(new String[] {"--archive-path", "none"}, Map.of()).archivePath()).isEmpty();
        assertThat(JobConfig.parse(new String[] {"--archive-path", "s3://b/p"}, Map.of()).archivePath()).isEqualTo("s3://b/p");
        assertThatThrownBy(() -> JobConfig.parse(new String[] {"--archive-path", "/data/archive"}, Map.of()))
                .hasMessage("--archive-path (PAGEVIEWS_ARCHIVE_PATH): '/data/archive' is not a path with a scheme; write "
                        + "s3://bucket/prefix or file:///dir, or none for no archive");
    }

    @Test
    void takesSizesInFlinksMemorySyntax() {
        assertThat(JobConfig.parse(new String[0], Map.of()).archiveMaxPartSizeBytes()).isEqualTo(128L << 20);
        assertThat(JobConfig.parse(new String[] {"--archive-max-part-size", "64 kb"}, Map.of()).archiveMaxPartSizeBytes())
                .isEqualTo(64L << 10);
        assertThatThrownBy(() -> JobConfig.parse(new String[] {"--archive-max-part-size", "12 parsecs"}, Map.of()))
                .hasMessage("--archive-max-part-size (PAGEVIEWS_ARCHIVE_MAX_PART_SIZE): '12 parsecs' is not a size; "
                        + "write e.g. 1048576, 64kb, 1mb or 2gb");
    }

    @Test
    void settingsThatContradictEachOtherAreRefused() {
        assertThatThrownBy(() -> JobConfig.parse(new String[] {"--archive-json-gzip", "--archive-format", "parquet"}, Map.of()))
                .hasMessageStartingWith("--archive-json-gzip (PAGEVIEWS_ARCHIVE_JSON_GZIP) is 'true': gzips JSON part files, "
                        + "but --archive-format is parquet");
        assertThat(JobConfig.parse(new String[] {"--archive-json-gzip", "--archive-format", "parquet,json"}, Map.of())
                .archiveJsonGzip()).isTrue();
    }

    @Test
    void helpIsAskedWithEitherSpellingAnywhere() {
        assertThat(JobConfig.asksForHelp(new String[] {"--topic", "t", "-h"})).isTrue();
        assertThat(JobConfig.asksForHelp(new String[] {"--help"})).isTrue();
        assertThat(JobConfig.asksForHelp(new String[] {"--topic", "help"})).isFalse();
        assertThat(JobConfig.help()).contains("--window <duration>", "PAGEVIEWS_WINDOW, default: 1s",
                "--archive-format json|parquet,...", "--help, -h");
    }
}
