package dev.pageviews.read.store;

/** Redis could not be read (unreachable, a timeout, a key of the wrong type); answered 503, never 500 or zeros. */
public class StoreException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }

    public StoreException(String message) {
        super(message);
    }
}
