package dev.pageviews.edge;

import dev.pageviews.edge.admit.Admission;
import dev.pageviews.edge.admit.BotFilter;
import dev.pageviews.edge.admit.ClientAddress;
import dev.pageviews.edge.admit.ClientRateLimits;
import dev.pageviews.edge.admit.SiteHandler;
import dev.pageviews.edge.config.EdgeConfig;
import dev.pageviews.edge.http.BodyAggregator;
import dev.pageviews.edge.http.BodyMemoryBudget;
import dev.pageviews.edge.http.ConnectionTracker;
import dev.pageviews.edge.http.CorsHandler;
import dev.pageviews.edge.http.CorsPolicy;
import dev.pageviews.edge.http.FramingErrors;
import dev.pageviews.edge.http.LengthRequiredCheck;
import dev.pageviews.edge.http.OpsHandler;
import dev.pageviews.edge.http.Readiness;
import dev.pageviews.edge.http.ResponseSequencer;
import dev.pageviews.edge.http.Router;
import dev.pageviews.edge.http.SlowRequestGuard;
import dev.pageviews.edge.http.Unanswered;
import dev.pageviews.edge.metrics.Metrics;
import dev.pageviews.edge.produce.EventProducer;
import dev.pageviews.edge.track.FutureSkewCheck;
import dev.pageviews.edge.track.TrackHandler;
import dev.pageviews.edge.tracker.TrackerHandler;
import dev.pageviews.edge.tracker.TrackerScript;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;

/** Builds each connection's pipeline: limits and timeouts, HTTP codec and aggregator, then one handler per concern. */
public final class EdgeInitializer extends ChannelInitializer<Channel> {

    /** The most bytes one socket read hands the pipeline (the server sets its read-buffer allocator to this). */
    public static final int MAX_READ_BYTES = 64 * 1024;

    private final EdgeConfig config;
    private final Metrics metrics;
    private final ChannelGroup connections;
    private final HttpDecoderConfig decoderConfig;
    private final int codecPipelineDepth;
    // stateless handlers, shared by all connections
    private final LengthRequiredCheck lengthRequired = new LengthRequiredCheck();
    private final FramingErrors framingErrors;
    private final Router router;
    private final TrackerHandler tracker;
    private final CorsHandler cors;
    private final SiteHandler sites;
    private final OpsHandler ops;
    private final TrackHandler track;
    private final Unanswered unanswered = new Unanswered();
    private final BodyMemoryBudget.Pool bodyMemory;

    public EdgeInitializer(EdgeConfig config, EventProducer producer, Readiness readiness, Metrics metrics,
            ChannelGroup connections) {
        this.config = config;
        this.metrics = metrics;
        this.connections = connections;
        this.decoderConfig = new HttpDecoderConfig()
                .setMaxInitialLineLength(config.get(EdgeConfig.MAX_REQUEST_LINE_SIZE))
                .setMaxHeaderSize(config.get(EdgeConfig.MAX_HEADER_SIZE));
        // The codec closes a connection past its own pipelining limit. The sequencer stops reading past
        // --max-pipelined-requests, but everything in one read is decoded anyway: the codec's limit sits
        // above ours by the most requests one read can hold (the smallest request is 16 bytes), so ours applies.
        this.codecPipelineDepth = config.get(EdgeConfig.MAX_PIPELINED_REQUESTS) + MAX_READ_BYTES / 16;
        int retryAfter = (int) config.get(EdgeConfig.RETRY_AFTER).toSeconds();
        this.framingErrors = new FramingErrors(config.get(EdgeConfig.MAX_BODY_SIZE), retryAfter);
        this.bodyMemory = new BodyMemoryBudget.Pool(config.get(EdgeConfig.MAX_BODY_MEMORY));
        metrics.bodyMemory(bodyMemory::used, bodyMemory.limit());
        this.cors = new CorsHandler(CorsPolicy.parse(config.get(EdgeConfig.CORS_ORIGINS)));
        this.sites = new SiteHandler(config.sitePolicy(), metrics);
        this.ops = new OpsHandler(readiness, retryAfter);
        this.router = new Router(config.trackerPath());
        this.tracker = new TrackerHandler(TrackerScript.load());
        this.track = new TrackHandler(producer, metrics, config.get(EdgeConfig.MAX_BATCH_EVENTS), retryAfter,
                new FutureSkewCheck(config.maxFutureSkew()), admission(config, metrics));
    }

    private static Admission admission(EdgeConfig config, Metrics metrics) {
        int rate = config.get(EdgeConfig.RATE_LIMIT);
        ClientRateLimits limits = rate == 0 ? null
                : new ClientRateLimits(rate, config.get(EdgeConfig.RATE_LIMIT_BURST), config.get(EdgeConfig.RATE_LIMIT_CLIENTS));
        return new Admission(new ClientAddress(config.get(EdgeConfig.TRUSTED_PROXY_HOPS)), limits,
                config.get(EdgeConfig.BOT_FILTER) ? BotFilter.load() : null, metrics);
    }

    @Override
    protected void initChannel(Channel channel) {
        ChannelPipeline pipeline = channel.pipeline();
        pipeline.addLast("connections", new ConnectionTracker(config.get(EdgeConfig.MAX_CONNECTIONS), connections, metrics));
        pipeline.addLast("idle", new IdleStateHandler(config.get(EdgeConfig.IDLE_TIMEOUT).toMillis(), 0, 0, TimeUnit.MILLISECONDS));
        pipeline.addLast("slow-requests", new SlowRequestGuard((int) config.get(EdgeConfig.REQUEST_TIMEOUT).toMillis(), metrics));
        pipeline.addLast("http", new HttpServerCodec(decoderConfig, codecPipelineDepth));
        pipeline.addLast("length-required", lengthRequired);
        pipeline.addLast("body-memory", new BodyMemoryBudget(bodyMemory, config.get(EdgeConfig.MAX_BODY_SIZE)));
        pipeline.addLast("aggregator", new BodyAggregator(config.get(EdgeConfig.MAX_BODY_SIZE)));
        pipeline.addLast("sequencer", new ResponseSequencer(config.get(EdgeConfig.MAX_PIPELINED_REQUESTS), metrics));
        pipeline.addLast("framing-errors", framingErrors);
        pipeline.addLast("router", router);
        pipeline.addLast("cors", cors);
        pipeline.addLast("sites", sites);
        pipeline.addLast("ops", ops);
        pipeline.addLast("tracker", tracker);
        pipeline.addLast("track", track);
        pipeline.addLast("unanswered", unanswered);
    }
}
