package dev.pageviews.job;

import dev.pageviews.event.PageView;
import dev.pageviews.job.archive.Archive;
import dev.pageviews.job.archive.ArchiveSettings;
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
import dev.pageviews.job.count.CountedView;
import dev.pageviews.job.count.CountedViewSerializer;
import dev.pageviews.job.count.FirstVisits;
import dev.pageviews.job.count.ReportingTime;
import dev.pageviews.job.count.ViewOfPage;
import dev.pageviews.job.count.VisitorBucket;
import dev.pageviews.job.count.WindowCounts;
import dev.pageviews.job.window.PageCount;
import dev.pageviews.job.window.SaltedPageKey;
import java.util.Properties;
import java.util.function.UnaryOperator;
import org.apache.flink.api.common.eventtime.TimestampAssignerSupplier;
import org.apache.flink.api.common.eventtime.WatermarkGeneratorSupplier;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.util.OutputTag;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * The job's dataflow:
 *
 * <pre>
 * Kafka views ─▶ validate ─┬─▶ keyBy event_id ─▶ count once per id ─┬─▶ page key ─▶ keyBy user ─▶ first visits of the day ─▶ Redis
 *                          │          (when --dedup-window > 0)       │     (the keyBy and first visits when --stats)       (per checkpoint)
 *                          │                                          └─▶ archive (when --archive-path is set)
 *                          └─▶ dead letters ─▶ Kafka views-dlq
 * </pre>
 *
 * The archive gets the same views as the counts: one line per counted view, its page_url as sent. The counts use
 * the page's key ({@link ViewOfPage}: the one place a view becomes the page it counts for). The Redis sink sums the
 * views of each checkpoint per page and per minute and applies them when it completes: no window waits for its end,
 * and a late view adds to its own old buckets like any other.
 *
 * <p>The event-time windows that counted before that are still in the graph, fed nothing ({@link #legacyWindows}): a
 * checkpoint taken by a build that counted in them holds the views of windows not fired yet, and they fire and are
 * counted when the watermark passes them.
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
    public static final String FIRST_VISITS_UID = "first-visits";

    private static final OutputTag<PageCount> LATE_VIEWS = new OutputTag<>("late-views", Types.POJO(PageCount.class));

    private PageViewsTopology() {}

    /**
     * The job as every run outside {@code flink run} submits it ({@code up}, chaos, the benchmarks, the tests): defined
     * on {@code env}, which carries the Flink configuration ({@link FlinkSettings#of}), and named {@value
     * PageViewsJob#JOB_NAME}. {@code flink run} goes through {@link JobSubmission}, which builds on the cluster's
     * configuration instead.
     */
    public static StreamGraph streamGraph(StreamExecutionEnvironment env, JobConfig config) {
        return streamGraph(env, config, UnaryOperator.identity());
    }

    /**
     * The job with {@code beforeSink} applied to the views the Redis sink counts, just before it: the benchmark's way to
     * measure what a stage of its own costs there ({@code bench job only=stats-parts}). The job itself passes them on as
     * they are.
     */
    public static StreamGraph streamGraph(StreamExecutionEnvironment env, JobConfig config,
            UnaryOperator<DataStream<CountedView>> beforeSink) {
        define(env, config, beforeSink);
        StreamGraph graph = env.getStreamGraph();
        graph.setJobName(PageViewsJob.JOB_NAME);
        return graph;
    }

    /** {@link #streamGraph(StreamExecutionEnvironment, JobConfig)} in a new environment over {@code flink}. */
    public static StreamGraph streamGraph(Configuration flink, JobConfig config) {
        return streamGraph(StreamExecutionEnvironment.getExecutionEnvironment(flink), config);
    }

    /** Adds the whole job to {@code env}, with the parallelism the settings ask for. */
    public static void define(StreamExecutionEnvironment env, JobConfig config) {
        define(env, config, UnaryOperator.identity());
    }

    private static void define(StreamExecutionEnvironment env, JobConfig config, UnaryOperator<DataStream<CountedView>> beforeSink) {
        if (config.parallelism() > 0) {
            env.setParallelism(config.parallelism());
        }
        build(env, config, beforeSink);
    }

    /** Adds the job to {@code env}; returns the stream of counted views (for further branches). */
    public static DataStream<PageView> build(StreamExecutionEnvironment env, JobConfig config) {
        return build(env, config, UnaryOperator.identity());
    }

    private static DataStream<PageView> build(StreamExecutionEnvironment env, JobConfig config,
            UnaryOperator<DataStream<CountedView>> beforeSink) {
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

        DataStream<PageView> counted = CountOncePerEventId.apply(views, config.dedupWindow(), config.dedupMaxIdsPerBucket());

        DataStream<CountedView> toCount = counted
                .map(new ViewOfPage(config.maxPageLength()), CountedViewSerializer.TYPE)
                .name("page key")
                .uid("page-url");
        if (config.stats()) {
            toCount = toCount
                    .keyBy(new VisitorBucket(), Types.INT)
                    .transform("first visits of the day", CountedViewSerializer.TYPE,
                            new FirstVisits(new ReportingTime(config.timeZone()), config.visitorWindow(), config.visitorMaxPerBucket()))
                    .uid(FIRST_VISITS_UID);
        }
        beforeSink.apply(toCount).union(legacyWindows(counted, config))
                .sinkTo(redisSink(config))
                .name("redis: " + config.redisKey())
                .uid(REDIS_SINK_UID);

        Archive.attach(counted, new ArchiveSettings(config.archivePath(), config.archiveFormats(), config.archiveJsonGzip(),
                config.archiveRollInterval(), config.archiveMaxPartSizeBytes(), config.archiveMaxLateness()));
        return counted;
    }

    /**
     * The windows that counted the views of a build before per-checkpoint counting, fed nothing: restored from such a
     * build's checkpoint, they fire with the watermark and their counts reach Redis like any others (each as the views
     * of its window's last millisecond, in that minute's buckets). Their uids and types are those of that build.
     */
    private static DataStream<CountedView> legacyWindows(DataStream<PageView> counted, JobConfig config) {
        SingleOutputStreamOperator<PageCount> counts = counted
                .flatMap((PageView view, org.apache.flink.util.Collector<PageCount> none) -> { }, Types.POJO(PageCount.class))
                .name("windows of older builds: no input")
                .uid(PRE_AGGREGATE_UID)
                .keyBy(windowKey(), Types.STRING)
                .window(TumblingEventTimeWindows.of(config.window()))
                .sideOutputLateData(LATE_VIEWS)
                .aggregate(new CountViews(), new EmitPageCount(), Types.LONG, Types.LONG, Types.POJO(PageCount.class))
                .name("count per page per window (older builds' state)")
                .uid(WINDOW_UID);
        DataStream<PageCount> lateCounts = counts.getSideOutput(LATE_VIEWS)
                .map(new CountLateView())
                .name("count late views (older builds' state)")
                .uid(LATE_UID);
        return counts.union(lateCounts)
                .process(new WindowCounts(), CountedViewSerializer.TYPE)
                .name("window counts as views")
                .uid("window-counts-as-views");
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
        Properties connection = kafkaConnection(config);
        KafkaSourceBuilder<RawView> builder = KafkaSource.<RawView>builder()
                .setProperties(connection)
                .setTopics(config.topic())
                .setGroupId(config.groupId())
                .setClientIdPrefix(config.groupId())
                .setDeserializer(new RawViewDeserializer())
                .setProperty("commit.offsets.on.checkpoint", "true")
                .setProperty("partition.discovery.interval.ms", "60000")
                // fewer, larger fetches: each fetch answered at once is a request the broker (on the same two cores
                // in up) handles while the edge waits for its produce acknowledgements (BENCHMARKS.md, "Why the
                // job's consumer asks for larger fetches")
                .setProperty("fetch.min.bytes", Long.toString(config.kafkaFetchMinSize()))
                .setProperty("fetch.max.wait.ms", Long.toString(config.kafkaFetchMaxWait().toMillis()));
        // where a split starts is checked against the partition's log before it is read (--kafka-lost-offsets)
        return CheckedKafkaSource.build(builder, start, connection, config.groupId(), config.lostOffsets(),
                JobConfig.KAFKA_PROPERTIES.label(), config.topic(), config.dlqTopic());
    }

    /** What every Kafka client of the job connects with: the bootstrap servers and --kafka-properties (security). */
    static Properties kafkaConnection(JobConfig config) {
        Properties connection = new Properties();
        connection.putAll(config.kafkaProperties());
        connection.setProperty(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrap());
        return connection;
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
                .setKafkaProducerConfig(kafkaConnection(config))
                .setRecordSerializer(new DeadLetterSerializer(config.dlqTopic()))
                .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                .build();
    }

    static Sink<CountedView> redisSink(JobConfig config) {
        RedisSinkSettings settings = new RedisSinkSettings(config.redis(), config.redisKey(), config.commitMarkerTtl(),
                config.redisTimeout(), RedisSinkSettings.DEFAULT_MAX_FIELDS_PER_COMMIT, config.staleCommits(), config.commitRules(),
                config.redisTls(), config.redisSentinelCredentials(), config.stats() ? config.statsSettings()
                        : config.statsSettings().off());
        return config.delivery() == JobConfig.Delivery.EXACTLY_ONCE
                ? new ExactlyOnceRedisSink(settings)
                : new AtLeastOnceRedisSink(settings);
    }
}
