package dev.pageviews.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PageViewCodecTest {

    private static DecodeResult decode(String json) {
        return PageViewCodec.decode(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void decodesAValidEvent() {
        DecodeResult result = decode("{\"user_id\":\"u1\",\"page_url\":\"/home\",\"timestamp\":1730814562}");
        assertThat(result).isEqualTo(new DecodeResult.Valid(PageView.of("u1", "/home", 1730814562L)));
    }

    @Test
    void ignoresUnknownFieldsEvenNestedOnes() {
        DecodeResult result = decode("{\"extra\":{\"a\":[1,2,{\"b\":null}]},\"user_id\":\"u1\","
                + "\"page_url\":\"/p\",\"timestamp\":1730814562,\"more\":true}");
        assertThat(result).isEqualTo(new DecodeResult.Valid(PageView.of("u1", "/p", 1730814562L)));
    }

    @Test
    void aRepeatedNameInsideAnIgnoredValueIsIgnoredToo() {
        // duplicates are checked among the event's own fields; an unknown field's value is skipped unread
        DecodeResult result = decode("{\"extra\":{\"a\":1,\"a\":2},\"user_id\":\"u1\",\"page_url\":\"/p\","
                + "\"timestamp\":1730814562}");
        assertThat(result).isEqualTo(new DecodeResult.Valid(PageView.of("u1", "/p", 1730814562L)));
    }

    @Test
    void roundTripsStampedEvents() {
        PageView view = new PageView("ü\"ser", "/a?b=c&d=\u00e9", 1730814562L, "e-1", 1730814562123L);
        assertThat(PageViewCodec.decode(PageViewCodec.encode(view))).isEqualTo(new DecodeResult.Valid(view));
    }

    @Test
    void encodesTheDocumentedWireFormat() {
        byte[] json = PageViewCodec.encode(new PageView("u1", "/home", 1730814562L, "id-7", 1730814562123L));
        assertThat(new String(json, StandardCharsets.UTF_8)).isEqualTo(
                "{\"user_id\":\"u1\",\"page_url\":\"/home\",\"timestamp\":1730814562,"
                        + "\"event_id\":\"id-7\",\"received_at\":1730814562123}");
    }

    @Test
    void encodesALineForNewlineDelimitedJson() {
        PageView view = new PageView("u1", "/home", 1730814562L, "id-7", 1730814562123L);
        assertThat(new String(PageViewCodec.encodeLines(List.of(view), 0), StandardCharsets.UTF_8))
                .isEqualTo(new String(PageViewCodec.encode(view), StandardCharsets.UTF_8) + "\n");
    }

    @Test
    void encodesManyLinesAsTheSameLinesOneAfterAnother() {
        PageView full = new PageView("u1", "/home", 1730814562L, "id-7", 1730814562123L);
        PageView bare = PageView.of("u\"2", "/caf\u00e9", 1730814563L);
        assertThat(new String(PageViewCodec.encodeLines(List.of(full, bare, full), 0), StandardCharsets.UTF_8))
                .isEqualTo(line(full) + line(bare) + line(full));
        assertThat(PageViewCodec.encodeLines(List.of(), 0)).isEmpty();
    }

    @Test
    void eachViewIsItsOwnDocumentWhenOneThreadEncodesManyInARow() {
        // the thread's generator and buffer are reused: a short view after a long one carries nothing of it
        PageView longView = new PageView("u1", "/" + "x".repeat(PageViewRules.MAX_PAGE_URL_LENGTH - 1), 1730814562L,
                "id-long", 1730814562123L, true);
        PageView shortView = PageView.of("u2", "/", 1730814563L);
        byte[] first = PageViewCodec.encode(longView);
        byte[] second = PageViewCodec.encode(shortView);
        byte[] third = PageViewCodec.encode(longView);

        assertThat(new String(second, StandardCharsets.UTF_8))
                .isEqualTo("{\"user_id\":\"u2\",\"page_url\":\"/\",\"timestamp\":1730814563}");
        assertThat(PageViewCodec.decode(first)).isEqualTo(new DecodeResult.Valid(longView));
        assertThat(third).isEqualTo(first).isNotSameAs(first);
    }

    @Test
    void threadsEncodingAtOnceGetTheirOwnViews() throws Exception {
        int threads = 4;
        int perThread = 20_000;
        var pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        try {
            List<java.util.concurrent.Future<Integer>> done = new java.util.ArrayList<>();
            for (int t = 0; t < threads; t++) {
                String user = "user-" + t;
                done.add(pool.submit(() -> {
                    int right = 0;
                    for (int i = 0; i < perThread; i++) {
                        PageView view = new PageView(user, "/page/" + i, 1730814562L + i, user + "-" + i, i);
                        if (PageViewCodec.decode(PageViewCodec.encode(view)).equals(new DecodeResult.Valid(view))) {
                            right++;
                        }
                    }
                    return right;
                }));
            }
            for (var result : done) {
                assertThat(result.get()).isEqualTo(perThread);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static String line(PageView view) {
        return new String(PageViewCodec.encode(view), StandardCharsets.UTF_8) + "\n";
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            missing user_id             | {"page_url":"/p","timestamp":1730814562}                         | user_id   | is required
            missing page_url            | {"user_id":"u","timestamp":1730814562}                           | page_url  | is required
            missing timestamp           | {"user_id":"u","page_url":"/p"}                                  | timestamp | is required
            empty user_id               | {"user_id":"","page_url":"/p","timestamp":1730814562}            | user_id   | must not be empty
            numeric user_id             | {"user_id":7,"page_url":"/p","timestamp":1730814562}             | user_id   | must be a string (got an integer)
            object page_url             | {"user_id":"u","page_url":{"x":[1]},"timestamp":1730814562}      | page_url  | must be a string (got an object)
            string timestamp            | {"user_id":"u","page_url":"/p","timestamp":"1730814562"}         | timestamp | must be an integer number of Unix seconds (got a string)
            fractional timestamp        | {"user_id":"u","page_url":"/p","timestamp":1730814562.5}         | timestamp | must be an integer number of Unix seconds (got a number with a fraction)
            null timestamp              | {"user_id":"u","page_url":"/p","timestamp":null}                 | timestamp | must be an integer number of Unix seconds (got null)
            huge timestamp              | {"user_id":"u","page_url":"/p","timestamp":123456789012345678901234567890} | timestamp | is far out of range: it must be Unix seconds between 946684800 and 4102444799
            negative timestamp          | {"user_id":"u","page_url":"/p","timestamp":-1}                   | timestamp | must be Unix seconds between 946684800 and 4102444799 (got -1)
            millisecond timestamp       | {"user_id":"u","page_url":"/p","timestamp":1730814562000}        | timestamp | must be Unix seconds between 946684800 and 4102444799 (got 1730814562000); this looks like milliseconds: divide by 1000
            array body                  | [1,2]                                                            | body      | must be a JSON object
            string body                 | "hello"                                                          | body      | must be a JSON object
            truncated                   | {"user_id":"u","page_url":                                       | body      | ends before the JSON is complete
            NaN                         | {"user_id":"u","page_url":"/p","timestamp":NaN}                  | body      | is not valid JSON
            trailing garbage            | {"user_id":"u","page_url":"/p","timestamp":1730814562} x         | body      | is not valid JSON
            second object               | {"user_id":"u","page_url":"/p","timestamp":1730814562} {}        | body      | has data after the JSON object
            duplicate field             | {"user_id":"u","user_id":"v","page_url":"/p","timestamp":1730814562} | body  | repeats a field; each field may appear once
            duplicate last field        | {"user_id":"u","page_url":"/p","timestamp":1730814562,"timestamp":1730814563} | body  | repeats a field; each field may appear once
            duplicate after a bad one   | {"user_id":7,"page_url":"/p","page_url":"/q","timestamp":1730814562} | body  | repeats a field; each field may appear once
            duplicate unknown field     | {"user_id":"u","x":1,"page_url":"/p","x":2,"timestamp":1730814562} | body  | repeats a field; each field may appear once
            numeric event_id            | {"user_id":"u","page_url":"/p","timestamp":1730814562,"event_id":42}   | event_id | must be a string (got an integer)
            object event_id             | {"user_id":"u","page_url":"/p","timestamp":1730814562,"event_id":{"a":1}} | event_id | must be a string (got an object)
            empty event_id              | {"user_id":"u","page_url":"/p","timestamp":1730814562,"event_id":""}   | event_id | must not be empty; leave it out when the view has no id of its own
            event_id with a space       | {"user_id":"u","page_url":"/p","timestamp":1730814562,"event_id":"a b"} | event_id | may only contain letters A-Z a-z, digits 0-9 and . _ : - (found another character at index 1)
            event_id with a slash       | {"user_id":"u","page_url":"/p","timestamp":1730814562,"event_id":"a/b"} | event_id | may only contain letters A-Z a-z, digits 0-9 and . _ : - (found another character at index 1)
            event_id with a quote       | {"user_id":"u","page_url":"/p","timestamp":1730814562,"event_id":"\\"x"} | event_id | may only contain letters A-Z a-z, digits 0-9 and . _ : - (found another character at index 0)
            event_id not ASCII          | {"user_id":"u","page_url":"/p","timestamp":1730814562,"event_id":"café"} | event_id | may only contain letters A-Z a-z, digits 0-9 and . _ : - (found another character at index 3)
            client flag without an id   | {"user_id":"u","page_url":"/p","timestamp":1730814562,"event_id_from_client":true} | event_id_from_client | is true, but the view has no event_id
            client flag not a boolean   | {"user_id":"u","page_url":"/p","timestamp":1730814562,"event_id":"a","event_id_from_client":1} | event_id_from_client | must be true or false (got an integer)
            """)
    void rejectsWithTheFieldAndTheProblem(String name, String json, String field, String problem) {
        assertThat(decode(json)).isEqualTo(new DecodeResult.Invalid(field, problem));
    }

    @Test
    void rejectsEmptyInput() {
        assertThat(decode("")).isEqualTo(new DecodeResult.Invalid("body", "must be a JSON object"));
    }

    @Test
    void rejectsControlCharactersAndOverlongValues() {
        assertThat(decode("{\"user_id\":\"a\\u0000b\",\"page_url\":\"/p\",\"timestamp\":1730814562}"))
                .isEqualTo(new DecodeResult.Invalid("user_id", "must not contain control characters (found one at index 1)"));
        String longUrl = "/" + "x".repeat(PageViewRules.MAX_PAGE_URL_LENGTH);
        assertThat(decode("{\"user_id\":\"u\",\"page_url\":\"" + longUrl + "\",\"timestamp\":1730814562}"))
                .isEqualTo(new DecodeResult.Invalid("page_url", "must be at most 2048 characters (got 2049)"));
    }

    @Test
    void rejectsTextThatNoUtf8StoreCouldKeepExactly() {
        String unpaired = "must be Unicode text: found an unpaired UTF-16 surrogate at index 2 (a \\uD800-\\uDFFF escape without "
                + "its other half)";
        assertThat(decode("{\"user_id\":\"u\",\"page_url\":\"/a\\ud800\",\"timestamp\":1730814562}"))
                .as("a high surrogate at the end").isEqualTo(new DecodeResult.Invalid("page_url", unpaired));
        assertThat(decode("{\"user_id\":\"u\",\"page_url\":\"/a\\udc00b\",\"timestamp\":1730814562}"))
                .as("a low surrogate alone").isEqualTo(new DecodeResult.Invalid("page_url", unpaired));
        assertThat(decode("{\"user_id\":\"u\",\"page_url\":\"/a\\ud800\\ud800\\udc00\",\"timestamp\":1730814562}"))
                .as("a high surrogate before a pair").isEqualTo(new DecodeResult.Invalid("page_url", unpaired));
        assertThat(decode("{\"user_id\":\"u\\udfff\",\"page_url\":\"/p\",\"timestamp\":1730814562}"))
                .isEqualTo(new DecodeResult.Invalid("user_id", unpaired.replace("index 2", "index 1")));
        assertThat(decode("{\"user_id\":\"u\",\"page_url\":\"/a\\u0085\",\"timestamp\":1730814562}"))
                .as("a C1 control character (NEL)")
                .isEqualTo(new DecodeResult.Invalid("page_url", "must not contain control characters (found one at index 2)"));

        assertThat(decode("{\"user_id\":\"\\ud83d\\ude00\",\"page_url\":\"/\\ud83d\\ude00\\u00a0\",\"timestamp\":1730814562}"))
                .as("a pair is one character beyond U+FFFF; U+00A0 is no control character")
                .isEqualTo(new DecodeResult.Valid(PageView.of("\ud83d\ude00", "/\ud83d\ude00\u00a0", 1730814562L)));
    }

    @Test
    void rejectsUtf8BytesThatEncodeASurrogateOrNoCharacterAtAll() {
        byte[] surrogate = "{\"user_id\":\"u\",\"page_url\":\"/???\",\"timestamp\":1730814562}".getBytes(StandardCharsets.US_ASCII);
        surrogate[28] = (byte) 0xED; // U+D800 in three bytes: not UTF-8
        surrogate[29] = (byte) 0xA0;
        surrogate[30] = (byte) 0x80;
        assertThat(PageViewCodec.decode(surrogate)).isEqualTo(new DecodeResult.Invalid("body", "is not valid UTF-8"));

        byte[] beyond = "{\"user_id\":\"u\",\"page_url\":\"/????\",\"timestamp\":1730814562}".getBytes(StandardCharsets.US_ASCII);
        beyond[28] = (byte) 0xF4; // "U+110000" in four bytes: Jackson reads two lone low surrogates
        beyond[29] = (byte) 0x90;
        beyond[30] = (byte) 0x80;
        beyond[31] = (byte) 0x80;
        assertThat(PageViewCodec.decode(beyond)).isInstanceOf(DecodeResult.Invalid.class)
                .extracting(r -> ((DecodeResult.Invalid) r).field()).isEqualTo("page_url");
    }

    @Test
    void rejectsDeepNestingWithoutRecursingIntoIt() {
        String deep = "[".repeat(10_000) + "]".repeat(10_000);
        assertThat(decode("{\"user_id\":\"u\",\"x\":" + deep + ",\"page_url\":\"/p\",\"timestamp\":1730814562}"))
                .isEqualTo(new DecodeResult.Invalid("body", "nests deeper than 32 levels"));
    }

    @Test
    void rejectsInvalidUtf8() {
        byte[] json = "{\"user_id\":\"u?\",\"page_url\":\"/p\",\"timestamp\":1730814562}".getBytes(StandardCharsets.US_ASCII);
        json[13] = (byte) 0xC3; // a lead byte followed by '"' is not UTF-8
        assertThat(PageViewCodec.decode(json)).isEqualTo(new DecodeResult.Invalid("body", "is not valid UTF-8"));
    }

    @Test
    void rejectsAnEventIdLongerThan64Characters() {
        String id = "a".repeat(PageViewRules.MAX_EVENT_ID_LENGTH);
        assertThat(decode("{\"user_id\":\"u\",\"page_url\":\"/p\",\"timestamp\":1730814562,\"event_id\":\"" + id + "\"}"))
                .isEqualTo(new DecodeResult.Valid(new PageView("u", "/p", 1730814562L, id, PageView.UNKNOWN_RECEIVE_TIME)));
        assertThat(decode("{\"user_id\":\"u\",\"page_url\":\"/p\",\"timestamp\":1730814562,\"event_id\":\"" + id + "b\"}"))
                .isEqualTo(new DecodeResult.Invalid("event_id", "must be at most 64 characters (got 65)"));
    }

    @Test
    void acceptsEveryCharacterOfTheEventIdAlphabetAndANullId() {
        String id = "AZaz09._:-" + java.util.UUID.randomUUID();
        assertThat(decode("{\"user_id\":\"u\",\"page_url\":\"/p\",\"timestamp\":1730814562,\"event_id\":\"" + id + "\"}"))
                .isEqualTo(new DecodeResult.Valid(new PageView("u", "/p", 1730814562L, id, PageView.UNKNOWN_RECEIVE_TIME)));
        assertThat(decode("{\"user_id\":\"u\",\"page_url\":\"/p\",\"timestamp\":1730814562,\"event_id\":null}"))
                .isEqualTo(new DecodeResult.Valid(PageView.of("u", "/p", 1730814562L)));
    }

    @Test
    void stampingKeepsTheClientsIdAndMarksItAsTheClients() {
        PageView withId = new PageView("u", "/p", 1730814562L, "retry-me", PageView.UNKNOWN_RECEIVE_TIME);
        assertThat(withId.stamped("edge-id", 5L)).isEqualTo(new PageView("u", "/p", 1730814562L, "retry-me", 5L, true));
        assertThat(PageView.of("u", "/p", 1730814562L).stamped("edge-id", 5L))
                .isEqualTo(new PageView("u", "/p", 1730814562L, "edge-id", 5L, false));
    }

    @Test
    void writesAndReadsTheClientIdMarkOnlyWhenTheIdIsTheClients() {
        PageView client = new PageView("u1", "/home", 1730814562L, "id-7", 1730814562123L, true);
        assertThat(new String(PageViewCodec.encode(client), StandardCharsets.UTF_8)).isEqualTo(
                "{\"user_id\":\"u1\",\"page_url\":\"/home\",\"timestamp\":1730814562,"
                        + "\"event_id\":\"id-7\",\"received_at\":1730814562123,\"event_id_from_client\":true}");
        assertThat(PageViewCodec.decode(PageViewCodec.encode(client))).isEqualTo(new DecodeResult.Valid(client));
        PageView edge = new PageView("u1", "/home", 1730814562L, "id-7", 1730814562123L, false);
        assertThat(new String(PageViewCodec.encode(edge), StandardCharsets.UTF_8)).doesNotContain("event_id_from_client");
    }

    @Test
    void acceptsTheBoundsOfTheTimestampRange() {
        assertThat(decode("{\"user_id\":\"u\",\"page_url\":\"/p\",\"timestamp\":946684800}")).isInstanceOf(DecodeResult.Valid.class);
        assertThat(decode("{\"user_id\":\"u\",\"page_url\":\"/p\",\"timestamp\":4102444799}")).isInstanceOf(DecodeResult.Valid.class);
        assertThat(decode("{\"user_id\":\"u\",\"page_url\":\"/p\",\"timestamp\":4102444800}")).isInstanceOf(DecodeResult.Invalid.class);
    }
}
