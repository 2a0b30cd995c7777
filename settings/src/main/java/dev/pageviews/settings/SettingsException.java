package dev.pageviews.settings;

/** A setting that cannot be used; the message names the flag and its environment variable, and what to write. */
public final class SettingsException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    public SettingsException(String message) {
        super(message);
    }

    public SettingsException(String message, Throwable cause) {
        super(message, cause);
    }
}
