package dev.pageviews.edge.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The path the router matches: the request URI as sent, less query and fragment, never decoded or normalised. */
class ExchangePathTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(textBlock = """
            /api/v1/track,                            /api/v1/track
            /api/v1/track?site=a&b=c,                 /api/v1/track
            /api/v1/track#top,                        /api/v1/track
            /api/v1/track#top?x=1,                    /api/v1/track
            /api%2Fv1/track,                          /api%2Fv1/track
            /api/v1/track%3Fx,                        /api/v1/track%3Fx
            http://edge.example:8080/api/v1/track?x,  /api/v1/track
            https://edge.example,                     /
            /,                                        /
            """)
    void isTheRawPathOfTheUri(String uri, String path) {
        assertThat(Exchange.pathOf(uri)).isEqualTo(path);
    }
}
