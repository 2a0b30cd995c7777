package dev.pageviews.settings;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The settings of one program (the edge, the job, {@code up}): defined once as constants, parsed once from the
 * command line over the environment over the defaults, then checked across fields.
 *
 * <p>Command line: {@code --name value} or {@code --name=value}; a boolean may be a bare {@code --name}; a list
 * may repeat its flag; {@code --help} or {@code -h} asks for {@link #help()}. Environment: the flag in upper snake
 * case after the program's prefix ({@code --kafka-bootstrap} → {@code PAGEVIEWS_KAFKA_BOOTSTRAP}); an empty
 * variable counts as unset, as it usually means "not configured" in a container spec.
 */
public final class SettingsSchema {

    private final String program;
    private final String envPrefix;
    private final String summary;
    private final List<Setting<?>> settings = new ArrayList<>();
    private final List<Consumer<Settings>> checks = new ArrayList<>();

    /**
     * @param program   how the program is started, for the usage line
     * @param envPrefix {@code PAGEVIEWS_} or {@code EDGE_}
     * @param summary   what the program does, one sentence
     */
    public SettingsSchema(String program, String envPrefix, String summary) {
        this.program = program;
        this.envPrefix = envPrefix;
        this.summary = summary;
    }

    /** Starts the definition of a setting named {@code name} (its flag without dashes). */
    public Setting.Builder define(String name) {
        if (!name.matches("[a-z][a-z0-9]*(-[a-z0-9]+)*")) {
            throw new IllegalArgumentException("setting names are lower case words joined by dashes: " + name);
        }
        return new Setting.Builder(this, name);
    }

    /**
     * A check across settings, run after each parse: it throws {@link Settings#invalid} naming the setting to
     * change.
     */
    public void check(Consumer<Settings> check) {
        checks.add(check);
    }

    public List<Setting<?>> settings() {
        return Collections.unmodifiableList(settings);
    }

    public Setting<?> byName(String name) {
        for (Setting<?> setting : settings) {
            if (setting.name().equals(name)) {
                return setting;
            }
        }
        throw new SettingsException("unknown setting --" + name + closest(name) + "; --help lists them all");
    }

    /** The defaults alone. */
    public Settings defaults() {
        return parse(new String[0], Map.of());
    }

    /** The settings from {@code args} over {@code env} over the defaults; throws {@link SettingsException}. */
    public Settings parse(String[] args, Map<String, String> env) {
        Map<Setting<?>, List<String>> texts = new LinkedHashMap<>();
        for (Setting<?> setting : settings) {
            String fromEnv = env.get(setting.envName());
            texts.put(setting, new ArrayList<>(List.of(fromEnv == null || fromEnv.isEmpty() ? setting.defaultText() : fromEnv)));
        }
        boolean help = false;
        Map<Setting<?>, Boolean> onCommandLine = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--help") || arg.equals("-h")) {
                help = true;
                continue;
            }
            if (!arg.startsWith("--") || arg.length() == 2) {
                throw new SettingsException("unexpected argument '" + arg + "': settings are given as --name value; "
                        + "--help lists them");
            }
            int eq = arg.indexOf('=');
            Setting<?> setting = byName(arg.substring(2, eq < 0 ? arg.length() : eq));
            String text;
            if (eq >= 0) {
                text = arg.substring(eq + 1);
            } else if (setting.type().isSwitch()) {
                boolean valueFollows = i + 1 < args.length && args[i + 1].matches("(?i)true|false");
                text = valueFollows ? args[++i] : "true";
            } else if (i + 1 < args.length) {
                text = args[++i];
            } else {
                throw new SettingsException(setting.flag() + " needs a value, e.g. " + setting.flag() + " "
                        + (setting.defaultText().isEmpty() ? setting.type().hint() : setting.defaultText()));
            }
            List<String> given = texts.get(setting);
            if (!setting.type().isList() || onCommandLine.put(setting, true) == null) {
                given.clear(); // the first flag replaces the environment and the default; a list's next ones add
            }
            given.add(text);
        }
        return Settings.of(this, texts, help);
    }

    void runChecks(Settings parsed) {
        for (Consumer<Settings> check : checks) {
            check.accept(parsed);
        }
    }

    /** What {@code --help} prints: every flag with its value type, environment variable, default and doc. */
    public String help() {
        StringBuilder out = new StringBuilder();
        out.append("Usage: ").append(program).append(" [--name value]...\n").append(wrap(summary, "", 110)).append('\n')
                .append(wrap("Each setting is a flag or its environment variable; flags win, an empty variable counts as "
                        + "unset. Durations as in Flink: 500ms, 2s, 10min, 1h, 7d (a bare number is milliseconds); sizes: "
                        + "64kb, 1mb, 2gb (a bare number is bytes); lists separated by commas (\\, for a comma in an item), "
                        + "or the flag repeated.", "", 110)).append('\n');
        for (Setting<?> s : settings) {
            String flag = s.flag() + " " + s.type().hint();
            out.append(String.format(Locale.ROOT, "  %-40s %s, default: %s%n", flag, s.envName(),
                    s.defaultText().isEmpty() ? "(none)" : s.defaultText()));
            out.append(wrap(s.doc(), "      ", 110));
        }
        out.append(String.format(Locale.ROOT, "  %-40s this text%n", "--help, -h"));
        return out.toString();
    }

    String envName(String name) {
        return envPrefix + name.toUpperCase(Locale.ROOT).replace('-', '_');
    }

    <T> Setting<T> add(Setting<T> setting) {
        for (Setting<?> existing : settings) {
            if (existing.name().equals(setting.name())) {
                throw new IllegalStateException("setting " + setting.flag() + " is defined twice");
            }
        }
        settings.add(setting);
        return setting;
    }

    /** "; did you mean --window?" when a known name is two edits away, or a part of the given one. */
    private String closest(String name) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (Setting<?> setting : settings) {
            int distance = distance(name, setting.name());
            boolean near = distance <= 2 || setting.name().length() > 3 && name.startsWith(setting.name());
            if (near && distance < bestDistance) {
                best = setting.name();
                bestDistance = distance;
            }
        }
        return best == null ? "" : "; did you mean --" + best + "?";
    }

    private static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    private static String wrap(String text, String indent, int width) {
        StringBuilder out = new StringBuilder();
        StringBuilder line = new StringBuilder(indent);
        for (String word : text.split(" ")) {
            if (line.length() > indent.length() && line.length() + 1 + word.length() > width) {
                out.append(line).append('\n');
                line.setLength(0);
                line.append(indent);
            }
            if (line.length() > indent.length()) {
                line.append(' ');
            }
            line.append(word);
        }
        return out.append(line).append('\n').toString();
    }
}
