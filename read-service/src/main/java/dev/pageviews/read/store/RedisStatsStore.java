package dev.pageviews.read.store;

import dev.pageviews.settings.RedisTls;
import dev.pageviews.settings.RedisUri;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.params.ZParams;
import redis.clients.jedis.resps.Tuple;

/**
 * Reads the layout from Redis. A batch is one pipeline between two reads of the commit record: the job applies a
 * commit as one script that also increments {@code seq}, so when {@code seq} is the same before and after, every
 * read in between saw the same commit. Otherwise the batch is read again (commits land every few seconds; a batch
 * takes milliseconds). Only read commands: the service may run as a read-only Redis user.
 */
public final class RedisStatsStore implements StatsStore {

    /** Attempts at a batch before giving up with {@link CommitMoved}. */
    static final int ATTEMPTS = 5;

    private final UnifiedJedis redis;
    private final Layout layout;
    private final RedisUri address;
    private final RedisTls tls;
    private final LongAdder readAgain = new LongAdder();

    /** @param address and {@code tls}: what {@code redis} connects with, for the messages of a failed call */
    public RedisStatsStore(UnifiedJedis redis, Layout layout, RedisUri address, RedisTls tls) {
        this.redis = redis;
        this.layout = layout;
        this.address = address;
        this.tls = tls;
    }

    public Layout layout() {
        return layout;
    }

    @Override
    public CommitRecord commit() {
        Map<String, String> fields = call(() -> redis.hgetAll(layout.meta()));
        return CommitRecord.of(layout.meta(), fields);
    }

    @Override
    public CommitRecord read(ReadBatch batch) {
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            CommitRecord commit = call(() -> readOnce(batch));
            if (commit != null) {
                return commit;
            }
            readAgain.increment();
        }
        throw new CommitMoved("commits landed during each of " + ATTEMPTS + " attempts to read a consistent answer");
    }

    /** How many batch reads found that a commit landed while they were read, and were thrown away. */
    long batchesReadAgain() {
        return readAgain.sum();
    }

    /** The commit the batch reflects, or null when a commit landed while it was read. */
    private CommitRecord readOnce(ReadBatch batch) {
        List<Runnable> fill = new ArrayList<>();
        Response<Map<String, String>> before;
        Response<String> after;
        try (AbstractPipeline pipeline = redis.pipelined()) {
            before = pipeline.hgetAll(layout.meta());
            for (ReadBatch.Read read : batch.reads()) {
                fill.add(queue(pipeline, read));
            }
            after = pipeline.hget(layout.meta(), "seq");
            pipeline.sync();
        }
        CommitRecord commit = CommitRecord.of(layout.meta(), before.get());
        long seqAfter = after.get() == null ? 0 : CommitRecord.of(layout.meta(), Map.of("seq", after.get())).seq();
        if (seqAfter != commit.seq()) {
            return null;
        }
        fill.forEach(Runnable::run);
        return commit;
    }

    private Runnable queue(AbstractPipeline pipeline, ReadBatch.Read read) {
        if (read instanceof ReadBatch.Total total) {
            Response<Double> score = pipeline.zscore(layout.views(total.bucket()), Layout.TOTAL);
            return () -> total.out().set(count(score.get()));
        }
        if (read instanceof ReadBatch.Pages pages) {
            if (pages.buckets().isEmpty()) {
                return () -> pages.out().set(Map.of());
            }
            String[] keys = pages.buckets().stream().map(layout::views).toArray(String[]::new);
            Response<List<Tuple>> union = pipeline.zunionWithScores(new ZParams(), keys);
            return () -> {
                Map<String, Long> views = new LinkedHashMap<>();
                for (Tuple member : union.get()) {
                    if (!Layout.TOTAL.equals(member.getElement())) {
                        views.put(member.getElement(), count(member.getScore()));
                    }
                }
                pages.out().set(views);
            };
        }
        if (read instanceof ReadBatch.DayVisitors day) {
            String key = layout.dayVisitors(day.date());
            if (day.members() == null) {
                Response<List<Tuple>> all = pipeline.zrangeWithScores(key, 0, -1);
                return () -> {
                    Map<String, Long> visitors = new LinkedHashMap<>();
                    all.get().forEach(t -> visitors.put(t.getElement(), count(t.getScore())));
                    day.out().set(visitors);
                };
            }
            if (day.members().isEmpty()) {
                return () -> day.out().set(Map.of());
            }
            Response<List<Double>> scores = pipeline.zmscore(key, day.members().toArray(String[]::new));
            return () -> {
                Map<String, Long> visitors = new LinkedHashMap<>();
                List<Double> values = scores.get();
                for (int i = 0; i < day.members().size(); i++) {
                    visitors.put(day.members().get(i), count(values.get(i)));
                }
                day.out().set(visitors);
            };
        }
        if (read instanceof ReadBatch.Estimate estimate) {
            List<String> keys = new ArrayList<>();
            for (LocalDate date : estimate.days()) {
                if (estimate.pages().isEmpty()) {
                    keys.add(layout.visitorEstimate(date));
                } else {
                    estimate.pages().forEach(page -> keys.add(layout.visitorEstimate(date, page)));
                }
            }
            if (keys.isEmpty()) {
                return () -> estimate.out().set(0L);
            }
            Response<Long> count = pipeline.pfcount(keys.toArray(String[]::new));
            return () -> estimate.out().set(count.get());
        }
        ReadBatch.Exists exists = (ReadBatch.Exists) read;
        Response<Boolean> found = pipeline.exists(layout.views(exists.bucket()));
        return () -> exists.out().set(found.get());
    }

    /** A score the job wrote with ZINCRBY of whole numbers: exact as a double up to 2^53. */
    private static long count(Double score) {
        return score == null ? 0 : Math.round(score);
    }

    private <T> T call(Supplier<T> action) {
        try {
            return action.get();
        } catch (JedisException e) {
            throw new StoreException("Redis (" + address + ") could not be read: " + RedisConnections.why(e, address, tls), e);
        }
    }

    @Override
    public void close() {
        redis.close();
    }
}
