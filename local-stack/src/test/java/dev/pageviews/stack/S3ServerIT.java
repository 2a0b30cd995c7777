package dev.pageviews.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.Test;

class S3ServerIT {

    @Test
    void servesTheS3ApiWithSignedRequestsOnlyAndStops() throws Exception {
        Path dir = LocalStackExtension.newWorkDir();
        long pid;
        try (S3Server s3 = S3Server.start(dir, 0)) {
            s3.createBucket("archive");
            s3.createBucket("archive"); // again: already ours, fine
            s3.api().put("archive", "format=json/dt=2024-11-05/hour=09/views-1.json",
                    "{\"user_id\":\"u\"}\n".getBytes(StandardCharsets.UTF_8));
            // the file-system store keeps an object as a file under data/<bucket>/<key>
            assertThat(dir.resolve("data/archive/format=json/dt=2024-11-05/hour=09/views-1.json")).hasContent("{\"user_id\":\"u\"}");
            assertThat(s3.api().list("archive", "format=json/"))
                    .containsExactly(new S3Api.S3Object("format=json/dt=2024-11-05/hour=09/views-1.json", 16));
            assertThat(new String(s3.api().get("archive", "format=json/dt=2024-11-05/hour=09/views-1.json"),
                    StandardCharsets.UTF_8)).isEqualTo("{\"user_id\":\"u\"}\n");
            assertThat(new S3Api(s3.endpoint(), s3.accessKey(), "wrong-secret").answers()).isFalse();
            assertThatThrownBy(() -> new S3Api(s3.endpoint(), s3.accessKey(), "wrong-secret").list("archive", ""))
                    .hasMessageContaining("HTTP 403");
            pid = Long.parseLong(Files.readString(dir.resolve("s3proxy.pid")).trim());
        }
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    }

    @Test
    void keepsListingAFolderWhereAnUploadWasAbandonedMidBody() throws Exception {
        Path dir = LocalStackExtension.newWorkDir();
        try (S3Server s3 = S3Server.start(dir, 0)) {
            s3.createBucket("archive");
            s3.api().put("archive", "hour=09/views-1.json", "{}\n".getBytes(StandardCharsets.UTF_8));
            Path object = dir.resolve("data/archive/hour=09/views-1.json");
            Files.setLastModifiedTime(object, FileTime.fromMillis(System.currentTimeMillis() - 60_000)); // old, and finished
            // what S3Proxy leaves when a PUT's client goes away mid-body: its temporary file, without metadata
            Path abandoned = dir.resolve("data/archive/hour=09/views-2.json-7d824055-2116-4b4d-9d22-ef0ee0a21fc2");
            Files.write(abandoned, new byte[0]);
            Files.setLastModifiedTime(abandoned, FileTime.fromMillis(System.currentTimeMillis() - 60_000));

            assertThat(s3.api().list("archive", "hour=09/"))
                    .containsExactly(new S3Api.S3Object("hour=09/views-1.json", 3));
            assertThat(abandoned).doesNotExist();
            assertThat(object).as("a finished object is never swept").exists();
            assertThat(s3.api().get("archive", "hour=09/views-1.json")).asString(StandardCharsets.UTF_8).isEqualTo("{}\n");
        }
    }
}
