package dev.pageviews.settings;

import java.util.List;

/**
 * The sentinels' own credentials, defined once for every program that connects to Redis through Sentinel (the job,
 * the read service): {@code --redis-sentinel-user} and {@code --redis-sentinel-password}, with the same names,
 * variables, masks and checks in each. They are apart from the data nodes' credentials in {@code --redis}: sentinels
 * often have no password, or one of their own, and a sentinel without one refuses {@code AUTH}.
 */
public final class RedisSentinelSettings {

    private final Setting<String> redis;
    private final Setting<String> user;
    private final Setting<String> password;

    private RedisSentinelSettings(Setting<String> redis, Setting<String> user, Setting<String> password) {
        this.redis = redis;
        this.user = user;
        this.password = password;
    }

    /**
     * Defines the two settings in {@code schema}, in its help and docs where this is called.
     *
     * @param redis the schema's Redis URI setting ({@code --redis}), which must name sentinels for these to apply
     */
    public static RedisSentinelSettings define(SettingsSchema schema, Setting<String> redis) {
        Setting<String> user = schema.define("redis-sentinel-user")
                .doc("With a Sentinel " + redis.flag() + ": the ACL user the sentinels want; empty: default (with "
                        + "--redis-sentinel-password) or none.")
                .of(Values.text());
        Setting<String> password = schema.define("redis-sentinel-password")
                .doc("With a Sentinel " + redis.flag() + ": the sentinels' password (their requirepass, or that of "
                        + "--redis-sentinel-user); empty when they want none. Apart from the data nodes' password in "
                        + redis.flag() + ", which the sentinels do not share by default: a sentinel without a password "
                        + "refuses AUTH.")
                .secret().of(Values.text());
        return new RedisSentinelSettings(redis, user, password);
    }

    public Setting<String> user() { return user; }
    public Setting<String> password() { return password; }

    /** The credentials these settings give; {@link SentinelCredentials#NONE} when the sentinels want none. */
    public SentinelCredentials of(Settings s) {
        return new SentinelCredentials(s.get(user), s.get(password));
    }

    /** The checks across fields (for {@link SettingsSchema#check}): only with a Sentinel Redis, a user only with a password. */
    public void check(Settings s) {
        RedisUri uri = RedisUri.parse(s.get(redis));
        for (Setting<String> setting : List.of(user, password)) {
            if (!s.get(setting).isEmpty() && !uri.sentinel()) {
                throw s.invalid(setting, "is for Sentinel, but " + redis.flag() + " (" + uri + ") is " + uri.scheme()
                        + "://; write " + RedisUri.Topology.SENTINEL.scheme(uri.tls())
                        + "://host:port,...#masterName for Sentinel, or leave " + setting.flag() + " empty");
            }
        }
        if (!s.get(user).isEmpty() && s.get(password).isEmpty()) {
            throw s.invalid(user, "needs " + password.flag());
        }
    }
}
