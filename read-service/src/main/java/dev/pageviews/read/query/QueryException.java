package dev.pageviews.read.query;

/**
 * A query this service cannot answer as asked: answered 400 with {@code {"error": message}}, as Plausible does. The
 * message starts with the parameter's place in the request ({@code #/metrics/1: ...}) and says what to send instead.
 */
public final class QueryException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public QueryException(String parameter, String message) {
        super("#/" + parameter + ": " + message, null, false, false);
    }
}
