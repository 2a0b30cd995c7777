package dev.pageviews.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataDirTest {

    @TempDir
    Path tmp;

    @Test
    void freshKeepsTheOpenLogFileAndDeletesEverythingElse() throws Exception {
        Path dataDir = tmp.resolve("data");
        Files.createDirectories(dataDir.resolve("flink/checkpoints/chk-3"));
        Files.writeString(dataDir.resolve("flink/checkpoints/chk-3/_metadata"), "x");
        Files.createDirectories(dataDir.resolve("redis"));
        Files.writeString(dataDir.resolve("redis/appendonly.aof"), "x");
        Path log = dataDir.resolve("pageviews.log");
        // as log4j has it: opened for appending before up gets to --fresh
        try (Writer writer = Files.newBufferedWriter(log, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            writer.write("before --fresh\n");
            writer.flush();

            DataDir.clear(dataDir, List.of(log));

            writer.write("after --fresh\n");
        }
        try (var left = Files.list(dataDir)) {
            assertThat(left.toList()).containsExactly(log);
        }
        assertThat(Files.readString(log)).contains("after --fresh");
    }

    @Test
    void keepsFoldersLeadingToALogFileDeeperDown() throws Exception {
        Path dataDir = tmp.resolve("data");
        Path log = dataDir.resolve("logs/up.log");
        Files.createDirectories(log.getParent());
        Files.writeString(log, "x");
        Files.writeString(dataDir.resolve("logs/old.log"), "x");

        DataDir.clear(dataDir, List.of(log));

        assertThat(log).exists();
        assertThat(dataDir.resolve("logs/old.log")).doesNotExist();
    }

    @Test
    void withoutALogFileDeletesTheWholeDir() throws Exception {
        Path dataDir = tmp.resolve("data");
        Files.createDirectories(dataDir.resolve("kafka"));
        Files.writeString(dataDir.resolve("pageviews.log"), "x");

        DataDir.clear(dataDir, List.of());

        assertThat(dataDir).doesNotExist();
        DataDir.clear(tmp.resolve("missing"), List.of()); // nothing to do
    }
}
