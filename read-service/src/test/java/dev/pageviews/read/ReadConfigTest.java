package dev.pageviews.read;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pageviews.settings.RedisTls;
import dev.pageviews.settings.SentinelCredentials;
import dev.pageviews.settings.SettingsException;
import dev.pageviews.stack.TestCertificates;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReadConfigTest {

    @Test
    void defaults() {
        ReadConfig config = ReadConfig.parse(new String[0], Map.of());
        assertThat(config.port()).isEqualTo(8090);
        assertThat(config.host()).isEqualTo("127.0.0.1");
        assertThat(config.redisKey()).isEqualTo("page_views");
        assertThat(config.siteId()).isEqualTo("localhost");
        assertThat(config.apiToken()).isEmpty();
        assertThat(config.maxRange()).isEqualTo(Duration.ofDays(732));
        assertThat(config.redis().toString()).isEqualTo("redis://localhost:6379");
    }

    @Test
    void beyondLoopbackATokenIsRequiredAndTheErrorNamesIt() {
        assertThatThrownBy(() -> ReadConfig.parse(new String[] {"--host", "0.0.0.0"}, Map.of()))
                .isInstanceOf(SettingsException.class)
                .hasMessageContaining("--host (PAGEVIEWS_HOST) is '0.0.0.0'")
                .hasMessageContaining("--api-token (PAGEVIEWS_API_TOKEN)");
        assertThatThrownBy(() -> ReadConfig.parse(new String[] {"--host", "stats.example"}, Map.of()))
                .isInstanceOf(SettingsException.class);
        assertThat(ReadConfig.parse(new String[] {"--host", "0.0.0.0"}, Map.of("PAGEVIEWS_API_TOKEN", "t")).apiToken()).isEqualTo("t");
        for (String loopback : new String[] {"localhost", "127.0.0.1", "127.1.2.3", "::1", "[::1]"}) {
            assertThat(ReadConfig.parse(new String[] {"--host", loopback}, Map.of()).host()).isEqualTo(loopback);
        }
    }

    @Test
    void copiesAreCheckedAsFlagsAre() {
        ReadConfig config = ReadConfig.parse(new String[0], Map.of());
        assertThat(config.with(ReadConfig.PORT, 9000).port()).isEqualTo(9000);
        assertThat(config.with(ReadConfig.PORT, 9000).get(ReadConfig.PORT)).isEqualTo(9000);
        assertThat(config.port()).isEqualTo(8090);
        assertThatThrownBy(() -> config.with(ReadConfig.HOST, "0.0.0.0"))
                .isInstanceOf(SettingsException.class)
                .hasMessageContaining("--api-token (PAGEVIEWS_API_TOKEN)");
    }

    @Test
    void secretsAreMaskedAndBadValuesNamed() {
        ReadConfig config = ReadConfig.parse(new String[] {"--redis", "redis://reader:pw%40x@db:6380/2", "--api-token", "s3cr3t"},
                Map.of());
        assertThat(config.toString()).doesNotContain("pw").doesNotContain("s3cr3t");
        assertThat(config.redis().password()).isEqualTo("pw@x");
        for (String redis : new String[] {"rediss-cluster://reader:s3,cr@t:100%25@a:1,b:2",
            "rediss-sentinel://reader:s3%2Ccr%40t%3A100%25@s1,s2#pv", "rediss://reader:s3,cr@t:100%25@db:6380"}) {
            ReadConfig read = ReadConfig.parse(new String[] {"--redis", redis}, Map.of());
            assertThat(read.redis().password()).as(redis).isEqualTo("s3,cr@t:100%");
            assertThat(read.toString() + read.redis()).as(redis).doesNotContain("cr@t").doesNotContain("cr%40t").contains("***@");
        }
        assertThatThrownBy(() -> ReadConfig.parse(new String[] {"--redis", "http://db"}, Map.of()))
                .hasMessageStartingWith("--redis (PAGEVIEWS_REDIS): unknown scheme 'http'");
        assertThatThrownBy(() -> ReadConfig.parse(new String[] {"--max-range", "0"}, Map.of()))
                .hasMessageStartingWith("--max-range (PAGEVIEWS_MAX_RANGE)");
    }

    @Test
    void tlsStoresAreTheJobsSettingsCheckedAndTheirPasswordsMasked() {
        TestCertificates certificates = TestCertificates.shared();
        String truststore = certificates.truststore().toString();
        String keystore = certificates.clientKeystore().toString();
        ReadConfig config = ReadConfig.parse(new String[] {"--redis", "rediss-cluster://stats:pw@a:1,b:2",
            "--redis-tls-truststore", truststore, "--redis-tls-keystore", keystore}, Map.of(
                "PAGEVIEWS_REDIS_TLS_TRUSTSTORE_PASSWORD", certificates.password(),
                "PAGEVIEWS_REDIS_TLS_KEYSTORE_PASSWORD", certificates.password(),
                "PAGEVIEWS_REDIS_TLS_VERIFY_HOSTNAME", "false"));
        assertThat(config.redisTls()).isEqualTo(new RedisTls(truststore, certificates.password(), keystore,
                certificates.password(), false));
        assertThat(config.toString()).contains("redis-tls-truststore-password=***", "redis-tls-keystore-password=***",
                truststore).doesNotContain(certificates.password());
        assertThat(ReadConfig.parse(new String[0], Map.of()).redisTls()).isEqualTo(RedisTls.DEFAULTS);

        assertThatThrownBy(() -> ReadConfig.parse(new String[] {"--redis", "redis://h:1", "--redis-tls-truststore",
            truststore}, Map.of()))
                .hasMessageStartingWith("--redis-tls-truststore (PAGEVIEWS_REDIS_TLS_TRUSTSTORE) is '" + truststore
                        + "': is for TLS, but --redis (redis://h:1) is redis://; write rediss://... for TLS");
        assertThatThrownBy(() -> ReadConfig.parse(new String[] {"--redis", "rediss://h:1", "--redis-tls-keystore", keystore,
            "--redis-tls-keystore-password", "wrong-secret"}, Map.of()))
                .hasMessage("--redis-tls-keystore-password (PAGEVIEWS_REDIS_TLS_KEYSTORE_PASSWORD) is '***': does not fit "
                        + "--redis-tls-keystore (" + keystore + "): it does not open the store");
        assertThatThrownBy(() -> ReadConfig.parse(new String[] {"--redis", "rediss://h:1", "--redis-tls-truststore",
            "/nonexistent/ca.p12"}, Map.of()))
                .hasMessageStartingWith("--redis-tls-truststore (PAGEVIEWS_REDIS_TLS_TRUSTSTORE): '/nonexistent/ca.p12' is "
                        + "not a readable file");
    }

    @Test
    void sentinelCredentialsAreTheJobsSettingsCheckedAndTheirPasswordMasked() {
        ReadConfig config = ReadConfig.parse(new String[] {"--redis", "redis-sentinel://stats:pw@s1:26379,s2:26379#main",
            "--redis-sentinel-user", "watcher"}, Map.of("PAGEVIEWS_REDIS_SENTINEL_PASSWORD", "sentinel,secret@"));
        assertThat(config.redisSentinel()).isEqualTo(new SentinelCredentials("watcher", "sentinel,secret@"));
        assertThat(config.toString()).contains("redis-sentinel-password=***").doesNotContain("sentinel,secret@");
        assertThat(ReadConfig.parse(new String[0], Map.of()).redisSentinel()).isEqualTo(SentinelCredentials.NONE);

        assertThatThrownBy(() -> ReadConfig.parse(new String[] {"--redis", "redis://h:1", "--redis-sentinel-password",
            "x"}, Map.of()))
                .hasMessageContaining("--redis-sentinel-password (PAGEVIEWS_REDIS_SENTINEL_PASSWORD)")
                .hasMessageContaining("is for Sentinel, but --redis (redis://h:1) is redis://; write redis-sentinel://")
                .hasMessageNotContaining("'x'");
        assertThatThrownBy(() -> ReadConfig.parse(new String[] {"--redis", "redis-sentinel://s1:26379#main",
            "--redis-sentinel-user", "watcher"}, Map.of()))
                .hasMessageContaining("--redis-sentinel-user (PAGEVIEWS_REDIS_SENTINEL_USER)")
                .hasMessageEndingWith("needs --redis-sentinel-password");
    }
}
