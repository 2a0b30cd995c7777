package dev.pageviews.settings;

/**
 * Error text for the messages that name a setting and its fix: the services' clients (Kafka's above all) often say
 * why only in a cause, e.g. a TLS handshake's alert from the peer.
 */
public final class ErrorMessages {

    private ErrorMessages() {}

    /** The message of {@code e} followed by each cause's that says something new, joined by ": ". */
    public static String withCauses(Throwable e) {
        StringBuilder text = new StringBuilder(String.valueOf(e.getMessage()));
        for (Throwable cause = e.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            if (cause.getMessage() != null && !text.toString().contains(cause.getMessage())) {
                text.append(": ").append(cause.getMessage());
            }
        }
        return text.toString();
    }
}
