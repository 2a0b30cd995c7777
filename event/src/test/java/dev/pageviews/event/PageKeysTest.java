package dev.pageviews.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What one page is: the examples of the README's table, and the properties every key has. */
class PageKeysTest {

    private static final int MAX = 512;

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            /home                                  | /home
            /home/                                 | /home
            /                                      | /
            //                                     | /
            /a/?x=1                                | /a?x=1
            /a#top                                 | /a
            /a?                                    | /a
            /a?x=1#top                             | /a?x=1
            /%7Euser/%41bc                         | /~user/Abc
            /a%2fb%3f%23%25                        | /a%2Fb%3F%23%25
            /café                                  | /caf%C3%A9
            /caf%c3%a9                             | /caf%C3%A9
            /a b                                   | /a%20b
            "/a|b[1]"                              | /a%7Cb%5B1%5D
            /100%                                  | /100%25
            /%zz                                   | /%25zz
            /a/./b/../c                            | /a/c
            /%2E%2E/a                              | /a
            /a/..                                  | /
            /a?q=./../x                            | /a?q=./../x
            /a?b=2&a=1                             | /a?b=2&a=1
            /a?q=caf%c3%a9+x&r=%7e                 | /a?q=caf%C3%A9+x&r=~
            home                                   | /home
            a/b/                                   | /a/b
            ?q=1                                   | /?q=1
            #top                                   | /
            (other)                                | /(other)
            //cdn.example/a/                       | //cdn.example/a
            HTTPS://Example.COM/x                  | https://example.com/x
            http://example.com:80/a                | http://example.com/a
            https://example.com:443/a              | https://example.com/a
            http://example.com:443/a               | http://example.com:443/a
            https://example.com:08443/a/           | https://example.com:8443/a
            https://example.com:/a                 | https://example.com/a
            https://x.com                          | https://x.com/
            https://x.com?q=1#f                    | https://x.com/?q=1
            https://user:secret@x.com/a            | https://x.com/a
            https://Bücher.example/a               | https://xn--bcher-kva.example/a
            http://[::1]:8080/a                    | http://[::1]:8080/a
            https://x.com/a/./b/%7e                | https://x.com/a/b/~
            URN:ISBN:0-486-27557-4                 | urn:ISBN:0-486-27557-4
            """)
    void countsOnePageUnderOneKey(String pageUrl, String key) {
        assertThat(PageKeys.of(pageUrl, MAX)).isEqualTo(key);
    }

    @Test
    void aUrlThatIsItsOwnKeyIsReturnedAsIsWithoutCopying() {
        for (String url : new String[] {"/", "/page/12345", "/a/b.html?x=1&y=/z", "/.well-known/x", "/a..b", "/?q"}) {
            assertThat(PageKeys.isKey(url)).as(url).isTrue();
            assertThat(PageKeys.of(url, MAX)).isSameAs(url);
        }
    }

    @Test
    void aKeyLongerThanTheLimitIsCutToItWithAMarkNeverInsideAnEscape() {
        String longPath = "/search/" + "x".repeat(1000);
        String key = PageKeys.of(longPath, 100);
        assertThat(key).hasSize(100).startsWith("/search/xxx").endsWith(" (truncated)");
        assertThat(PageKeys.isTruncated(key)).isTrue();
        assertThat(PageKeys.of(longPath + "?other", 100)).as("long URLs with one beginning are one page").isEqualTo(key);
        assertThat(PageKeys.isTruncated(PageKeys.of("/search/" + "x".repeat(80), 100))).isFalse();

        for (int pad = 0; pad < 3; pad++) {
            String cut = PageKeys.of("/" + "a".repeat(pad) + "é".repeat(200), 64);
            String kept = cut.substring(0, cut.length() - PageKeys.TRUNCATED.length());
            assertThat(kept).as("padding %d", pad).matches("/a{" + pad + "}(%C3%A9)+");
            assertThat(cut.length()).isBetween(64 - 5, 64);
        }
        assertThatThrownBy(() -> PageKeys.of("/", 63)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void everyKeyIsPrintableAsciiStartsWithASlashOrASchemeAndIsItsOwnKey() {
        SplittableRandom random = new SplittableRandom(29);
        String[] parts = {"/", "/", ".", "..", "a", "B", "?", "%", "2", "f", "E", "#", " ", "é", "😀", ":", "//", "http:", "@",
                "&", "=", "~", "[", "x.com", ":80", "+", "%41", "%2F", "%c3%a9"};
        for (int n = 0; n < 50_000; n++) {
            StringBuilder url = new StringBuilder();
            for (int i = random.nextInt(1, 12); i > 0; i--) {
                url.append(parts[random.nextInt(parts.length)]);
            }
            String pageUrl = url.toString();
            String key = PageKeys.of(pageUrl, MAX);
            assertThat(key).as(pageUrl).matches("([a-z][a-z0-9+.-]*:|/)[\\x21-\\x7e]*");
            assertThat(PageKeys.of(key, MAX)).as("normalising %s twice", pageUrl).isEqualTo(key);
            if (PageKeys.isKey(pageUrl)) {
                assertThat(PageKeys.normalise(pageUrl)).as("the fast path agrees for %s", pageUrl).isEqualTo(pageUrl);
            }
        }
    }
}
