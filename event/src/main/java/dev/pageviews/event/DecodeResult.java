package dev.pageviews.event;

/** What decoding one event gave: a valid {@link PageView} or the reason it was rejected. */
public sealed interface DecodeResult {

    /** A valid event. */
    record Valid(PageView view) implements DecodeResult {}

    /**
     * A rejected event. {@code field} names the offending JSON field, or {@code "body"} when the input is
     * not a JSON object at all. {@code problem} is a sentence for humans; it never contains the input's
     * strings, so it is safe to return to clients and to log.
     */
    record Invalid(String field, String problem) implements DecodeResult {
        public String message() {
            return field + ": " + problem;
        }
    }

    static Invalid invalid(String field, String problem) {
        return new Invalid(field, problem);
    }
}
