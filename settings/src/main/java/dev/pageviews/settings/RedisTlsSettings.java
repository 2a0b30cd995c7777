package dev.pageviews.settings;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The settings that make a {@link RedisTls}, defined once for every program that connects to Redis (the job, the read
 * service): {@code --redis-tls-truststore}, {@code --redis-tls-truststore-password}, {@code --redis-tls-keystore},
 * {@code --redis-tls-keystore-password} and {@code --redis-tls-verify-hostname}, with the same names, variables, masks
 * and checks in each. The docs differ only in who connects and where the files must be.
 */
public final class RedisTlsSettings {

    private final Setting<String> redis;
    private final Setting<String> truststore;
    private final Setting<String> truststorePassword;
    private final Setting<String> keystore;
    private final Setting<String> keystorePassword;
    private final Setting<Boolean> verifyHostname;

    private RedisTlsSettings(Setting<String> redis, Setting<String> truststore, Setting<String> truststorePassword,
            Setting<String> keystore, Setting<String> keystorePassword, Setting<Boolean> verifyHostname) {
        this.redis = redis;
        this.truststore = truststore;
        this.truststorePassword = truststorePassword;
        this.keystore = keystore;
        this.keystorePassword = keystorePassword;
        this.verifyHostname = verifyHostname;
    }

    /**
     * Defines the five settings in {@code schema}, in its help and docs where this is called.
     *
     * @param redis the schema's Redis URI setting ({@code --redis}), which the TLS settings must fit
     * @param client who connects, for the docs: "the job", "the read service"
     * @param truststoreWhere a sentence on where the truststore must be, e.g. on which machines
     * @param keystoreWhere a sentence on where the keystore must be; empty for none
     */
    public static RedisTlsSettings define(SettingsSchema schema, Setting<String> redis, String client, String truststoreWhere,
            String keystoreWhere) {
        Setting<String> truststore = schema.define("redis-tls-truststore")
                .doc("With a rediss... " + redis.flag() + ": the truststore (PKCS12 or JKS, told by its content) with the "
                        + "CA that signed Redis's certificates, e.g. a private CA; empty: the JVM's default CAs. "
                        + truststoreWhere + "; read at each connect, so a renewed file is used on reconnect.")
                .of(readableFileOrEmpty());
        Setting<String> truststorePassword = schema.define("redis-tls-truststore-password")
                .doc("Password of --redis-tls-truststore; empty for a store without one.").secret().of(Values.text());
        Setting<String> keystore = schema.define("redis-tls-keystore")
                .doc("With a rediss... " + redis.flag() + ": a keystore (PKCS12 or JKS) with the key and certificate chain "
                        + client + " shows Redis when Redis asks for client certificates (tls-auth-clients yes); empty: "
                        + "none." + (keystoreWhere.isEmpty() ? "" : " " + keystoreWhere))
                .of(readableFileOrEmpty());
        Setting<String> keystorePassword = schema.define("redis-tls-keystore-password")
                .doc("Password of --redis-tls-keystore and of the key in it.").secret().of(Values.text());
        Setting<Boolean> verifyHostname = schema.define("redis-tls-verify-hostname").defaultValue("true")
                .doc("Whether Redis's certificate must name the host " + client + " connects to: the host in "
                        + redis.flag() + ", or the address Sentinel or the cluster announces (often an IP address). false "
                        + "trusts any certificate the truststore's CA signed, whatever host it names.")
                .of(Values.bool());
        return new RedisTlsSettings(redis, truststore, truststorePassword, keystore, keystorePassword, verifyHostname);
    }

    public Setting<String> truststore() { return truststore; }
    public Setting<String> truststorePassword() { return truststorePassword; }
    public Setting<String> keystore() { return keystore; }
    public Setting<String> keystorePassword() { return keystorePassword; }
    public Setting<Boolean> verifyHostname() { return verifyHostname; }

    /** The TLS material these settings give. */
    public RedisTls of(Settings s) {
        return new RedisTls(s.get(truststore), s.get(truststorePassword), s.get(keystore), s.get(keystorePassword),
                s.get(verifyHostname));
    }

    /**
     * The checks across fields (for {@link SettingsSchema#check}): the stores only with a rediss... Redis, a password
     * only with its store, and each store opens with its password and holds what it must, so a wrong one fails where
     * it is given rather than at the first connect.
     */
    public void check(Settings s) {
        RedisUri uri = RedisUri.parse(s.get(redis));
        for (Setting<String> store : List.of(truststore, keystore)) {
            if (!s.get(store).isEmpty() && !uri.tls()) {
                throw s.invalid(store, "is for TLS, but " + redis.flag() + " (" + uri + ") is " + uri.scheme()
                        + "://; write " + uri.topology().scheme(true) + "://... for TLS, or leave " + store.flag() + " empty");
            }
        }
        if (!s.get(truststorePassword).isEmpty() && s.get(truststore).isEmpty()) {
            throw s.invalid(truststorePassword, "is given, but " + truststore.flag() + " is empty");
        }
        if (!s.get(keystorePassword).isEmpty() && s.get(keystore).isEmpty()) {
            throw s.invalid(keystorePassword, "is given, but " + keystore.flag() + " is empty");
        }
    }

    /** The stores open with their passwords and hold what they must; after {@link #check} and any other check. */
    public void checkStores(Settings s) {
        checkStore(s, truststore, truststorePassword, false);
        checkStore(s, keystore, keystorePassword, true);
    }

    private static void checkStore(Settings s, Setting<String> store, Setting<String> password, boolean needsPrivateKey) {
        if (s.get(store).isEmpty()) {
            return;
        }
        RedisTls.Problem problem = RedisTls.problem(Path.of(s.get(store)), s.get(password).isEmpty() ? null : s.get(password),
                needsPrivateKey);
        if (problem != null && problem.ofPassword()) {
            throw s.invalid(password, "does not fit " + store.flag() + " (" + s.get(store) + "): " + problem.why());
        }
        if (problem != null) {
            throw s.invalid(store, problem.why());
        }
    }

    /** A path to a readable file, or empty. */
    private static ValueType<String> readableFileOrEmpty() {
        return Values.checked(Values.text(), text -> {
            if (!text.isEmpty() && !(Files.isRegularFile(Path.of(text)) && Files.isReadable(Path.of(text)))) {
                throw new IllegalArgumentException("'" + text + "' is not a readable file" + (Files.exists(Path.of(text))
                        ? "" : " (there is none at that path)"));
            }
        });
    }
}
