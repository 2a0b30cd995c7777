package dev.pageviews.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README's settings table must list every flag with its real default. */
class JobDocsTest {

    @Test
    void readmeDocumentsEverySettingWithItsDefault() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        for (JobConfig.Option option : JobConfig.OPTIONS) {
            String defaultCell = option.defaultValue().isEmpty() ? "(none)" : "`" + option.defaultValue() + "`";
            assertThat(readme).as("README row for --" + option.flag())
                    .contains("| `--" + option.flag() + "` | `" + option.env() + "` | " + defaultCell + " |");
        }
    }
}
