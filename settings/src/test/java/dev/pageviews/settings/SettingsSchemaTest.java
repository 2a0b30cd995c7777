package dev.pageviews.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SettingsSchemaTest {

    enum Format { JSON, PARQUET, AT_LEAST_ONCE }

    private static final SettingsSchema SCHEMA = new SettingsSchema("demo", "DEMO_", "A demo.");
    private static final Setting<Duration> WINDOW = SCHEMA.define("window").defaultValue("1s").doc("Window size.")
            .of(Values.positiveDuration(Duration.ofDays(1)));
    private static final Setting<Integer> PORT = SCHEMA.define("port").defaultValue("8080").doc("Port.").of(Values.port());
    private static final Setting<Boolean> FRESH = SCHEMA.define("fresh").defaultValue("false").doc("Start empty.")
            .of(Values.bool());
    private static final Setting<List<Format>> FORMATS = SCHEMA.define("format").defaultValue("json").doc("Formats.")
            .of(Values.enumList(Format.class));
    private static final Setting<List<String>> PROPS = SCHEMA.define("property").doc("Extra properties.")
            .of(Values.listOf(Values.nonEmptyText()));
    private static final Setting<String> PASSWORD = SCHEMA.define("password").doc("A secret.").secret().of(Values.text());
    private static final Setting<Long> BUFFER = SCHEMA.define("buffer").defaultValue("1mb").doc("Buffer.")
            .of(Values.bytes(1024, 1L << 30));
    private static final Setting<Duration> TIMEOUT = SCHEMA.define("timeout").defaultValue("1h").doc("Timeout.")
            .of(Values.positiveDuration(Duration.ofDays(1)));

    static {
        SCHEMA.check(s -> {
            if (s.get(TIMEOUT).compareTo(s.get(WINDOW)) < 0) {
                throw s.invalid(TIMEOUT, "must be at least " + WINDOW.flag() + " (" + s.text(WINDOW) + ")");
            }
        });
    }

    private static Settings parse(Map<String, String> env, String... args) {
        return SCHEMA.parse(args, env);
    }

    @Test
    void flagsWinOverTheEnvironmentWhichWinsOverDefaults() {
        assertThat(parse(Map.of()).get(WINDOW)).isEqualTo(Duration.ofSeconds(1));
        assertThat(parse(Map.of("DEMO_WINDOW", "5s")).get(WINDOW)).isEqualTo(Duration.ofSeconds(5));
        assertThat(parse(Map.of("DEMO_WINDOW", "5s"), "--window", "2min").get(WINDOW)).isEqualTo(Duration.ofMinutes(2));
        assertThat(parse(Map.of(), "--window=30 s").get(WINDOW)).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void anEmptyEnvironmentVariableCountsAsUnset() {
        assertThat(parse(Map.of("DEMO_WINDOW", "", "DEMO_PORT", "")).get(PORT)).isEqualTo(8080);
    }

    @Test
    void durationsAndSizesInFlinksSyntax() {
        assertThat(parse(Map.of(), "--window", "10min").get(WINDOW)).isEqualTo(Duration.ofMinutes(10));
        assertThat(parse(Map.of(), "--window", "250").get(WINDOW)).isEqualTo(Duration.ofMillis(250));
        assertThat(parse(Map.of(), "--buffer", "64 kb").get(BUFFER)).isEqualTo(65_536L);
        assertThat(parse(Map.of(), "--buffer", "2048").get(BUFFER)).isEqualTo(2048L);
        assertThatThrownBy(() -> parse(Map.of(), "--window", "0s"))
                .hasMessage("--window (DEMO_WINDOW): '0s' must be longer than 0");
        assertThatThrownBy(() -> parse(Map.of(), "--window", "-1s")).hasMessageContaining("is negative");
        assertThatThrownBy(() -> parse(Map.of(), "--window", "2x"))
                .hasMessage("--window (DEMO_WINDOW): '2x' is not a duration; write e.g. 500ms, 2s, 10min, 1h or 7d");
        assertThatThrownBy(() -> parse(Map.of(), "--window", "2d")).hasMessageContaining("longer than the most allowed, 1d");
        assertThatThrownBy(() -> parse(Map.of(), "--buffer", "2tb")).hasMessageContaining("is not from 1kb to 1gb");
    }

    @Test
    void aBooleanIsASwitchOrTakesTrueOrFalse() {
        assertThat(parse(Map.of(), "--fresh").get(FRESH)).isTrue();
        assertThat(parse(Map.of(), "--fresh", "--port", "1").get(FRESH)).isTrue();
        assertThat(parse(Map.of(), "--fresh", "false").get(FRESH)).isFalse();
        assertThat(parse(Map.of(), "--fresh=false").get(FRESH)).isFalse();
        assertThatThrownBy(() -> parse(Map.of(), "--fresh=maybe")).hasMessageContaining("'maybe' is not true or false");
    }

    @Test
    void listsTakeCommasEscapedCommasAndRepeatedFlags() {
        assertThat(parse(Map.of(), "--format", "json,parquet").get(FORMATS)).containsExactly(Format.JSON, Format.PARQUET);
        assertThat(parse(Map.of(), "--property", "a=1", "--property", "ssl.enabled.protocols=TLSv1.2,TLSv1.3").get(PROPS))
                .containsExactly("a=1", "ssl.enabled.protocols=TLSv1.2", "TLSv1.3");
        assertThat(parse(Map.of(), "--property", "ssl.enabled.protocols=TLSv1.2\\,TLSv1.3").get(PROPS))
                .containsExactly("ssl.enabled.protocols=TLSv1.2,TLSv1.3");
        assertThat(parse(Map.of("DEMO_PROPERTY", "x=1\\,2,y=3")).get(PROPS)).containsExactly("x=1,2", "y=3");
        // the first flag replaces the environment's list
        assertThat(parse(Map.of("DEMO_PROPERTY", "x=1"), "--property", "y=2").get(PROPS)).containsExactly("y=2");
        assertThatThrownBy(() -> parse(Map.of(), "--format", "json,json")).hasMessageContaining("names a value twice");
        assertThatThrownBy(() -> parse(Map.of(), "--format", "json,csv"))
                .hasMessage("--format (DEMO_FORMAT): 'csv' is not one of json, parquet, at-least-once");
    }

    @Test
    void errorsNameTheFlagAndSayWhatToWrite() {
        assertThatThrownBy(() -> parse(Map.of(), "--windw", "1s"))
                .hasMessage("unknown setting --windw; did you mean --window?; --help lists them all");
        assertThatThrownBy(() -> parse(Map.of(), "--port"))
                .hasMessage("--port needs a value, e.g. --port 8080");
        assertThatThrownBy(() -> parse(Map.of(), "window", "1s")).hasMessageContaining("unexpected argument 'window'");
        assertThatThrownBy(() -> parse(Map.of("DEMO_PORT", "http")))
                .isInstanceOf(SettingsException.class)
                .hasMessage("--port (DEMO_PORT): 'http' is not a port (0-65535; 0 picks a free one)");
    }

    @Test
    void crossFieldChecksNameTheSettingToChange() {
        assertThatThrownBy(() -> parse(Map.of(), "--timeout", "10s", "--window", "1min"))
                .hasMessage("--timeout (DEMO_TIMEOUT) is '10s': must be at least --window (1min)");
        assertThat(parse(Map.of(), "--window", "1min", "--timeout", "1min").get(TIMEOUT)).isEqualTo(Duration.ofMinutes(1));
        Settings ok = parse(Map.of(), "--timeout", "1min");
        assertThatThrownBy(() -> ok.with(WINDOW, Duration.ofMinutes(5))).hasMessageContaining("--timeout (DEMO_TIMEOUT)");
    }

    @Test
    void helpIsAskedWithHelpOrH() {
        assertThat(parse(Map.of(), "--help").helpRequested()).isTrue();
        assertThat(parse(Map.of(), "-h").helpRequested()).isTrue();
        assertThat(parse(Map.of(), "--timeout", "1s", "--window", "1min", "-h").helpRequested()).isTrue(); // no cross check in the way
        assertThat(SCHEMA.help())
                .contains("Usage: demo [--name value]...")
                .contains("--window <duration>")
                .contains("DEMO_WINDOW, default: 1s")
                .contains("--format json|parquet|at-least-once,...")
                .contains("--password <text>")
                .contains("--help, -h");
    }

    @Test
    void argsParseBackToTheSameSettingsAndSecretsAreMasked() throws Exception {
        Settings settings = parse(Map.of(), "--window", "90s", "--property", "a=1,b=x\\,y", "--password", "hunter2",
                "--buffer", "3072", "--format", "parquet,json");
        Settings again = SCHEMA.parse(settings.toArgs(), Map.of());
        for (Setting<?> setting : SCHEMA.settings()) {
            assertThat((Object) again.get(setting)).as(setting.flag()).isEqualTo(settings.get(setting));
        }
        assertThat(settings.text(WINDOW)).isEqualTo("90s");
        assertThat(settings.text(BUFFER)).isEqualTo("3072"); // as written
        assertThat(settings.with(BUFFER, 4096L).text(BUFFER)).isEqualTo("4kb");
        assertThat(settings.shown()).containsEntry("password", "***").containsEntry("window", "90s");
        assertThat(settings.toString()).doesNotContain("hunter2");

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(settings);
        }
        Settings read = (Settings) new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray())).readObject();
        assertThat(read.get(PROPS)).containsExactly("a=1", "b=x,y");
        assertThat(read.shown()).containsEntry("password", "***");
    }

    @Test
    void aCheckAcrossSettingsShowsASecretMasked() {
        SettingsSchema schema = new SettingsSchema("x", "X_", "x");
        Setting<String> user = schema.define("user").of(Values.text());
        Setting<String> secret = schema.define("secret").secret().of(Values.text());
        schema.check(s -> {
            if (!s.get(secret).isEmpty() && s.get(user).isEmpty()) {
                throw s.invalid(secret, "needs " + user.flag());
            }
        });
        assertThatThrownBy(() -> schema.parse(new String[] {"--secret", "hunter2"}, Map.of()))
                .hasMessage("--secret (X_SECRET) is '***': needs --user");
    }

    @Test
    void aSettingIsDefinedOnce() {
        SettingsSchema schema = new SettingsSchema("x", "X_", "x");
        schema.define("a").of(Values.text());
        assertThatThrownBy(() -> schema.define("a").of(Values.text())).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> schema.define("Not_A_Flag")).hasMessageContaining("lower case words joined by dashes");
    }
}
