package dev.pageviews.job;

import dev.pageviews.event.PageView;
import dev.pageviews.job.archive.Archive;
import dev.pageviews.job.dedup.CountOncePerEventId;
import dev.pageviews.job.hashing.SipHash;
import dev.pageviews.job.redis.AtLeastOnceRedisSink;
import dev.pageviews.job.redis.ExactlyOnceRedisSink;
import dev.pageviews.job.redis.RedisSinkSettings;
import dev.pageviews.job.source.CheckedKafkaSource;
import dev.pageviews.job.source.ClockAdvancingWatermarks;
import dev.pageviews.job.source.DeadLetter;
import dev.pageviews.job.source.DeadLetterSerializer;
import dev.pageviews.job.source.FutureBoundedTimestamps;
import dev.pageviews.job.source.PageViewSerializer;
import dev.pageviews.job.source.RawView;
import dev.pageviews.job.source.RawViewDeserializer;
import dev.pageviews.job.source.ValidOrDeadLetter;
import dev.pageviews.job.window.CountLateView;
import dev.pageviews.job.window.CountViews;
import dev.pageviews.job.window.EmitPageCount;
import dev.pageviews.job.window.PageOfView;
import dev.pageviews.job.window.PreAggregate;
import dev.pageviews.job.window.SaltedPageKey;
import java.util.Properties;
import org.apache.flink.api.common.eventtime.TimestampAssignerSupplier;
import org.apache.flink.api.common.eventtime.WatermarkGeneratorSupplier;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.util.OutputTag;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * The job's dataflow:
 *
 * <pre>
 * Kafka views ─▶ validate ─┬─▶ keyBy event_id ─▶ count once per id ─┬─▶ page key ─▶ pre-aggregate ─▶ keyBy ─▶ 1 s event-time windows ─▶ counts ─┬─▶ Redis
 *                          │          (when --dedup-window > 0)       │                                                 └─ late views ─▶ +n ─────┘
 *                          │                                          └─▶ archive (when --archive-path is set)
 *                          └─▶ dead letters ─▶ Kafka views-dlq
 * </pre>
 *
 * The archive gets the same views as the counts: one line per counted view, its page_url as sent. The counts use
 * the page's key ({@link PageOfView}: the one place a view becomes the page it counts for).
 *
 * Every stateful operator and sink has a fixed uid, so savepoints survive changes to the code.
 */
public final class PageViewsTopology {

    public static final String SOURCE_UID = "kafka-views-source";
    public static final String VALIDATE_UID = "validate";
    public static final String DEAD_LETTER_SINK_UID = "dead-letter-sink";
    public static final String PRE_AGGREGATE_UID = "pre-aggregate";
    public static final String WINDOW_UID = "count-per-window";
    public static final String LATE_UID = "count-late";
    public static final String REDIS_SINK_UID = "redis-page-views";

    private static final OutputTag<PageCount> LATE_VIEWS = new OutputTag<>("late-views", Types.POJO(PageCount.class));

    private PageViewsTopology() {}

    /** Adds the whole job to {@code env}, with the parallelism the settings ask for. */
    public static void define(StreamExecutionEnvironment env, JobConfig config) {
        if (config.parallelism() > 0) {
            env.setParallelism(config.parallelism());
        }
        build(env, config);
    }

    /** Adds the job to {@code env}; returns the stream of counted views (for further branches). */
    public static DataStream<PageView> build(StreamExecutionEnvironment env, JobConfig config) {
        SingleOutputStreamOperator<RawView> records = env
                .fromSource(kafkaSource(config), watermarks(config), "kafka: " + config.topic())
                .uid(SOURCE_UID);

        SingleOutputStreamOperator<PageView> views = records
                .process(new ValidOrDeadLetter(), PageViewSerializer.TYPE)
                .name("validate")
                .uid(VALIDATE_UID);

        views.getSideOutput(ValidOrDeadLetter.DEAD_LETTERS)
                .sinkTo(deadLetterSink(config))
                .name("kafka: " + config.dlqTopic())
                .uid(DEAD_LETTER_SINK_UID);

        DataStream<PageView> counted = CountOncePerEventId.apply(views, config);

        SingleOutputStreamOperator<PageCount> counts = counted
                .map(new PageOfView(config.maxPageLength()), Types.STRING)
                .name("page key")
                .uid("page-url")
                .transform("pre-aggregate per page and window", Types.POJO(PageCount.class),
                        new PreAggregate(config.window().toMillis()))
                .uid(PRE_AGGREGATE_UID)
                .keyBy(windowKey(), Types.STRING)
                .window(TumblingEventTimeWindows.of(config.window()))
                .sideOutputLateData(LATE_VIEWS)
                .aggregate(new CountViews(), new EmitPageCount(), Types.LONG, Types.LONG, Types.POJO(PageCount.class))
                .name("count per page per window")
                .uid(WINDOW_UID);

        DataStream<PageCount> lateCounts = counts.getSideOutput(LATE_VIEWS)
                .map(new CountLateView())
                .name("count late views")
                .uid(LATE_UID);

        counts.union(lateCounts)
                .sinkTo(redisSink(config))
                .name("redis: " + config.redisKey())
                .uid(REDIS_SINK_UID);

        Archive.attach(counted, config);
        return counted;
    }

    /**
     * The key of the windows: the page behind a keyed hash of it, under a secret drawn now, when the job graph is
     * built ({@link SaltedPageKey}: a client cannot choose pages that collide in the windows' state).
     */
    static KeySelector<PageCount, String> windowKey() {
        return new SaltedPageKey(SipHash.withRandomKey());
    }

    static CheckedKafkaSource<RawView> kafkaSource(JobConfig config) {
        OffsetsInitializer start = switch (config.startingOffsets()) {
            case COMMITTED_OR_EARLIEST -> OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
            case EARLIEST -> OffsetsInitializer.earliest();
            case LATEST -> OffsetsInitializer.latest();
        };
        Properties connection = new Properties();
        connection.setProperty(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrap());
        KafkaSourceBuilder<RawView> builder = KafkaSource.<RawView>builder()
                .setProperties(connection)
                .setTopics(config.topic())
                .setGroupId(config.groupId())
                .setClientIdPrefix(config.groupId())
                .setDeserializer(new RawViewDeserializer())
                .setProperty("commit.offsets.on.checkpoint", "true")
                .setProperty("partition.discovery.interval.ms", "60000")
                // fewer, larger fetches: each fetch answered at once is a request the broker (on the same two cores
                // in up) handles while the edge waits for its produce acknowledgements (BENCHMARKS.md, edge)
                .setProperty("fetch.min.bytes", Long.toString(config.kafkaFetchMinSize()))
                .setProperty("fetch.max.wait.ms", Long.toString(config.kafkaFetchMaxWait().toMillis()));
        // where a split starts is checked against the partition's log before it is read (--kafka-lost-offsets)
        return CheckedKafkaSource.build(builder, start, connection, config.groupId(), config.lostOffsets());
    }

    static WatermarkStrategy<RawView> watermarks(JobConfig config) {
        long outOfOrderness = config.outOfOrderness().toMillis();
        long idleTimeout = config.idleTimeout().toMillis();
        long maxFutureSkew = config.maxFutureSkew().toMillis();
        WatermarkGeneratorSupplier<RawView> generator = context -> new ClockAdvancingWatermarks(outOfOrderness,
                idleTimeout, maxFutureSkew, System::currentTimeMillis, context.getInputActivityClock()::relativeTimeMillis);
        TimestampAssignerSupplier<RawView> timestamps = context -> new FutureBoundedTimestamps(maxFutureSkew,
                System::currentTimeMillis, context.getMetricGroup().counter(FutureBoundedTimestamps.CLAMPED_METRIC));
        return WatermarkStrategy.forGenerator(generator).withTimestampAssigner(timestamps);
    }

    static KafkaSink<DeadLetter> deadLetterSink(JobConfig config) {
        return KafkaSink.<DeadLetter>builder()
                .setBootstrapServers(config.kafkaBootstrap())
                .setRecordSerializer(new DeadLetterSerializer(config.dlqTopic()))
                .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                .build();
    }

    static Sink<PageCount> redisSink(JobConfig config) {
        RedisSinkSettings settings = new RedisSinkSettings(config.redis(), config.redisKey(), config.commitMarkerTtl(),
                config.redisTimeout(), RedisSinkSettings.DEFAULT_MAX_FIELDS_PER_COMMIT, config.staleCommits(), config.commitRules(),
                config.redisTls(), config.redisSentinelCredentials());
        return config.delivery() == JobConfig.Delivery.EXACTLY_ONCE
                ? new ExactlyOnceRedisSink(settings)
                : new AtLeastOnceRedisSink(settings);
    }
}
