package dev.pageviews.event;

/**
 * The validation rules of the contract, in one place for the edge, the job and the docs.
 *
 * <ul>
 *   <li>{@code user_id}: a non-empty string of at most {@value #MAX_USER_ID_LENGTH} characters of Unicode text:
 *       no control characters (U+0000-U+001F, U+007F-U+009F) and no unpaired UTF-16 surrogate (a JSON escape
 *       {@code "\\ud800"} without its other half, which no UTF-8 store could keep: Redis and Parquet would get
 *       {@code ?} while the JSON archive kept the escape).
 *   <li>{@code page_url}: the same, at most {@value #MAX_PAGE_URL_LENGTH} characters. Kafka and the archive keep it
 *       as sent; the job counts it under its {@link PageKeys page key}, so that {@code /home} and {@code /home/} are
 *       one page.
 *   <li>{@code timestamp}: an integer number of Unix seconds from {@value #MIN_TIMESTAMP}
 *       (2000-01-01T00:00:00Z) to {@value #MAX_TIMESTAMP} (2099-12-31T23:59:59Z). Fractions, strings and
 *       milliseconds are rejected.
 *   <li>{@code event_id} (optional): the client's own id for the view, the same on every retry; 1 to
 *       {@value #MAX_EVENT_ID_LENGTH} characters from {@code A-Z a-z 0-9 . _ : -} (a UUID fits). The job counts
 *       a view once per id within its dedup window. {@code null} is the same as leaving it out.
 *   <li>Unknown fields are ignored. A field given twice is rejected.
 * </ul>
 */
public final class PageViewRules {

    public static final int MAX_USER_ID_LENGTH = 256;
    public static final int MAX_PAGE_URL_LENGTH = 2048;
    public static final int MAX_EVENT_ID_LENGTH = 64;
    public static final long MIN_TIMESTAMP = 946_684_800L;
    public static final long MAX_TIMESTAMP = 4_102_444_799L;
    /** JSON nesting deeper than this is refused before it is parsed further. */
    public static final int MAX_NESTING_DEPTH = 32;

    private PageViewRules() {}

    /** Returns the problem with a string field's value, or {@code null} when it is valid. */
    static String checkText(String value, int maxLength) {
        if (value.isEmpty()) {
            return "must not be empty";
        }
        if (value.length() > maxLength) {
            return "must be at most " + maxLength + " characters (got " + value.length() + ")";
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) {
                return "must not contain control characters (found one at index " + i + ")";
            }
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                    i++; // a pair: one character beyond U+FFFF
                } else {
                    return "must be Unicode text: found an unpaired UTF-16 surrogate at index " + i
                            + " (a \\uD800-\\uDFFF escape without its other half)";
                }
            }
        }
        return null;
    }

    /** Returns the problem with an event id, or {@code null} when it is valid. */
    static String checkEventId(String value) {
        if (value.isEmpty()) {
            return "must not be empty; leave it out when the view has no id of its own";
        }
        if (value.length() > MAX_EVENT_ID_LENGTH) {
            return "must be at most " + MAX_EVENT_ID_LENGTH + " characters (got " + value.length() + ")";
        }
        for (int i = 0; i < value.length(); i++) {
            if (!isEventIdChar(value.charAt(i))) {
                return "may only contain letters A-Z a-z, digits 0-9 and . _ : - (found another character at index " + i + ")";
            }
        }
        return null;
    }

    /**
     * A table, not a chain of range checks: the job checks the id of every view it reads, and in a UUID letters and
     * digits alternate unpredictably, so the range checks' branches were mispredicted (134-140 ns per UUID against
     * 20-24 with the table: BENCHMARKS.md, "Why the codec and the encoder are written as they are").
     */
    private static final boolean[] EVENT_ID_CHARS = new boolean[128];

    static {
        for (char c = 'a'; c <= 'z'; c++) {
            EVENT_ID_CHARS[c] = true;
        }
        for (char c = 'A'; c <= 'Z'; c++) {
            EVENT_ID_CHARS[c] = true;
        }
        for (char c = '0'; c <= '9'; c++) {
            EVENT_ID_CHARS[c] = true;
        }
        for (char c : new char[] {'.', '_', ':', '-'}) {
            EVENT_ID_CHARS[c] = true;
        }
    }

    static boolean isEventIdChar(char c) {
        return c < EVENT_ID_CHARS.length && EVENT_ID_CHARS[c];
    }

    /** Returns the problem with a timestamp, or {@code null} when it is in range. */
    static String checkTimestamp(long seconds) {
        if (seconds >= MIN_TIMESTAMP && seconds <= MAX_TIMESTAMP) {
            return null;
        }
        String range = "must be Unix seconds between " + MIN_TIMESTAMP + " and " + MAX_TIMESTAMP + " (got " + seconds + ")";
        if (seconds / 1000 >= MIN_TIMESTAMP && seconds / 1000 <= MAX_TIMESTAMP) {
            return range + "; this looks like milliseconds: divide by 1000";
        }
        return range;
    }
}
