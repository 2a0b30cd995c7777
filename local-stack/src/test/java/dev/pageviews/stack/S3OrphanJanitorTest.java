package dev.pageviews.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import org.junit.jupiter.api.Test;

class S3OrphanJanitorTest {

    @Test
    void removesOnlyOldFilesThatS3ProxyNeverFinished() throws Exception {
        Path data = LocalStackExtension.newWorkDir().resolve("data");
        Path folder = Files.createDirectories(data.resolve("bucket/format=json/dt=2024-11-05/hour=09"));
        long now = System.currentTimeMillis();
        Path finished = file(folder.resolve("views-1.json"), now - 60_000);
        Files.getFileAttributeView(finished, UserDefinedFileAttributeView.class)
                .write("user.content-md5", ByteBuffer.wrap("md5".getBytes(StandardCharsets.UTF_8)));
        Path abandoned = file(folder.resolve("views-2.json-7d824055-2116-4b4d-9d22-ef0ee0a21fc2"), now - 60_000);
        Path inProgress = file(folder.resolve("views-3.json-1d98fdba-bb6a-4360-8222-6f1ae340cdde"), now - 1_000);

        try (S3OrphanJanitor janitor = new S3OrphanJanitor(data)) {
            assertThat(janitor.sweep(now)).containsExactly(abandoned);
        }
        assertThat(abandoned).doesNotExist();
        assertThat(finished).exists();
        assertThat(inProgress).as("may still be receiving its body").exists();
    }

    private static Path file(Path path, long modifiedAt) throws Exception {
        Files.write(path, new byte[] {1, 2, 3});
        Files.setLastModifiedTime(path, FileTime.fromMillis(modifiedAt));
        return path;
    }
}
