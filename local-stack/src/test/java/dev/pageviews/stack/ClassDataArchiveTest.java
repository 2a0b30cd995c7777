package dev.pageviews.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClassDataArchiveTest {

    private final Path dir = LocalStackExtension.newWorkDir().resolve("cds");
    private final Path archive = dir.resolve("kafka-broker.jsa");

    @Test
    void recordsToAFileOfItsOwnWhenThereIsNoArchive() throws Exception {
        Path jar = file(dir.resolve("lib/a.jar"), 1_000);

        List<String> options = ClassDataArchive.options(archive, jar.toString());

        assertThat(options.get(0)).startsWith("-XX:ArchiveClassesAtExit=" + archive.toAbsolutePath() + "."
                + ProcessHandle.current().pid() + "-");
        assertThat(options).contains("-Xlog:cds=off", "-Xlog:cds+dynamic=off");
        assertThat(ClassDataArchive.options(archive, jar.toString()).get(0))
                .as("a second JVM started meanwhile records to another file").isNotEqualTo(options.get(0));
    }

    @Test
    void mapsAnArchiveNewerThanEveryJar() throws Exception {
        Path a = file(dir.resolve("lib/a.jar"), 1_000);
        Path b = file(dir.resolve("lib/b.jar"), 2_000);
        file(archive, 3_000);

        assertThat(ClassDataArchive.options(archive, a + File.pathSeparator + b))
                .containsExactly("-XX:SharedArchiveFile=" + archive.toAbsolutePath(), "-Xlog:cds=off", "-Xlog:cds+dynamic=off");
    }

    @Test
    void recordsAgainWhenAJarIsNewerThanTheArchive() throws Exception {
        Path a = file(dir.resolve("lib/a.jar"), 1_000);
        Path rebuilt = file(dir.resolve("lib/b.jar"), 4_000);
        file(archive, 3_000);

        assertThat(ClassDataArchive.options(archive, a + File.pathSeparator + rebuilt).get(0))
                .startsWith("-XX:ArchiveClassesAtExit=");
    }

    @Test
    void adoptsTheNewestRecordingAndDropsTheOthers() throws Exception {
        Path jar = file(dir.resolve("lib/a.jar"), 1_000);
        file(archive, 500); // older than the jar: would be recorded again
        Path older = file(dir.resolve("kafka-broker.jsa.111-1"), 2_000);
        Path newest = file(dir.resolve("kafka-broker.jsa.222-1"), 3_000);
        Files.writeString(newest, "newest");
        Path otherArchive = file(dir.resolve("kafka-format.jsa.222-2"), 3_000);

        assertThat(ClassDataArchive.options(archive, jar.toString()).get(0))
                .isEqualTo("-XX:SharedArchiveFile=" + archive.toAbsolutePath());
        assertThat(archive).hasContent("newest");
        assertThat(older).doesNotExist();
        assertThat(newest).doesNotExist();
        assertThat(otherArchive).as("another archive's recording is left alone").exists();
    }

    @Test
    void startsWithoutAnArchiveWhereNoneCanBeKept() throws Exception {
        Path notADirectory = file(dir.resolve("target"), 1_000); // a file where the archives' directory should be

        assertThat(ClassDataArchive.options(notADirectory.resolve("kafka-broker.jsa"), "a.jar")).isEmpty();
    }

    @Test
    void noOptionsUnlessADirectoryIsGiven() {
        String before = System.getProperty(ClassDataArchive.DIR_PROPERTY);
        System.clearProperty(ClassDataArchive.DIR_PROPERTY);
        try {
            assertThat(ClassDataArchive.options("kafka-broker", "a.jar")).isEmpty();
            System.setProperty(ClassDataArchive.DIR_PROPERTY, dir.toString());
            assertThat(ClassDataArchive.options("kafka-broker", "a.jar").get(0))
                    .startsWith("-XX:ArchiveClassesAtExit=" + archive.toAbsolutePath() + ".");
        } finally {
            if (before == null) {
                System.clearProperty(ClassDataArchive.DIR_PROPERTY);
            } else {
                System.setProperty(ClassDataArchive.DIR_PROPERTY, before);
            }
        }
    }

    private static Path file(Path path, long modifiedMillis) throws Exception {
        Files.createDirectories(path.getParent());
        if (!Files.exists(path)) {
            Files.writeString(path, "x");
        }
        Files.setLastModifiedTime(path, FileTime.fromMillis(modifiedMillis));
        return path;
    }
}
