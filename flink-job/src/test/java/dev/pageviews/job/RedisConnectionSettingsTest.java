package dev.pageviews.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.pageviews.job.redis.RedisSinkSettings;
import dev.pageviews.settings.RedisTls;
import dev.pageviews.settings.SentinelCredentials;
import dev.pageviews.settings.SettingsException;
import dev.pageviews.stack.TestCertificates;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The settings that say how the job reaches Redis beyond --redis: TLS stores and the sentinels' credentials. */
class RedisConnectionSettingsTest {

    private static TestCertificates certificates;

    @BeforeAll
    static void certificates() {
        certificates = TestCertificates.shared();
    }

    private static JobConfig parse(String... args) {
        return JobConfig.parse(args, Map.of());
    }

    private static String[] tls(String redis, String... extra) {
        List<String> args = new ArrayList<>(List.of("--redis", redis,
                "--redis-tls-truststore", certificates.truststore().toString(),
                "--redis-tls-truststore-password", certificates.password(),
                "--redis-tls-keystore", certificates.clientKeystore().toString(),
                "--redis-tls-keystore-password", certificates.password()));
        args.addAll(List.of(extra));
        return args.toArray(String[]::new);
    }

    @Test
    void tlsStoresAndSentinelCredentialsReachTheSinkWithTheirSecretsMasked() {
        JobConfig config = parse(tls("rediss-sentinel://app:data-secret@s1:26379,s2:26379#pv",
                "--redis-sentinel-user", "watcher", "--redis-sentinel-password", "sentinel-secret"));
        RedisTls tls = config.redisTls();
        assertThat(tls.truststore()).isEqualTo(certificates.truststore().toString());
        assertThat(tls.keystore()).isEqualTo(certificates.clientKeystore().toString());
        assertThat(tls.truststorePassword()).isEqualTo(certificates.password());
        assertThat(tls.verifyHostname()).isTrue();
        assertThat(config.redisSentinelCredentials()).isEqualTo(new SentinelCredentials("watcher", "sentinel-secret"));
        for (String shown : List.of(config.toString(), config.shown().toString(), tls.toString(),
                config.redisSentinelCredentials().toString(), new RedisSinkSettings(config.redis(), "k", Duration.ofDays(1),
                Duration.ofSeconds(1), 10, RedisSinkSettings.StaleCommits.FAIL, RedisSinkSettings.CommitRules.DEFAULTS, tls,
                config.redisSentinelCredentials()).toString())) {
            assertThat(shown).doesNotContain(certificates.password(), "data-secret", "sentinel-secret");
        }
        assertThat(config.shown()).containsEntry("redis", "rediss-sentinel://***@s1:26379,s2:26379#pv")
                .containsEntry("redis-tls-keystore-password", "***").containsEntry("redis-sentinel-password", "***");
        assertThat(JobConfig.parse(config.toArgs(), Map.of()).redisTls()).isEqualTo(tls);
    }

    @Test
    void withoutTheseSettingsTlsTrustsTheJvmsCasAndSentinelsWantNoPassword() {
        JobConfig config = parse("--redis", "rediss://h:6380");
        assertThat(config.redisTls()).isEqualTo(RedisTls.DEFAULTS);
        assertThat(config.redisSentinelCredentials()).isEqualTo(SentinelCredentials.NONE);
        assertThat(parse("--redis", "rediss://h:1", "--redis-tls-verify-hostname", "false").redisTls().verifyHostname()).isFalse();
    }

    @Test
    void tlsStoresWithoutATlsSchemeAreRefused() {
        String keystore = certificates.clientKeystore().toString();
        assertThatThrownBy(() -> parse("--redis", "redis-cluster://:s3cret@h:1", "--redis-tls-keystore", keystore))
                .hasMessage("--redis-tls-keystore (PAGEVIEWS_REDIS_TLS_KEYSTORE) is '" + keystore + "': is for TLS, but "
                        + "--redis (redis-cluster://h:1) is redis-cluster://; write rediss-cluster://... for TLS, or leave "
                        + "--redis-tls-keystore empty");
        assertThatThrownBy(() -> parse("--redis", "redis://h:1", "--redis-tls-truststore", certificates.truststore().toString()))
                .hasMessageStartingWith("--redis-tls-truststore (PAGEVIEWS_REDIS_TLS_TRUSTSTORE) is '");
    }

    @Test
    void aStoreThatIsNotThereIsRefusedNamingTheSetting() {
        assertThatThrownBy(() -> parse("--redis", "rediss://h:1", "--redis-tls-truststore", "/nonexistent/ca.p12"))
                .hasMessage("--redis-tls-truststore (PAGEVIEWS_REDIS_TLS_TRUSTSTORE): '/nonexistent/ca.p12' is not a "
                        + "readable file (there is none at that path)");
        assertThatThrownBy(() -> parse("--redis", "rediss://h:1", "--redis-tls-keystore", certificates.dir().toString()))
                .hasMessage("--redis-tls-keystore (PAGEVIEWS_REDIS_TLS_KEYSTORE): '" + certificates.dir() + "' is not a "
                        + "readable file");
    }

    @Test
    void aWrongPasswordIsRefusedWithoutShowingIt() {
        assertThatThrownBy(() -> parse(tls("rediss://h:1", "--redis-tls-keystore-password", "wrong-secret")))
                .hasMessage("--redis-tls-keystore-password (PAGEVIEWS_REDIS_TLS_KEYSTORE_PASSWORD) is '***': does not fit "
                        + "--redis-tls-keystore (" + certificates.clientKeystore() + "): it does not open the store")
                .hasMessageNotContaining("wrong-secret");
        assertThatThrownBy(() -> parse(tls("rediss://h:1", "--redis-tls-truststore-password", "wrong-secret")))
                .hasMessageStartingWith("--redis-tls-truststore-password (PAGEVIEWS_REDIS_TLS_TRUSTSTORE_PASSWORD) is '***': "
                        + "does not fit --redis-tls-truststore");
    }

    @Test
    void storesThatCannotServeTheirPurposeAreRefused() {
        assertThatThrownBy(() -> parse("--redis", "rediss://h:1", "--redis-tls-truststore", certificates.caCertificate().toString()))
                .as("a PEM file, not a keystore")
                .hasMessageStartingWith("--redis-tls-truststore (PAGEVIEWS_REDIS_TLS_TRUSTSTORE) is '"
                        + certificates.caCertificate() + "': it is not a PKCS12 or JKS keystore");
        assertThatThrownBy(() -> parse("--redis", "rediss://h:1", "--redis-tls-keystore", certificates.truststore().toString(),
                "--redis-tls-keystore-password", certificates.password()))
                .as("the truststore given as the keystore")
                .hasMessageEndingWith("': it holds no private key with its certificate (the client's)");
    }

    @Test
    void aPasswordWithoutItsStoreIsRefused() {
        assertThatThrownBy(() -> parse("--redis", "rediss://h:1", "--redis-tls-keystore-password", "x"))
                .hasMessage("--redis-tls-keystore-password (PAGEVIEWS_REDIS_TLS_KEYSTORE_PASSWORD) is '***': is given, but "
                        + "--redis-tls-keystore is empty");
    }

    @Test
    void sentinelCredentialsNeedASentinelUri() {
        assertThatThrownBy(() -> parse("--redis", "rediss://h:1", "--redis-sentinel-password", "s3cret"))
                .hasMessage("--redis-sentinel-password (PAGEVIEWS_REDIS_SENTINEL_PASSWORD) is '***': is for Sentinel, but "
                        + "--redis (rediss://h:1) is rediss://; write rediss-sentinel://host:port,...#masterName for "
                        + "Sentinel, or leave --redis-sentinel-password empty");
        assertThatThrownBy(() -> parse("--redis", "redis-sentinel://s1#pv", "--redis-sentinel-user", "watcher"))
                .hasMessage("--redis-sentinel-user (PAGEVIEWS_REDIS_SENTINEL_USER) is 'watcher': needs --redis-sentinel-password");
    }

    /**
     * What the job shows of --redis (its settings in the submit log line, the web UI's job parameters as Flink
     * writes them, the messages of checks across settings) never holds the password, whatever characters it has:
     * those of the URI ({@code @ : / # ? %}) and those of Flink's map syntax ({@code , :}).
     */
    @Test
    void aRedisPasswordWithAnyCharacterIsShownNowhere() {
        for (String password : List.of("p,w@d:x%y", ",@:%", "a@b,c", "x/y#z?w", "%zz,@")) {
            String encoded = URLEncoder.encode(password, StandardCharsets.UTF_8).replace("+", "%2B");
            for (String written : List.of(encoded, password)) {
                for (String form : List.of("redis://app:%s@h:1", "rediss-cluster://app:%s@a:1,b:2",
                        "redis-sentinel://app:%s@s1:26379,s2:26380#pv")) {
                    String redis = form.formatted(written);
                    List<String> shown = new ArrayList<>(List.of(JobConfig.REDIS.shown(redis)));
                    try {
                        JobConfig config = parse("--redis", redis);
                        if (written.equals(encoded)) {
                            assertThat(config.redis().password()).as(redis).isEqualTo(password);
                        }
                        Configuration flink = FlinkSettings.of(config);
                        shown.addAll(List.of(config.toString(), config.redis().toString(),
                                flink.get(PipelineOptions.GLOBAL_JOB_PARAMETERS).toString(),
                                flink.toMap().get(PipelineOptions.GLOBAL_JOB_PARAMETERS.key())));
                    } catch (SettingsException e) {
                        shown.add(e.getMessage()); // a raw % that starts no escape
                    }
                    for (String check : List.of("--redis-tls-truststore", "--redis-sentinel-password")) {
                        shown.add(catchThrowable(() -> parse("--redis", redis.replace("rediss", "redis").replace("sentinel", "cluster"),
                                check, certificates.truststore().toString())).getMessage());
                    }
                    for (String text : shown) {
                        String own = text.contains("; write redis://") ? text.substring(0, text.lastIndexOf("; write redis://")) : text;
                        assertThat(own).as(redis).doesNotContain(password).doesNotContain(encoded);
                    }
                }
            }
        }
    }

    @Test
    void aJksTruststoreIsToldByItsContent(@TempDir Path dir) throws Exception {
        KeyStore pkcs12 = KeyStore.getInstance(certificates.truststore().toFile(), certificates.password().toCharArray());
        KeyStore jks = KeyStore.getInstance("JKS");
        jks.load(null, null);
        jks.setCertificateEntry("ca", pkcs12.getCertificate("ca"));
        Path store = dir.resolve("truststore"); // no extension to go by
        try (OutputStream out = Files.newOutputStream(store)) {
            jks.store(out, "jks-secret".toCharArray());
        }
        assertThat(RedisTls.storeType(store)).isEqualTo("JKS");
        assertThat(RedisTls.storeType(certificates.truststore())).isEqualTo("PKCS12");
        JobConfig config = parse("--redis", "rediss://h:1", "--redis-tls-truststore", store.toString(),
                "--redis-tls-truststore-password", "jks-secret");
        assertThat(config.redisTls().truststore()).isEqualTo(store.toString());
        try (InputStream in = Files.newInputStream(store)) {
            assertThat(in.readNBytes(4)).containsExactly(0xFE, 0xED, 0xFE, 0xED);
        }
    }
}
