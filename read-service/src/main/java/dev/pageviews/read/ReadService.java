package dev.pageviews.read;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.pageviews.read.api.QuerySlots;
import dev.pageviews.read.api.StatsInitializer;
import dev.pageviews.read.api.StatsServer;
import dev.pageviews.read.push.CommitFeed;
import dev.pageviews.read.push.EventStreams;
import dev.pageviews.read.query.QueryParser;
import dev.pageviews.read.query.QueryRunner;
import dev.pageviews.read.store.Layout;
import dev.pageviews.read.store.RedisConnections;
import dev.pageviews.read.store.RedisStatsStore;
import java.time.Clock;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.UnifiedJedis;

/**
 * The read service, wired: Redis (store) → queries (a bounded pool beside the event loops) → HTTP (api), and the
 * commit subscription → streams (push). {@link #close()} stops taking connections, ends the streams, then lets
 * running queries finish and closes Redis.
 */
public final class ReadService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ReadService.class);

    private final RedisStatsStore store;
    private final CommitFeed feed;
    private final EventStreams streams;
    private final ThreadPoolExecutor queries;
    private final StatsServer server;

    private ReadService(RedisStatsStore store, CommitFeed feed, EventStreams streams, ThreadPoolExecutor queries,
            StatsServer server) {
        this.store = store;
        this.feed = feed;
        this.streams = streams;
        this.queries = queries;
        this.server = server;
    }

    /** The JSON reader of queries: nesting bounded, so no body can run the parser deep. */
    public static ObjectMapper json() {
        JsonMapper mapper = JsonMapper.builder().build();
        mapper.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build());
        return mapper;
    }

    public static ReadService start(ReadConfig config) throws InterruptedException {
        // the query threads and the subscription each hold a connection at most
        UnifiedJedis redis = RedisConnections.open(config.redis(), config.redisTls(), config.redisSentinel(),
                config.redisTimeout(), config.maxConcurrentQueries() + 2, "pageviews-read");
        Layout layout = new Layout(config.redisKey());
        RedisStatsStore store = new RedisStatsStore(redis, layout, config.redis(), config.redisTls());
        EventStreams streams = new EventStreams(config.maxStreams());
        CommitFeed feed = null;
        ThreadPoolExecutor queries = null;
        try {
            feed = new CommitFeed(redis, store, layout.commits(), streams).start();
            AtomicInteger threads = new AtomicInteger();
            // as many threads as slots; QuerySlots admits a query or answers 503 at once, so the queue stays short
            queries = new ThreadPoolExecutor(config.maxConcurrentQueries(), config.maxConcurrentQueries(), 60, TimeUnit.SECONDS,
                    new LinkedBlockingQueue<>(), r -> {
                        Thread t = new Thread(r, "stats-query-" + threads.incrementAndGet());
                        t.setDaemon(true);
                        return t;
                    });
            queries.allowCoreThreadTimeOut(true);
            ObjectMapper json = json();
            QueryRunner runner = new QueryRunner(store, Clock.systemUTC(), config.maxRange(), json);
            CommitFeed following = feed;
            StatsInitializer initializer = new StatsInitializer(new StatsInitializer.Shared(store,
                    new QueryParser(config.siteId(), config.maxLimit()), runner,
                    new QuerySlots(config.maxConcurrentQueries(), queries), json, streams, following::latest,
                    config.apiToken(), config.maxBodySize(), config.idleTimeout(), config.heartbeat(),
                    config.maxConcurrentQueries()));
            StatsServer server = StatsServer.start(config.host(), config.port(), initializer, config.streamBuffer());
            LOG.info("Read service listening on {}:{} (site_id {}, Redis {}, key {}, token {})", config.host(), server.port(),
                    config.siteId(), config.redis(), config.redisKey(), config.apiToken().isEmpty() ? "none" : "required");
            return new ReadService(store, feed, streams, queries, server);
        } catch (InterruptedException | RuntimeException e) {
            if (feed != null) {
                feed.close();
            }
            if (queries != null) {
                queries.shutdownNow();
            }
            store.close();
            throw e;
        }
    }

    public int port() {
        return server.port();
    }

    public EventStreams streams() {
        return streams;
    }

    @Override
    public void close() {
        streams.closeAll();
        server.close();
        feed.close();
        queries.shutdown();
        try {
            if (!queries.awaitTermination(5, TimeUnit.SECONDS)) {
                queries.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        store.close();
    }
}
