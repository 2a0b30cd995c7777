package dev.pageviews.read;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pageviews.read.store.LayoutFixture;
import dev.pageviews.stack.LocalStackExtension;
import dev.pageviews.stack.RedisServer;
import dev.pageviews.stack.TestCertificates;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

/**
 * The read service against a {@code redis-server} that speaks only TLS with a certificate from a private CA, wants a
 * client certificate ({@code tls-auth-clients yes}) and a read-only ACL user: with the CA in --redis-tls-truststore and
 * the client certificate in --redis-tls-keystore it answers the counts written there; without either, a query gets
 * 503 naming the setting to fix (as for any Redis it cannot read: it starts, and answers once Redis can be read).
 */
class ReadTlsIT {

    static final String USER = "stats";
    static final String PASSWORD = "s3,cr@t:100%";

    static TestCertificates certificates;
    static RedisServer redis;
    static Map<String, Long> written = new TreeMap<>();

    @BeforeAll
    static void tlsRedisWithCounts() {
        certificates = TestCertificates.shared();
        redis = RedisServer.builder(LocalStackExtension.newWorkDir()).tls(certificates).admin("admin", "admin-pw")
                .user(USER + " on >" + PASSWORD + " ~page_views ~{page_views}* &{page_views}:commits +@read +subscribe "
                        + "+ping +client|setname")
                .start();
        LayoutFixture fixture = new LayoutFixture("page_views", ZoneId.of("UTC"));
        written.putAll(fixture.viewsOnThePastTwoDays(60, "/p", 4, 9, Instant.now()));
        try (RedisClient admin = RedisClient.builder().hostAndPort(redis.host(), redis.port())
                .clientConfig(redis.clientConfig()).build()) {
            fixture.writeTo(admin, 1, null);
        }
    }

    @AfterAll
    static void stop() {
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void answersTheCountsOverTlsWithAPrivateCaAClientCertificateAndAnAclUser() throws Exception {
        try (ReadService service = ReadService.start(ReadConfig.parse(args(true, true), Map.of()))) {
            HttpResponse<String> answer = PageviewsByPage.ask(service);
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
            assertThat(PageviewsByPage.counts(answer)).isEqualTo(written);
        }
    }

    @Test
    void withoutTheTruststoreAQueryGets503NamingIt() throws Exception {
        try (ReadService service = ReadService.start(ReadConfig.parse(args(false, true), Map.of()))) {
            HttpResponse<String> answer = PageviewsByPage.ask(service);
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(503);
            assertThat(answer.body()).contains("not signed by a CA the read service trusts")
                    .contains("--redis-tls-truststore (PAGEVIEWS_REDIS_TLS_TRUSTSTORE) is empty")
                    .doesNotContain(PASSWORD);
        }
    }

    /**
     * With TLS 1.3 Redis refuses a missing client certificate after the handshake; the service sees its alert, or
     * only "Connection reset" when it wrote before reading (as the job does, see RedisTopologiesIT): every query gets
     * 503, and those that saw the alert name the keystore.
     */
    @Test
    void withoutTheClientCertificateQueriesGet503NamingTheKeystore() throws Exception {
        try (ReadService service = ReadService.start(ReadConfig.parse(args(true, false), Map.of()))) {
            List<String> bodies = new ArrayList<>();
            long deadline = System.nanoTime() + 5_000_000_000L;
            do {
                HttpResponse<String> answer = PageviewsByPage.ask(service);
                assertThat(answer.statusCode()).as(answer.body()).isEqualTo(503);
                assertThat(answer.body()).doesNotContain(PASSWORD);
                bodies.add(answer.body());
            } while (bodies.stream().noneMatch(b -> b.contains("--redis-tls-keystore")) && System.nanoTime() < deadline);
            assertThat(bodies).as("503 answers").anySatisfy(body -> assertThat(body).contains("Redis refused the read "
                    + "service's TLS client certificate", "--redis-tls-keystore (PAGEVIEWS_REDIS_TLS_KEYSTORE) is empty, "
                    + "and Redis wants a client certificate (tls-auth-clients yes)"));
        }
    }

    private static String[] args(boolean truststore, boolean keystore) {
        List<String> args = new ArrayList<>(List.of("--port", "0", "--redis", redis.uri(USER, PASSWORD),
                "--redis-timeout", "2s"));
        if (truststore) {
            args.addAll(List.of("--redis-tls-truststore", certificates.truststore().toString(),
                    "--redis-tls-truststore-password", certificates.password()));
        }
        if (keystore) {
            args.addAll(List.of("--redis-tls-keystore", certificates.clientKeystore().toString(),
                    "--redis-tls-keystore-password", certificates.password()));
        }
        return args.toArray(String[]::new);
    }
}
