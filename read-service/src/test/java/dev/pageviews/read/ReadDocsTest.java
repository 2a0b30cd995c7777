package dev.pageviews.read;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pageviews.settings.Setting;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README's settings table must list every flag with its variable, its real default and its doc. */
class ReadDocsTest {

    /** The README row of {@code setting}, as the table has it. */
    static String row(Setting<?> setting) {
        String defaultCell = setting.defaultText().isEmpty() ? "(none)" : "`" + setting.defaultText() + "`";
        return "| `" + setting.flag() + "` | `" + setting.envName() + "` | " + defaultCell + " | "
                + setting.doc().replace("|", "\\|") + " |";
    }

    @Test
    void readmeDocumentsEverySettingWithItsDefault() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        for (Setting<?> setting : ReadConfig.SCHEMA.settings()) {
            assertThat(readme).as("README row for " + setting.flag()).contains(row(setting));
        }
    }
}
