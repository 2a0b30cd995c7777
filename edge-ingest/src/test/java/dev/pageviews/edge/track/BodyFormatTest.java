package dev.pageviews.edge.track;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BodyFormatTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', nullValues = "null", textBlock = """
            application/json                       | JSON
            Application/JSON                       | JSON
            application/json; charset=utf-8        | JSON
            application/json;charset="UTF-8"       | JSON
            text/plain;charset=UTF-8               | JSON
            text/plain                             | JSON
            application/x-ndjson                   | NDJSON
            application/x-ndjson; charset=utf8     | NDJSON
            application/json; charset=iso-8859-1   | null
            text/html                              | null
            application/x-www-form-urlencoded      | null
            multipart/form-data; boundary=x        | null
            ''                                     | null
            null                                   | null
            """)
    void readsTheContentType(String contentType, BodyFormat expected) {
        assertThat(BodyFormat.of(contentType)).isEqualTo(expected);
    }
}
