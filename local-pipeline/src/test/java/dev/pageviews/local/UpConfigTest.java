package dev.pageviews.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pageviews.job.archive.ArchiveFormat;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class UpConfigTest {

    private static UpConfig parse(Map<String, String> env, String... args) {
        return UpConfig.parse(args, env);
    }

    @Test
    void hasTheDocumentedDefaults() {
        UpConfig config = parse(Map.of());
        assertThat(config.httpPort()).isEqualTo(8080);
        assertThat(config.uiPort()).isEqualTo(8081);
        assertThat(config.statsPort()).isEqualTo(8090);
        assertThat(config.dataDir()).isEqualTo(Path.of(".pageviews").toAbsolutePath().normalize());
        assertThat(config.fresh()).isFalse();
        assertThat(config.archivePath()).isEqualTo(config.dataDir().resolve("archive").toUri().toString().replaceAll("/$", ""));
        assertThat(config.archiveFormat()).isEqualTo("json");
        assertThat(config.window()).isEqualTo("1s");
        assertThat(config.dedupWindow()).isEqualTo("24h");
    }

    @Test
    void anArchivePathLeftEmptyIsTheDefaultAndNoneIsOffAsInTheJob() {
        assertThat(parse(Map.of("PAGEVIEWS_ARCHIVE_PATH", "")).archivePath()).endsWith("/archive");
        assertThat(parse(Map.of(), "--archive-path", "none").archivePath()).isEmpty();
        assertThat(parse(Map.of(), "--archive-path", "None").archivePath()).isEmpty(); // any case, as the job reads it
        assertThat(parse(Map.of("PAGEVIEWS_ARCHIVE_PATH", "none")).archivePath()).isEmpty();
        assertThat(parse(Map.of(), "--s3").archivePath()).isEqualTo("s3://" + UpConfig.S3_BUCKET);
        assertThatThrownBy(() -> parse(Map.of(), "--archive-path", "/tmp/archive"))
                .hasMessageStartingWith("--archive-path (PAGEVIEWS_ARCHIVE_PATH): '/tmp/archive' is not a path with a scheme");
        assertThatThrownBy(() -> parse(Map.of(), "--archive-path", "s3://elsewhere/views"))
                .hasMessageStartingWith("--archive-path (PAGEVIEWS_ARCHIVE_PATH) is 's3://elsewhere/views': is on S3, but up "
                        + "only knows the local S3 server");
    }

    @Test
    void switchesTakeNoValueOrTrueOrFalse() {
        assertThat(parse(Map.of(), "--fresh").fresh()).isTrue();
        assertThat(parse(Map.of(), "--fresh", "false", "--s3", "--http-port", "0").fresh()).isFalse();
        assertThat(parse(Map.of("PAGEVIEWS_FRESH", "true")).fresh()).isTrue();
    }

    @Test
    void jobSettingsAreCheckedByTheJobsOwnTypesAndNamedAsUpFlags() {
        assertThat(parse(Map.of(), "--window", "10 s", "--dedup-window", "0").window()).isEqualTo("10 s"); // passed on as written
        assertThatThrownBy(() -> parse(Map.of(), "--window", "soon"))
                .hasMessage("--window (PAGEVIEWS_WINDOW): 'soon' is not a duration; write e.g. 500ms, 2s, 10min, 1h or 7d");
        assertThatThrownBy(() -> parse(Map.of(), "--archive-format", "csv"))
                .hasMessage("--archive-format (PAGEVIEWS_ARCHIVE_FORMAT): 'csv' is not one of json, parquet");
    }

    @Test
    void twoServicesOnOnePortAreRefused() {
        assertThatThrownBy(() -> parse(Map.of(), "--ui-port", "8080"))
                .hasMessage("--ui-port (PAGEVIEWS_UI_PORT) is '8080': is --http-port too; give each service its own port "
                        + "(0 picks a free one)");
        assertThat(parse(Map.of(), "--http-port", "0", "--ui-port", "0").uiPort()).isZero();
        assertThatThrownBy(() -> parse(Map.of("PAGEVIEWS_EDGE_ADMIN_PORT", "9092")))
                .hasMessageStartingWith("--kafka-port (PAGEVIEWS_KAFKA_PORT) is '9092': is --edge-admin-port too");
        assertThat(parse(Map.of(), "--s3-port", "8080").s3Port()).isEqualTo(8080); // unused without --s3
        assertThatThrownBy(() -> parse(Map.of("PAGEVIEWS_STATS_PORT", "8081")))
                .hasMessageStartingWith("--stats-port (PAGEVIEWS_STATS_PORT) is '8081': is --ui-port too");
    }

    @Test
    void restoreFromTakesALocalPathOrFileUriAndNotWithFresh() {
        assertThat(parse(Map.of()).restoreFrom()).isEmpty();
        assertThat(parse(Map.of(), "--restore-from", "sp/savepoint-1").restoreFrom())
                .contains(Path.of("sp/savepoint-1").toAbsolutePath().normalize());
        assertThat(parse(Map.of("PAGEVIEWS_RESTORE_FROM", "file:/backups/savepoint-abcdef-0123")).restoreFrom())
                .contains(Path.of("/backups/savepoint-abcdef-0123"));
        assertThatThrownBy(() -> parse(Map.of(), "--restore-from", "s3://bucket/savepoints/savepoint-1"))
                .hasMessage("--restore-from (PAGEVIEWS_RESTORE_FROM): 's3://bucket/savepoints/savepoint-1' is not a local path; "
                        + "up resumes from a directory on this machine (a path, or a file: URI)");
        assertThatThrownBy(() -> parse(Map.of(), "--restore-from", "/backups/sp", "--fresh"))
                .hasMessageStartingWith("--restore-from (PAGEVIEWS_RESTORE_FROM) is '/backups/sp': goes with --fresh");
    }

    @Test
    void copiesAreCheckedAsTheirFlagsAndDeriveTheirPathsAnew() {
        UpConfig config = parse(Map.of(), "--data-dir", "/tmp/up", "--http-port", "0");
        UpConfig moved = config.with(UpConfig.DATA_DIR, "/tmp/elsewhere");
        assertThat(moved.dataDir()).isEqualTo(Path.of("/tmp/elsewhere"));
        assertThat(moved.archivePath()).isEqualTo("file:///tmp/elsewhere/archive");
        assertThat(moved.httpPort()).isZero();
        assertThat(config.dataDir()).isEqualTo(Path.of("/tmp/up")); // unchanged
        assertThat(config.with(UpConfig.WINDOW, Duration.ofSeconds(5)).window()).isEqualTo("5s");
        assertThat(config.with(UpConfig.DEDUP_WINDOW, Duration.ZERO).dedupWindow()).isEqualTo("0ms");
        assertThat(config.with(UpConfig.ARCHIVE_FORMAT, List.of(ArchiveFormat.JSON, ArchiveFormat.PARQUET)).archiveFormat())
                .isEqualTo("json,parquet");
        assertThat(config.with(UpConfig.ARCHIVE_PATH, "none").archivePath()).isEmpty();
        assertThat(config.with(UpConfig.RESTORE_FROM, Optional.of(Path.of("/backups/sp"))).restoreFrom())
                .contains(Path.of("/backups/sp"));

        assertThatThrownBy(() -> config.with(UpConfig.UI_PORT, 9092))
                .hasMessageStartingWith("--kafka-port (PAGEVIEWS_KAFKA_PORT) is '9092': is --ui-port too");
        assertThatThrownBy(() -> config.with(UpConfig.ARCHIVE_PATH, "s3://elsewhere/views"))
                .hasMessageStartingWith("--archive-path (PAGEVIEWS_ARCHIVE_PATH) is 's3://elsewhere/views': is on S3");
        assertThatThrownBy(() -> config.with(UpConfig.FRESH, true).with(UpConfig.RESTORE_FROM, Optional.of(Path.of("/sp"))))
                .hasMessageStartingWith("--restore-from (PAGEVIEWS_RESTORE_FROM) is '/sp': goes with --fresh");
        assertThatThrownBy(() -> config.with(UpConfig.DEDUP_WINDOW, Duration.ofDays(4000)))
                .hasMessageStartingWith("--dedup-window (PAGEVIEWS_DEDUP_WINDOW): ");
    }

    @Test
    void helpListsEverySettingWithItsVariable() {
        assertThat(UpConfig.asksForHelp(new String[] {"-h"})).isTrue();
        assertThat(UpConfig.asksForHelp(new String[] {"--fresh", "--help"})).isTrue();
        assertThat(parse(Map.of(), "--help").helpRequested()).isTrue();
        assertThat(parse(Map.of()).helpRequested()).isFalse();
        assertThat(UpConfig.help()).contains("Usage: ./pageviews up", "--http-port <port>", "PAGEVIEWS_HTTP_PORT, default: 8080",
                "--fresh [true|false]", "--dedup-window <duration>",
                "--restore-from <dir>", "PAGEVIEWS_RESTORE_FROM, default: (none)");
        assertThatThrownBy(() -> parse(Map.of(), "--windo", "1s")).hasMessageContaining("did you mean --window?");
    }
}
