package dev.pageviews.settings;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parsed, checked settings of one program: typed values by {@link Setting}, and the text each came from.
 * Serializable (values only), so a Flink job may carry them into its functions.
 */
public final class Settings implements Serializable {

    private static final long serialVersionUID = 1L;

    private final Map<String, Object> values;
    private final Map<String, String> texts;
    private final Map<String, String> shown;
    private final boolean helpRequested;
    private final transient SettingsSchema schema;

    private Settings(SettingsSchema schema, Map<String, Object> values, Map<String, String> texts, boolean helpRequested) {
        this.schema = schema;
        this.values = Collections.unmodifiableMap(values);
        this.texts = Collections.unmodifiableMap(texts);
        Map<String, String> masked = new LinkedHashMap<>();
        for (Setting<?> setting : schema.settings()) {
            masked.put(setting.name(), setting.shown(texts.get(setting.name())));
        }
        this.shown = Collections.unmodifiableMap(masked);
        this.helpRequested = helpRequested;
    }

    static Settings of(SettingsSchema schema, Map<Setting<?>, List<String>> given, boolean helpRequested) {
        Map<String, Object> values = new LinkedHashMap<>();
        Map<String, String> texts = new LinkedHashMap<>();
        given.forEach((setting, parts) -> {
            Object value;
            if (setting.type().isList()) {
                List<Object> items = new ArrayList<>();
                for (String part : parts) {
                    items.addAll((List<?>) setting.parse(part));
                }
                value = Collections.unmodifiableList(items);
            } else {
                value = setting.parse(parts.get(parts.size() - 1));
            }
            values.put(setting.name(), value);
            // as the user wrote it (24h stays 24h), so logs, the web UI and toArgs show their words
            texts.put(setting.name(), setting.type().isList() ? String.join(",", parts).trim() : parts.get(parts.size() - 1).trim());
        });
        Settings settings = new Settings(schema, values, texts, helpRequested);
        if (!helpRequested) {
            schema.runChecks(settings);
        }
        return settings;
    }

    @SuppressWarnings("unchecked")
    public <T> T get(Setting<T> setting) {
        if (!values.containsKey(setting.name())) {
            throw new IllegalArgumentException(setting.flag() + " is not a setting of this program");
        }
        return (T) values.get(setting.name());
    }

    /** The value's text as given (or the default's), in the syntax the flag takes. */
    public String text(Setting<?> setting) {
        return texts.get(setting.name());
    }

    public boolean helpRequested() {
        return helpRequested;
    }

    /** A copy with one setting changed; checked as a flag would be, cross-field checks included. */
    public <T> Settings with(Setting<T> setting, T value) {
        return withText(setting, setting.type().format(value));
    }

    /** A copy with one setting changed from its text. */
    public Settings withText(Setting<?> setting, String text) {
        if (schema == null) {
            throw new IllegalStateException("settings read back from a serialized form cannot be changed");
        }
        Map<Setting<?>, List<String>> given = new LinkedHashMap<>();
        for (Setting<?> s : schema.settings()) {
            given.put(s, new ArrayList<>(List.of(s == setting ? text : texts.get(s.name()))));
        }
        return of(schema, given, false);
    }

    /** For a check across fields: names the setting to change, its value as logs may show it, and says why. */
    public SettingsException invalid(Setting<?> setting, String why) {
        return new SettingsException(setting.label() + " is '" + setting.shown(text(setting)) + "': " + why);
    }

    /** Every setting as {@code --name value} arguments that parse back to these settings. */
    public String[] toArgs() {
        List<String> args = new ArrayList<>();
        texts.forEach((name, text) -> args.add("--" + name + "=" + text));
        return args.toArray(String[]::new);
    }

    /** Every setting by name as logs and the Flink web UI show them: secrets masked. */
    public Map<String, String> shown() {
        return shown;
    }

    @Override
    public String toString() {
        return shown().toString();
    }
}
