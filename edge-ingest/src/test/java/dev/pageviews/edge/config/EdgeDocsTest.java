package dev.pageviews.edge.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pageviews.settings.Setting;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README's settings table must list every flag with its variable, its real default and its doc. */
class EdgeDocsTest {

    @Test
    void readmeDocumentsEverySettingWithItsDefault() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        for (Setting<?> setting : EdgeConfig.settings()) {
            String defaultCell = setting.defaultText().isEmpty() ? "(none)" : "`" + setting.defaultText() + "`";
            assertThat(readme).as("README row for " + setting.flag())
                    .contains("| `" + setting.flag() + "` | `" + setting.envName() + "` | " + defaultCell + " | "
                            + setting.doc().replace("|", "\\|") + " |");
        }
    }
}
