package dev.pageviews.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pageviews.stack.FreePorts;
import dev.pageviews.stack.LocalStackExtension;
import dev.pageviews.stack.S3Api;
import dev.pageviews.stack.S3Server;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.LocalInputFile;
import org.junit.jupiter.api.Test;

/** {@code ./pageviews up --s3 --archive-format json,parquet}: the local S3 server, the bucket, and the archive in it. */
class UpS3IT {

    /** Two hours ago, well within --archive-max-lateness: archived under the hour it happened. */
    private static final long TIMESTAMP = System.currentTimeMillis() / 1000 - 7200;
    private static final String PARTITION = dev.pageviews.job.archive.EventTimePartitions.partitionOf(TIMESTAMP);

    @Test
    void archivesToTheLocalS3ServerAndStopsIt() throws Exception {
        Path dataDir = LocalStackExtension.newWorkDir();
        UpConfig config = UpConfig.parse(new String[] {"--data-dir", dataDir.toString(), "--http-port", "0", "--edge-admin-port", "0", "--stats-port", "0",
            "--ui-port", Integer.toString(FreePorts.pick()), "--kafka-port", "0", "--redis-port", "0",
            "--s3", "--s3-port", "0", "--archive-format", "json,parquet"}, Map.of());
        assertThat(config.archivePath()).isEqualTo("s3://" + UpConfig.S3_BUCKET);
        S3Server s3;
        try (LocalPipeline pipeline = LocalPipeline.start(config, Map.of())) {
            s3 = pipeline.s3().orElseThrow();
            PipelineTraffic traffic = new PipelineTraffic(pipeline.httpPort(), Map.of());
            for (int i = 0; i < 40; i++) {
                assertThat(traffic.post("u" + i, "/s3/" + (i % 4), TIMESTAMP)).isEqualTo(202);
            }
            // Parquet part files are finished at every checkpoint (2 s), so they show up quickly
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (parquetRows(s3.api()) < 40 && System.nanoTime() < deadline) {
                Thread.sleep(500);
            }
            assertThat(parquetRows(s3.api())).isEqualTo(40);
            assertThat(finishedKeys(s3.api())).filteredOn(k -> k.startsWith("format=parquet/"))
                    .isNotEmpty()
                    .allMatch(k -> k.matches("format=parquet/" + PARTITION + "/views-[0-9a-f-]{36}-\\d+\\.parquet"));
        }
        assertThat(s3.isRunning()).isFalse();

        // What a reader finds after the clean stop (drained): the local S3 server, started again on its files, holds
        // the finished part files and the saved tails of finished JSON files (`_..._tmp_`, hidden from readers), but
        // none of the markers of open multipart uploads (S3Proxy's 0-byte `<upload id>` at the bucket root and
        // `.mpus-...-stub`): every upload was completed by the drain.
        try (S3Server again = S3Server.start(dataDir.resolve("s3"), 0)) {
            // Hadoop S3A keeps directory markers ("…/hour=13/", no data; its log: "Directory markers will be kept"): not views
            List<String> keys = again.api().list(UpConfig.S3_BUCKET, "").stream().map(S3Api.S3Object::key)
                    .filter(k -> !(k.startsWith("format=") && k.endsWith("/"))).toList();
            assertThat(keys).isNotEmpty().allMatch(k -> k.startsWith("format="), "only archive files, under format=")
                    .filteredOn(k -> k.startsWith("format=json/")).isNotEmpty()
                    .allMatch(k -> k.matches("format=json/" + PARTITION + "/(views-[0-9a-f-]{36}-\\d+\\.json"
                            + "|_views-[0-9a-f-]{36}-\\d+\\.json_tmp_[0-9a-f-]{36})"));
            long jsonViews = keys.stream().filter(k -> k.matches("format=json/.*/views-.*\\.json"))
                    .mapToLong(k -> new String(again.api().get(UpConfig.S3_BUCKET, k), java.nio.charset.StandardCharsets.UTF_8)
                            .lines().filter(l -> !l.isBlank()).count()).sum();
            assertThat(jsonViews).as("views in finished JSON files").isEqualTo(40);
        }
    }

    private static List<String> finishedKeys(S3Api s3) {
        return s3.list(UpConfig.S3_BUCKET, "format=").stream().map(S3Api.S3Object::key)
                .filter(k -> !k.contains("/_") && !k.contains("/.") && !k.endsWith("/")).toList(); // finished files only
    }

    private static long parquetRows(S3Api s3) {
        long rows = 0;
        for (String key : finishedKeys(s3)) {
            if (key.endsWith(".parquet")) {
                rows += rowCount(s3.get(UpConfig.S3_BUCKET, key));
            }
        }
        return rows;
    }

    private static long rowCount(byte[] parquet) {
        try {
            Path file = Files.createTempFile("up-s3-", ".parquet");
            try {
                Files.write(file, parquet);
                try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(file))) {
                    return reader.getRecordCount();
                }
            } finally {
                Files.delete(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
