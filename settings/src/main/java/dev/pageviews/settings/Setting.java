package dev.pageviews.settings;

import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * One setting: its flag ({@code --kafka-bootstrap}), its environment variable ({@code PAGEVIEWS_KAFKA_BOOTSTRAP}),
 * its default, its doc and its {@link ValueType}. Settings are defined once, as constants, with
 * {@link SettingsSchema#define}.
 */
public final class Setting<T> {

    private final String name;
    private final String envName;
    private final String defaultText;
    private final String doc;
    private final ValueType<T> type;
    private final UnaryOperator<String> shownAs;

    Setting(String name, String envName, String defaultText, String doc, ValueType<T> type, UnaryOperator<String> shownAs) {
        this.name = name;
        this.envName = envName;
        this.defaultText = defaultText;
        this.doc = doc;
        this.type = type;
        this.shownAs = shownAs;
    }

    /** The name without dashes: {@code window}. */
    public String name() {
        return name;
    }

    public String flag() {
        return "--" + name;
    }

    public String envName() {
        return envName;
    }

    /** The default as text, as a user would write it; empty when there is none. */
    public String defaultText() {
        return defaultText;
    }

    public String doc() {
        return doc;
    }

    public ValueType<T> type() {
        return type;
    }

    /** The text as logs and the Flink web UI may show it (secrets masked). */
    public String shown(String text) {
        return shownAs.apply(text);
    }

    /** {@code --window (PAGEVIEWS_WINDOW)}: how an error names this setting, whichever way it was given. */
    public String label() {
        return flag() + " (" + envName + ")";
    }

    T parse(String text) {
        try {
            return type.parse(text);
        } catch (IllegalArgumentException e) {
            throw new SettingsException(label() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return flag();
    }

    /** Builds a setting; {@link #of} adds it to its schema. */
    public static final class Builder {
        private final SettingsSchema schema;
        private final String name;
        private String defaultText = "";
        private String doc = "";
        private UnaryOperator<String> shownAs = UnaryOperator.identity();

        Builder(SettingsSchema schema, String name) {
            this.schema = schema;
            this.name = name;
        }

        public Builder defaultValue(String text) {
            this.defaultText = Objects.requireNonNull(text);
            return this;
        }

        public Builder doc(String text) {
            this.doc = text;
            return this;
        }

        /** How the value is shown in logs and the web UI, e.g. with a password masked. */
        public Builder shownAs(UnaryOperator<String> mask) {
            this.shownAs = mask;
            return this;
        }

        /** A secret: shown as {@code ***} when set. */
        public Builder secret() {
            return shownAs(text -> text.isEmpty() ? "" : "***");
        }

        public <T> Setting<T> of(ValueType<T> type) {
            return schema.add(new Setting<>(name, schema.envName(name), defaultText, doc, type, shownAs));
        }
    }
}
