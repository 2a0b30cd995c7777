package dev.pageviews.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pageviews.stack.LocalStackExtension;
import dev.pageviews.stack.RedisServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Jedis;

/**
 * The archive as a data engineer reads it: DuckDB (its JDBC driver) reads the Hive-partitioned JSON and Parquet archive
 * that {@code ./pageviews up --archive-format json,parquet} left after a clean stop, and its per-page counts equal
 * Redis's, for views over three hours (most of them late when they arrive) with dead letters among them. The queries
 * are the ones flink-job/README.md shows, with {@code <archive>} replaced.
 */
class ArchiveQueryIT {

    private static final Logger LOG = LoggerFactory.getLogger(ArchiveQueryIT.class);
    static final String VIEWS_PER_PAGE_JSON = "SELECT page_url, count(*) AS views\n"
            + "FROM read_json('<archive>/format=json/*/*/*.json', hive_partitioning = true)\n"
            + "GROUP BY page_url ORDER BY page_url;";
    static final String VIEWS_PER_PAGE_PARQUET = "SELECT page_url, count(*) AS views\n"
            + "FROM read_parquet('<archive>/format=parquet/*/*/*.parquet', hive_partitioning = true)\n"
            + "GROUP BY page_url ORDER BY page_url;";
    static final String VIEWS_PER_HOUR = "SELECT dt, hour, count(*) AS views\n"
            + "FROM read_parquet('<archive>/format=parquet/*/*/*.parquet', hive_partitioning = true)\n"
            + "GROUP BY dt, hour ORDER BY dt, hour;";

    private final Path dataDir = LocalStackExtension.newWorkDir();
    private final UpProcesses up = new UpProcesses(dataDir);
    private final PipelineTraffic client = new PipelineTraffic(up.httpPort, Map.of());

    @AfterEach
    void killWhatIsLeft() throws Exception {
        up.killLeftovers();
    }

    @Test
    void duckDbCountsFromTheJsonAndParquetArchiveEqualRedisCounts() throws Exception {
        Process running = up.start("archive", Map.of(), "--archive-format", "json,parquet");
        up.awaitReady();
        long now = System.currentTimeMillis() / 1000;
        int sent = 0;
        for (long ago : new long[] {2 * 3600 + 600, 3600 + 60, 5}) { // three hours: the older views arrive late
            for (int i = 0; i < 40; i++) {
                assertThat(client.post(new PipelineTraffic.View("u" + i, "/q/" + (char) ('a' + i % 5), now - ago + i % 4,
                        "q-" + ago + "-" + i))).isEqualTo(202);
                sent++;
            }
        }
        List<String> deadLetters = List.of("not json", "{\"user_id\":\"u\",\"page_url\":\"/q/dead\"}", "[1,2]");
        produceToViews(deadLetters); // bypassing the edge: the job sends them to views-dlq, neither counted nor archived
        Thread.sleep(3000);
        up.stop(running);

        Map<String, Long> redis;
        try (RedisServer server = RedisServer.start(dataDir.resolve("redis"), 0, RedisServer.Persistence.APPEND_ONLY);
                Jedis jedis = new Jedis("127.0.0.1", server.port())) {
            redis = PipelineTraffic.counts(jedis);
        }
        String archive = dataDir.resolve("archive").toString();
        Map<String, Long> json;
        Map<String, Long> parquet;
        Map<String, Long> hours;
        try (Connection duck = DriverManager.getConnection("jdbc:duckdb:")) {
            json = query(duck, VIEWS_PER_PAGE_JSON.replace("<archive>", archive));
            parquet = query(duck, VIEWS_PER_PAGE_PARQUET.replace("<archive>", archive));
            hours = query(duck, VIEWS_PER_HOUR.replace("<archive>", archive));
        }
        LOG.info("{} views over 3 hours and {} dead letters; Redis {}; DuckDB on JSON {}, on Parquet {}; per hour {}",
                sent, deadLetters.size(), redis, json, parquet, hours);

        assertThat(redis).isEqualTo(client.expected());
        assertThat(json).isEqualTo(redis);
        assertThat(parquet).isEqualTo(redis);
        assertThat(hours.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(sent);
        assertThat(hours).hasSizeGreaterThanOrEqualTo(3);
        String readme = Files.readString(Path.of("..", "flink-job", "README.md"), StandardCharsets.UTF_8);
        assertThat(readme).as("the README shows the queries this test runs")
                .contains(VIEWS_PER_PAGE_JSON, VIEWS_PER_PAGE_PARQUET, VIEWS_PER_HOUR);
    }

    /** The first column (joined with the second when there are three) to the last, a count. */
    private static Map<String, Long> query(Connection duck, String sql) throws Exception {
        Map<String, Long> rows = new TreeMap<>();
        try (Statement statement = duck.createStatement(); ResultSet result = statement.executeQuery(sql)) {
            int columns = result.getMetaData().getColumnCount();
            while (result.next()) {
                List<String> key = new ArrayList<>();
                for (int c = 1; c < columns; c++) {
                    key.add(result.getString(c));
                }
                rows.put(String.join(" ", key), result.getLong(columns));
            }
        }
        return rows;
    }

    private void produceToViews(List<String> values) throws Exception {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + up.kafkaPort);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (String value : values) {
                producer.send(new ProducerRecord<>("views", value.getBytes(StandardCharsets.UTF_8))).get();
            }
        }
    }
}
