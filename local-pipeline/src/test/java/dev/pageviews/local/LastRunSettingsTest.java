package dev.pageviews.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pageviews.job.JobConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LastRunSettingsTest {

    private static JobConfig config(String sentinelPassword, String window) {
        return JobConfig.parse(new String[] {"--redis", "redis-sentinel://app:data%2C%40secret@s1:26379#pv",
            "--redis-sentinel-password", sentinelPassword, "--window", window}, Map.of());
    }

    @Test
    void secretsAreNeitherKeptOnDiskNorNamedAsChanges(@TempDir Path dir) throws Exception {
        LastRunSettings.save(dir, config("sentinel,@secret", "1m"));
        String saved = Files.readString(dir.resolve(LastRunSettings.FILE));
        assertThat(saved).contains("window=1m").doesNotContain("secret");
        assertThat(LastRunSettings.changes(dir, config("other,@secret", "2m")))
                .containsExactly("--window 2m (was 1m)");
    }
}
