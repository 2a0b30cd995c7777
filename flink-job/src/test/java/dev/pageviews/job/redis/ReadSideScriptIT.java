package dev.pageviews.job.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pageviews.settings.RedisUri;
import dev.pageviews.stack.FreePorts;
import dev.pageviews.stack.LocalStackExtension;
import dev.pageviews.stack.RedisServer;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.resps.Tuple;

/**
 * The read side the commit script writes beside the counts hash, against a real redis-server: minute, hour and day
 * buckets (Europe/Berlin, across a DST change), the site total, first visits exact per day and as HyperLogLogs, the
 * commit record and its publication, each once, within the page budget and the retentions.
 */
class ReadSideScriptIT {

    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    private static RedisServer server;
    private static UnifiedJedis client;
    private static RedisSinkSettings settings;
    private Jedis admin;

    @BeforeAll
    static void startRedis() {
        server = RedisServer.start(LocalStackExtension.newWorkDir(), FreePorts.pick(), RedisServer.Persistence.NONE);
        settings = new RedisSinkSettings(RedisUri.parse(server.uri()), "counts", Duration.ofDays(7), Duration.ofSeconds(5), 2000)
                .with(new RedisSinkSettings.Stats(true, BERLIN, Duration.ofDays(2), Duration.ofDays(3650), Duration.ofDays(3650),
                        Duration.ofDays(3650)));
        client = RedisConnections.open(settings, "read-side-it");
    }

    @AfterAll
    static void stopRedis() {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @BeforeEach
    void emptyRedis() {
        admin = server.client();
        admin.flushAll();
    }

    private static long at(String localDateTime) {
        return ZonedDateTime.of(java.time.LocalDateTime.parse(localDateTime), BERLIN).toEpochSecond();
    }

    private static RedisCommittable commit(String id, Map<String, Long> views, List<RedisCommittable.MinuteViews> minutes,
            List<RedisCommittable.FirstVisits> visitors, long watermark) {
        return new RedisCommittable(id, System.currentTimeMillis(), new LinkedHashMap<>(views), "job-1", 1, watermark, minutes,
                visitors);
    }

    private Map<String, Double> zset(String key) {
        Map<String, Double> members = new LinkedHashMap<>();
        for (Tuple t : admin.zrangeWithScores(key, 0, -1)) {
            members.put(t.getElement(), t.getScore());
        }
        return members;
    }

    @Test
    void writesEachViewOnceIntoItsMinuteHourAndDayWithTheSiteTotal() {
        long now = System.currentTimeMillis() / 1000;
        dev.pageviews.job.count.ReportingTime berlin = new dev.pageviews.job.count.ReportingTime(BERLIN);
        long minute = now / 60 * 60 - 600;
        if (!berlin.date(minute).equals(berlin.date(minute + 60))) {
            minute -= 60; // both minutes in one local day, whatever minute the test runs in
        }
        long hour = berlin.hourStart(minute);
        String date = berlin.date(minute);
        RedisCommittable c = commit("c1", Map.of("/a", 3L, "/b", 2L),
                List.of(new RedisCommittable.MinuteViews("/a", minute, 3), new RedisCommittable.MinuteViews("/b", minute + 60, 2)),
                List.of(new RedisCommittable.FirstVisits("/a", date, List.of("u1", "u2")),
                        new RedisCommittable.FirstVisits(null, date, List.of("u1", "u2", "u3"))), minute * 1000);
        IncrementScript.Outcome outcome = IncrementScript.apply(client, settings, c);
        assertThat(outcome.appliedNow()).isTrue();
        assertThat(outcome.seq()).isEqualTo(1);
        assertThat(IncrementScript.apply(client, settings, c).appliedNow()).as("a repeat adds nothing").isFalse();

        assertThat(admin.hgetAll("counts")).isEqualTo(Map.of("/a", "3", "/b", "2"));
        assertThat(zset("{counts}:m:" + minute)).isEqualTo(Map.of("/a", 3.0, "(total)", 3.0));
        assertThat(zset("{counts}:m:" + (minute + 60))).isEqualTo(Map.of("/b", 2.0, "(total)", 2.0));
        Map<String, Double> hourly = zset("{counts}:h:" + hour);
        Map<String, Double> daily = zset("{counts}:d:" + date);
        assertThat(daily).isEqualTo(Map.of("/a", 3.0, "/b", 2.0, "(total)", 5.0));
        assertThat(hourly.get("(total)")).isLessThanOrEqualTo(5.0); // the second minute may start the next hour
        assertThat(zset("{counts}:vd:" + date)).isEqualTo(Map.of("/a", 2.0, "(total)", 3.0));
        assertThat(admin.pfcount("{counts}:u:" + date + ":/a")).isEqualTo(2);
        assertThat(admin.pfcount("{counts}:u:" + date)).isEqualTo(3);
        assertThat(admin.hgetAll("{counts}:meta")).containsEntry("seq", "1").containsEntry("watermark", Long.toString(minute * 1000))
                .containsEntry("time_zone", "Europe/Berlin").containsEntry("minute_retention", Long.toString(Duration.ofDays(2).toSeconds()));
        long minuteTtl = admin.ttl("{counts}:m:" + minute);
        assertThat(minuteTtl).isBetween(Duration.ofDays(2).toSeconds() - 700, Duration.ofDays(2).toSeconds());
        assertThat(admin.ttl("{counts}:d:" + date)).isGreaterThan(Duration.ofDays(3000).toSeconds());
    }

    @Test
    void aKeyWhereAHyperLogLogGoesThatHoldsAnythingElseIsRefusedBeforeTheFirstWrite() {
        long minute = System.currentTimeMillis() / 1000 / 60 * 60;
        String date = new dev.pageviews.job.count.ReportingTime(BERLIN).date(minute);
        String hll = "{counts}:u:" + date + ":/a";
        RedisCommittable c = commit("h1", Map.of("/a", 1L), List.of(new RedisCommittable.MinuteViews("/a", minute, 1)),
                List.of(new RedisCommittable.FirstVisits("/a", date, List.of("u1"))), -1);
        byte[] dense = new byte[12_304];
        System.arraycopy("HYLL".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, dense, 0, 4);
        List<Runnable> spoilers = List.of(() -> admin.set(hll, ""), () -> admin.set(hll, "HYLL"), () -> admin.set(hll, "not a sketch"),
                () -> admin.set(hll.getBytes(), java.util.Arrays.copyOf(dense, 12_303)), () -> admin.sadd(hll, "u1"));
        for (Runnable spoil : spoilers) {
            admin.flushAll();
            spoil.run();
            assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> IncrementScript.apply(client, settings, c)))
                    .hasMessageStartingWith(RedisErrors.WRONG_TYPE).hasMessageContaining(hll);
            assertThat(admin.keys("*")).as("nothing written").containsExactly(hll);
        }
        admin.flushAll();
        admin.set(hll.getBytes(), dense);
        assertThat(IncrementScript.apply(client, settings, c).appliedNow()).as("a dense HyperLogLog").isTrue();
        assertThat(admin.pfcount(hll)).isEqualTo(1);
        assertThat(admin.ttl(hll)).as("its expiry is set when it is made, not by the commit").isEqualTo(-1);
    }

    @Test
    void aCheckpointWithoutViewsMovesTheWatermarkForwardOnlyAndIsNoCommit() {
        long minute = System.currentTimeMillis() / 1000 / 60 * 60;
        IncrementScript.apply(client, settings, commit("c1", Map.of("/a", 1L), List.of(new RedisCommittable.MinuteViews("/a", minute, 1)),
                List.of(), minute * 1000));
        IncrementScript.apply(client, settings, RedisCommittable.watermarkOnly("w1", System.currentTimeMillis(), "job-1", 2, minute * 1000 + 500));
        assertThat(admin.hgetAll("{counts}:meta")).containsEntry("watermark", Long.toString(minute * 1000 + 500)).containsEntry("seq", "1");
        IncrementScript.apply(client, settings, RedisCommittable.watermarkOnly("w2", System.currentTimeMillis(), "job-1", 3, minute * 1000));
        assertThat(admin.hget("{counts}:meta", "watermark")).as("never back").isEqualTo(Long.toString(minute * 1000 + 500));
        assertThat(admin.keys("*")).as("no marker for it").containsExactlyInAnyOrder("counts", "{counts}:meta", "{counts}:m:" + minute,
                "{counts}:h:" + new dev.pageviews.job.count.ReportingTime(BERLIN).hourStart(minute),
                "{counts}:d:" + new dev.pageviews.job.count.ReportingTime(BERLIN).date(minute), settings.markerKey("c1"), settings.lineageKey());
    }

    @Test
    void aWatermarkMoveTheUserMayNotPublishWritesNothing() {
        IncrementScript.apply(client, settings, RedisCommittable.watermarkOnly("w1", System.currentTimeMillis(), "job-1", 2, 1_000));
        admin.aclSetUser("default", "-publish");
        try {
            assertThatThrownBy(() -> IncrementScript.apply(client, settings,
                    RedisCommittable.watermarkOnly("w2", System.currentTimeMillis(), "job-1", 3, 2_000)))
                    .hasMessageContaining(IncrementScript.NO_PERMISSION).hasMessageContaining("PUBLISH {counts}:commits");
        } finally {
            admin.aclSetUser("default", "+@all");
        }
        assertThat(admin.hget("{counts}:meta", "watermark")).isEqualTo("1000");
    }

    @Test
    void aLocalHourRepeatedByDstIsTwoBucketsAndTheDayHas25Hours() {
        // 2025-10-26 in Berlin: 02:00-03:00 happens twice (CEST, then CET)
        long firstTwo = at("2025-10-26T02:10"); // resolves to the earlier offset, CEST
        long secondTwo = firstTwo + 3600; // an hour later: 02:10 again, CET
        RedisCommittable c = commit("dst", Map.of("/a", 2L),
                List.of(new RedisCommittable.MinuteViews("/a", firstTwo / 60 * 60, 1),
                        new RedisCommittable.MinuteViews("/a", secondTwo / 60 * 60, 1)), List.of(), -1);
        IncrementScript.apply(client, settings, c);
        long hourA = firstTwo / 3600 * 3600;
        long hourB = secondTwo / 3600 * 3600;
        assertThat(hourB - hourA).isEqualTo(3600);
        assertThat(zset("{counts}:h:" + hourA)).isEqualTo(Map.of("/a", 1.0, "(total)", 1.0));
        assertThat(zset("{counts}:h:" + hourB)).isEqualTo(Map.of("/a", 1.0, "(total)", 1.0));
        assertThat(zset("{counts}:d:2025-10-26")).isEqualTo(Map.of("/a", 2.0, "(total)", 2.0));
        assertThat(admin.exists("{counts}:m:" + firstTwo / 60 * 60)).as("a minute older than its retention is not written").isFalse();
    }

    @Test
    void pagesBeyondTheBudgetGoToOtherInEveryBucketAndHaveNoVisitors() {
        RedisSinkSettings budget1 = settings.with(new RedisSinkSettings.CommitRules(1, 50_000, 0, Duration.ofSeconds(1), false));
        long minute = System.currentTimeMillis() / 1000 / 60 * 60;
        String date = new dev.pageviews.job.count.ReportingTime(BERLIN).date(minute);
        admin.hset("counts", "/known", "1");
        IncrementScript.apply(client, budget1, commit("b", Map.of("/known", 1L, "/new", 4L),
                List.of(new RedisCommittable.MinuteViews("/known", minute, 1), new RedisCommittable.MinuteViews("/new", minute, 4)),
                List.of(new RedisCommittable.FirstVisits("/new", date, List.of("u9"))), -1));
        assertThat(zset("{counts}:m:" + minute)).isEqualTo(Map.of("/known", 1.0, "(other)", 4.0, "(total)", 5.0));
        assertThat(admin.exists("{counts}:vd:" + date)).isFalse();
        assertThat(admin.exists("{counts}:u:" + date + ":/new")).isFalse();
        assertThat(admin.exists("{counts}:u:" + date + ":(other)")).isFalse();
    }

    @Test
    void everyAppliedCommitIsPublishedWithItsSequenceAndEveryWatermarkMoveAsSuch() throws Exception {
        BlockingQueue<String> published = new LinkedBlockingQueue<>();
        JedisPubSub listener = new JedisPubSub() {
            @Override
            public void onMessage(String channel, String message) {
                published.add(channel + "=" + message);
            }
        };
        Thread subscriber = new Thread(() -> {
            try (Jedis jedis = server.client()) {
                jedis.subscribe(listener, "{counts}:commits");
            }
        });
        subscriber.start();
        try {
            while (listener.getSubscribedChannels() == 0) {
                Thread.sleep(20);
            }
            IncrementScript.apply(client, settings, commit("p1", Map.of("/a", 1L), List.of(), List.of(), 1_000));
            // checkpoints without views: a watermark that moves is published as such, one that does not is not
            IncrementScript.apply(client, settings, RedisCommittable.watermarkOnly("w1", System.currentTimeMillis(), "job-1", 2, 2_000));
            IncrementScript.apply(client, settings, RedisCommittable.watermarkOnly("w2", System.currentTimeMillis(), "job-1", 3, 2_000));
            IncrementScript.apply(client, settings, RedisCommittable.watermarkOnly("w3", System.currentTimeMillis(), "job-1", 4, 1_500));
            RedisCommittable second = commit("p2", Map.of("/a", 1L), List.of(), List.of(), -1);
            IncrementScript.apply(client, settings, second);
            IncrementScript.apply(client, settings, second); // applied before: nothing new to say
            List<String> got = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                got.add(published.poll(5, TimeUnit.SECONDS));
            }
            assertThat(got).containsExactly("{counts}:commits=1", "{counts}:commits=watermark 2000", "{counts}:commits=2");
            assertThat(published.poll(500, TimeUnit.MILLISECONDS)).isNull();
            assertThat(admin.hget("{counts}:meta", "seq")).as("a watermark move is no commit").isEqualTo("2");
        } finally {
            listener.unsubscribe();
            subscriber.join(5000);
        }
    }
}
