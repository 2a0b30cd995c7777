package dev.pageviews.edge.admit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The bundled list's Spider rules against the User-Agents of well-known crawlers and of browsers and HTTP clients. */
class BotFilterTest {

    private static final BotFilter BOTS = BotFilter.load();

    @ParameterizedTest
    @ValueSource(strings = {
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.71 "
                + "Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm) Chrome/116.0.1938.76 Safari/537.36",
        "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)",
        "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
        "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
        "Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)",
        "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)"
    })
    void knownBotsAreBots(String userAgent) {
        assertThat(BOTS.isBot(userAgent)).isTrue();
        assertThat(BOTS.isBot(userAgent)).as("from the cache").isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/150.0.0.0 Safari/537.36",
        "curl/8.5.0",
        "Java-http-client/17.0.13",
        "python-requests/2.31.0"
    })
    void browsersAndHttpClientsAreNot(String userAgent) {
        assertThat(BOTS.isBot(userAgent)).isFalse();
    }

    @Test
    void noUserAgentIsNoBotAndALongOneIsCheckedUncached() {
        assertThat(BOTS.isBot(null)).isFalse();
        assertThat(BOTS.isBot("")).isFalse();
        assertThat(BOTS.isBot("x".repeat(BotFilter.CACHED_LENGTH + 1))).isFalse();
        assertThat(BOTS.isBot("Googlebot/2.1 " + "x".repeat(BotFilter.CACHED_LENGTH))).isTrue();
    }

    @Test
    void theListGivesItsSpiderRulesOnly() {
        String yaml = String.join("\n",
                "user_agent_parsers: []",
                "device_parsers:",
                "  - regex: 'Crawly'",
                "    regex_flag: 'i'",
                "    device_replacement: 'Spider'",
                "  - regex: 'iPhone'",
                "    device_replacement: 'iPhone'");
        BotFilter filter = BotFilter.fromList(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)));

        assertThat(filter.ruleCount()).isEqualTo(1);
        assertThat(filter.isBot("my CRAWLY thing")).isTrue();
        assertThat(filter.isBot("iPhone")).isFalse();
        assertThat(BOTS.ruleCount()).isGreaterThanOrEqualTo(5);
    }

    @Test
    void aListWithoutSpiderRulesIsRefused() {
        String yaml = "device_parsers:\n  - regex: 'iPhone'\n    device_replacement: 'iPhone'\n";
        assertThatThrownBy(() -> BotFilter.fromList(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))))
                .hasMessageContaining("no device rule for Spider");
    }
}
