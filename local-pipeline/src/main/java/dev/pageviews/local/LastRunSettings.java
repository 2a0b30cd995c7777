package dev.pageviews.local;

import dev.pageviews.job.JobConfig;
import dev.pageviews.settings.Setting;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;

/**
 * The job settings of the last run whose job started, kept in the data dir, so that when state cannot be restored
 * {@code up} can name the settings that changed since. Addresses (ports, directories) and secrets are left out:
 * they change freely and do not shape the state.
 */
final class LastRunSettings {

    static final String FILE = "last-run-settings.properties";
    private static final Set<Setting<?>> IGNORED = Set.of(JobConfig.KAFKA_BOOTSTRAP, JobConfig.REDIS,
            JobConfig.CHECKPOINT_DIR, JobConfig.SAVEPOINT_DIR);

    private LastRunSettings() {}

    static void save(Path dir, JobConfig config) {
        Properties props = new Properties();
        for (Setting<?> setting : JobConfig.SCHEMA.settings()) {
            if (!ignored(setting, config)) {
                props.setProperty(setting.name(), config.text(setting));
            }
        }
        try {
            Files.createDirectories(dir);
            try (Writer out = Files.newBufferedWriter(dir.resolve(FILE))) {
                props.store(out, "settings of the last ./pageviews up whose job started");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + dir.resolve(FILE), e);
        }
    }

    /** "--flag now (was before)" for each setting that differs from the last run's; empty when unknown. */
    static List<String> changes(Path dir, JobConfig config) {
        Path file = dir.resolve(FILE);
        List<String> changes = new ArrayList<>();
        if (!Files.exists(file)) {
            return changes;
        }
        Properties last = new Properties();
        try (Reader in = Files.newBufferedReader(file)) {
            last.load(in);
        } catch (IOException e) {
            return changes; // only used to explain a failure; never the cause of one
        }
        for (Setting<?> setting : JobConfig.SCHEMA.settings()) {
            String before = last.getProperty(setting.name());
            String now = config.text(setting);
            if (before != null && !ignored(setting, config) && !now.equals(before)) {
                changes.add(setting.flag() + " " + shown(now) + " (was " + shown(before) + ")");
            }
        }
        changes.sort(null);
        return changes;
    }

    /** An address, or a secret (one that logs show masked): neither is kept on disk nor named in a message. */
    private static boolean ignored(Setting<?> setting, JobConfig config) {
        String text = config.text(setting);
        return IGNORED.contains(setting) || !setting.shown(text).equals(text);
    }

    private static String shown(String value) {
        return value.isEmpty() ? "''" : value;
    }
}
