package dev.pageviews.read.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pageviews.read.push.CommitEvent;
import dev.pageviews.read.push.EventStreams;
import dev.pageviews.read.push.StreamHandler;
import dev.pageviews.read.query.QueryParser;
import dev.pageviews.read.query.QueryRunner;
import dev.pageviews.read.store.StatsStore;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Builds each connection's pipeline, one handler per concern: idle close → HTTP codec → aggregator (body size limit,
 * 413) → {@link BadRequests} (400) → {@link OneAtATime} (answers in request order) → {@link OpsHandler}
 * ({@code /healthz}, {@code /readyz}) → {@link BearerAuth} (401, with a
 * token) → {@link StaticFiles} ({@code /}, {@code /assets/*}) → {@link StreamHandler} ({@code /api/v2/stream}) →
 * {@link QueryHandler} ({@code /api/v2/query}) → {@link NotFound}.
 */
public final class StatsInitializer extends ChannelInitializer<SocketChannel> {

    static final String IDLE = "idle";

    /** What every connection shares. */
    public record Shared(StatsStore store, QueryParser parser, QueryRunner runner, Executor queries, ObjectMapper json, EventStreams streams,
            Supplier<CommitEvent> latest, String apiToken, int maxBodySize, Duration idleTimeout, Duration heartbeat,
            int maxConcurrentQueries) {}

    private final Shared shared;
    private final BearerAuth auth;
    private final StaticFiles files;
    private final QueryHandler query;
    private final OpsHandler ops;
    private final NotFound notFound = new NotFound();
    private final BadRequests badRequests = new BadRequests();

    public StatsInitializer(Shared shared) {
        this.shared = shared;
        this.auth = shared.apiToken().isEmpty() ? null : new BearerAuth(shared.apiToken());
        this.files = new StaticFiles(shared.parser().siteId());
        this.ops = new OpsHandler(shared.store(), shared.queries());
        this.query = new QueryHandler(shared.parser(), shared.runner(), shared.queries(), shared.json(),
                shared.maxConcurrentQueries());
    }

    @Override
    protected void initChannel(SocketChannel channel) {
        addHandlers(channel.pipeline());
    }

    /** The handlers of one connection, in order (tests build an {@code EmbeddedChannel} with them). */
    void addHandlers(ChannelPipeline pipeline) {
        pipeline.addLast(IDLE, new IdleStateHandler(0, 0, shared.idleTimeout().toMillis(), TimeUnit.MILLISECONDS) {
            @Override
            protected void channelIdle(ChannelHandlerContext ctx, IdleStateEvent event) {
                ctx.close();
            }
        });
        pipeline.addLast("codec", new HttpServerCodec(4096, 8192, 8192));
        pipeline.addLast("aggregator", new HttpObjectAggregator(shared.maxBodySize()));
        pipeline.addLast("bad-requests", badRequests);
        pipeline.addLast("one-at-a-time", new OneAtATime());
        pipeline.addLast("ops", ops);
        if (auth != null) {
            pipeline.addLast("auth", auth);
        }
        pipeline.addLast("files", files);
        pipeline.addLast("stream", new StreamHandler(shared.streams(), shared.latest(), shared.heartbeat(), IDLE));
        pipeline.addLast("query", query);
        pipeline.addLast("not-found", notFound);
    }
}
