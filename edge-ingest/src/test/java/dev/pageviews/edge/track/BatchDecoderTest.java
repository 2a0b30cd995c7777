package dev.pageviews.edge.track;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pageviews.event.DecodeResult;
import dev.pageviews.event.PageView;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchDecoderTest {

    private static final String A = "{\"user_id\":\"a\",\"page_url\":\"/a\",\"timestamp\":1730814562}";
    private static final String B = "{\"user_id\":\"b\",\"page_url\":\"/b\",\"timestamp\":1730814563}";

    private static BatchDecoder.Result decode(String body, BodyFormat format, int max) {
        return BatchDecoder.decode(body.getBytes(StandardCharsets.UTF_8), format, max);
    }

    private static final DecodeResult VALID_A = new DecodeResult.Valid(PageView.of("a", "/a", 1730814562L));
    private static final DecodeResult VALID_B = new DecodeResult.Valid(PageView.of("b", "/b", 1730814563L));

    @Test
    void decodesAnArrayEventByEventKeepingTheirIndexes() {
        BatchDecoder.Result result = decode(" [" + A + ", 7, {\"user_id\":\"c\"}, [1,[2]], " + B + "] ", BodyFormat.JSON, 10);

        assertThat(result).isEqualTo(new BatchDecoder.Events(List.of(
                VALID_A,
                DecodeResult.invalid("body", "must be a JSON object"),
                DecodeResult.invalid("page_url", "is required"),
                DecodeResult.invalid("body", "must be a JSON object"),
                VALID_B)));
    }

    @Test
    void refusesAWholeArrayThatIsNotWellFormed() {
        assertThat(decode("[" + A + "," + B, BodyFormat.JSON, 10))
                .isEqualTo(new BatchDecoder.Malformed(DecodeResult.invalid("body", "ends before the JSON is complete")));
        assertThat(decode("[" + A + "] []", BodyFormat.JSON, 10))
                .isEqualTo(new BatchDecoder.Malformed(DecodeResult.invalid("body", "has data after the JSON array")));
        assertThat(decode("[" + A + ",]", BodyFormat.JSON, 10))
                .isEqualTo(new BatchDecoder.Malformed(DecodeResult.invalid("body", "is not valid JSON")));
        assertThat(decode(A, BodyFormat.JSON, 10)).isEqualTo(new BatchDecoder.Malformed(DecodeResult.invalid("body",
                "must be a JSON array of events; send a single event to /api/v1/track")));
        assertThat(decode("", BodyFormat.JSON, 10))
                .isEqualTo(new BatchDecoder.Malformed(DecodeResult.invalid("body", "must be a JSON array of events")));
    }

    @Test
    void stopsAtOneEventPastTheLimit() {
        assertThat(decode("[" + A + "," + B + "]", BodyFormat.JSON, 2)).isInstanceOf(BatchDecoder.Events.class);
        assertThat(decode("[" + A + "," + B + "," + A + "]", BodyFormat.JSON, 2)).isEqualTo(new BatchDecoder.TooMany(2));
        assertThat(decode(A + "\n" + B + "\n" + A, BodyFormat.NDJSON, 2)).isEqualTo(new BatchDecoder.TooMany(2));
    }

    @Test
    void ndjsonDecodesEachNonBlankLineAloneAcceptingCrlf() {
        BatchDecoder.Result result = decode("\n" + A + "\r\n  \r\n{broken\n" + B, BodyFormat.NDJSON, 10);

        assertThat(result).isEqualTo(new BatchDecoder.Events(List.of(
                VALID_A, DecodeResult.invalid("body", "is not valid JSON"), VALID_B)));
    }

    @Test
    void emptyBatchesDecodeToNoEvents() {
        assertThat(decode("[]", BodyFormat.JSON, 10)).isEqualTo(new BatchDecoder.Events(List.of()));
        assertThat(decode("\n\n", BodyFormat.NDJSON, 10)).isEqualTo(new BatchDecoder.Events(List.of()));
    }

    @Test
    void anEventWhosePageUrlNoUtf8StoreCouldKeepIsRejectedAloneNamingTheField() {
        String unpaired = "{\"user_id\":\"c\",\"page_url\":\"/c\\udc00\",\"timestamp\":1730814562}";

        assertThat(decode("[" + A + "," + unpaired + "," + B + "]", BodyFormat.JSON, 10)).isEqualTo(new BatchDecoder.Events(List.of(
                VALID_A,
                DecodeResult.invalid("page_url", "must be Unicode text: found an unpaired UTF-16 surrogate at index 2 "
                        + "(a \\uD800-\\uDFFF escape without its other half)"),
                VALID_B)));
    }
}
