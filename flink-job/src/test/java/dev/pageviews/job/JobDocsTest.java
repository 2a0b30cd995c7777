package dev.pageviews.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pageviews.event.PageKeys;
import dev.pageviews.settings.Setting;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The README's settings table must list every flag with its real default; its table of page keys must be the code's. */
class JobDocsTest {

    @Test
    void readmeDocumentsEverySettingWithItsDefault() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        for (Setting<?> setting : JobConfig.SCHEMA.settings()) {
            String defaultCell = setting.defaultText().isEmpty() ? "(none)" : "`" + setting.defaultText() + "`";
            assertThat(readme).as("README row for " + setting.flag())
                    .contains("| `" + setting.flag() + "` | `" + setting.envName() + "` | " + defaultCell + " |");
        }
    }

    @Test
    void theReadmesPageKeysAreWhatTheCodeCounts() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        Matcher row = Pattern.compile("(?m)^\\| `([^`]+)` \\| `([^`]+)` \\|$").matcher(readme);
        int rows = 0;
        while (row.find()) {
            assertThat(PageKeys.of(row.group(1), JobConfig.parse(new String[0], java.util.Map.of()).maxPageLength()))
                    .as("README: %s counted as", row.group(1)).isEqualTo(row.group(2));
            rows++;
        }
        assertThat(rows).as("rows of the README's table of page keys").isGreaterThanOrEqualTo(20);
    }
}
