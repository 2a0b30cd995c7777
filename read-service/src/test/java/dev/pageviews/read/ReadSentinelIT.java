package dev.pageviews.read;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pageviews.read.store.LayoutFixture;
import dev.pageviews.stack.LocalStackExtension;
import dev.pageviews.stack.RedisSentinel;
import dev.pageviews.stack.RedisServer;
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
 * The read service through Redis Sentinel, as operators secure it: the data nodes want a read-only ACL user (in
 * --redis), and the sentinels a password of their own (--redis-sentinel-password), which they do not share with the
 * data nodes. With both it answers the counts written on the primary; without the sentinels' password it does not
 * start, and says which setting is missing.
 */
class ReadSentinelIT {

    static final String USER = "stats";
    static final String PASSWORD = "st@ts,pw:1%";
    static final String SENTINEL_PASSWORD = "sentinel,s3cret@";

    static RedisSentinel sentinel;
    static Map<String, Long> written = new TreeMap<>();

    @BeforeAll
    static void sentinelWithCounts() {
        sentinel = RedisSentinel.builder(LocalStackExtension.newWorkDir()).replicas(0).sentinels(1, 1)
                .admin("admin", "admin-pw")
                .user(USER + " on >" + PASSWORD + " ~page_views ~{page_views}* &{page_views}:commits +@read +subscribe "
                        + "+ping +client|setname")
                .sentinelAuth(null, SENTINEL_PASSWORD)
                .start();
        LayoutFixture fixture = new LayoutFixture("page_views", ZoneId.of("UTC"));
        written.putAll(fixture.viewsOnThePastTwoDays(40, "/s", 3, 7, Instant.now()));
        RedisServer primary = sentinel.primary();
        try (RedisClient admin = RedisClient.builder().hostAndPort(primary.host(), primary.port())
                .clientConfig(primary.clientConfig()).build()) {
            fixture.writeTo(admin, 1, null);
        }
    }

    @AfterAll
    static void stop() {
        if (sentinel != null) {
            sentinel.close();
        }
    }

    @Test
    void withTheSentinelsPasswordItAnswersTheCountsOfThePrimary() throws Exception {
        try (ReadService service = ReadService.start(ReadConfig.parse(args(true), Map.of()))) {
            HttpResponse<String> answer = PageviewsByPage.ask(service);
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
            assertThat(PageviewsByPage.counts(answer)).isEqualTo(written);
        }
    }

    @Test
    void withoutItTheServiceDoesNotStartAndNamesTheSetting() {
        assertThatThrownBy(() -> ReadService.start(ReadConfig.parse(args(false), Map.of())).close())
                .hasMessageContaining("--redis-sentinel-password")
                .satisfies(e -> assertThat(String.valueOf(e.getMessage())).doesNotContain(PASSWORD, SENTINEL_PASSWORD));
    }

    private static String[] args(boolean sentinelPassword) {
        List<String> args = new ArrayList<>(List.of("--port", "0", "--redis", sentinel.uri(USER, PASSWORD),
                "--redis-timeout", "2s"));
        if (sentinelPassword) {
            args.addAll(List.of("--redis-sentinel-password", SENTINEL_PASSWORD));
        }
        return args.toArray(String[]::new);
    }
}
