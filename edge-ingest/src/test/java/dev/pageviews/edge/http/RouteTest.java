package dev.pageviews.edge.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.HttpMethod;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RouteTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(textBlock = """
            /api/v1/track,          TRACK
            /api/v1/track/batch,    TRACK_BATCH
            /healthz,               HEALTHZ
            /readyz,                READYZ
            /metrics,               METRICS
            /api/v1/track/,         UNMATCHED
            /api/v1/../v1/track,    UNMATCHED
            /API/V1/TRACK,          UNMATCHED
            /,                      UNMATCHED
            """)
    void matchesPathsExactly(String path, Route expected) {
        assertThat(Route.match(path)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(textBlock = """
            TRACK,       POST,    true
            TRACK,       OPTIONS, true
            TRACK,       GET,     false
            TRACK_BATCH, PUT,     false
            METRICS,     GET,     true
            METRICS,     POST,    false
            """)
    void allowsItsMethods(Route route, String method, boolean allowed) {
        assertThat(route.allows(HttpMethod.valueOf(method))).isEqualTo(allowed);
    }
}
