package dev.pageviews.settings;

import java.io.Serializable;

/**
 * What the job authenticates to the sentinels with, apart from the data nodes' credentials in {@code --redis}:
 * sentinels often have no password, or one of their own, and a sentinel without one refuses {@code AUTH}.
 *
 * @param user the sentinels' ACL user; null for {@code default}
 * @param password their password; null when they want none
 */
public record SentinelCredentials(String user, String password) implements Serializable {

    /** Sentinels that want no password. */
    public static final SentinelCredentials NONE = new SentinelCredentials(null, null);

    public SentinelCredentials {
        user = user == null || user.isEmpty() ? null : user;
        password = password == null || password.isEmpty() ? null : password;
    }

    @Override
    public String toString() {
        return password == null ? "none" : (user == null ? "default" : user) + ":***";
    }
}
