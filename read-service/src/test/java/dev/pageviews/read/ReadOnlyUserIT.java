package dev.pageviews.read;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pageviews.read.store.LayoutFixture;
import dev.pageviews.stack.LocalStackExtension;
import dev.pageviews.stack.RedisServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Map;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.RedisClient;

/**
 * The service with the least rights its README names (a read-only Redis user, the default user off): queries,
 * visitors, readiness and the commit subscription all work.
 */
class ReadOnlyUserIT {

    static final String RULE = "stats on >st@ts:pw ~page_views ~{page_views}* &{page_views}:commits +@read +subscribe +ping "
            + "+client|setname";

    @Test
    void aReadOnlyUserIsEnough() throws Exception {
        try (RedisServer redis = RedisServer.builder(LocalStackExtension.newWorkDir()).admin("admin", "admin-pw").user(RULE).start()) {
            LayoutFixture fixture = new LayoutFixture("page_views", ZoneId.of("UTC"));
            Instant now = Instant.now();
            for (int i = 0; i < 50; i++) {
                fixture.view("/p" + i % 3, "u" + i % 7, now.minusSeconds(86_400L * (i % 3) + 5));
            }
            try (RedisClient admin = RedisClient.builder().hostAndPort(redis.host(), redis.port())
                    .clientConfig(DefaultJedisClientConfig.builder().user("admin").password("admin-pw").build()).build()) {
                fixture.writeTo(admin, 1, null);
            }
            try (ReadService service = ReadService.start(ReadConfig.parse(new String[] {"--port", "0", "--redis",
                    redis.uri("stats", "st@ts:pw")}, Map.of()))) {
                HttpClient http = HttpClient.newHttpClient();
                HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.port()
                        + "/api/v2/query")).POST(HttpRequest.BodyPublishers.ofString("{\"site_id\":\"localhost\",\"metrics\":"
                        + "[\"pageviews\",\"visitors\"],\"date_range\":\"7d\",\"dimensions\":[\"event:page\"]}")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
                HttpResponse<String> ready = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.port()
                        + "/readyz")).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(ready.body()).isEqualTo("{\"status\":\"ready\",\"seq\":1}");
                try (redis.clients.jedis.Jedis jedis = redis.client()) {
                    long deadline = System.nanoTime() + 5_000_000_000L;
                    while (jedis.pubsubNumSub("{page_views}:commits").get("{page_views}:commits") == 0 && System.nanoTime() < deadline) {
                        Thread.sleep(50);
                    }
                    assertThat(jedis.pubsubNumSub("{page_views}:commits")).containsEntry("{page_views}:commits", 1L);
                }
            }
        }
    }
}
