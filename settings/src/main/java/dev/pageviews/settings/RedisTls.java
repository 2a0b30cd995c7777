package dev.pageviews.settings;

import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.UnrecoverableKeyException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLException;

/**
 * The TLS material of a Redis client (the job's, the read service's): a truststore with the CA that signed Redis's
 * certificates (a private CA; none: the JVM's default CAs) and, when Redis asks for client certificates
 * ({@code tls-auth-clients yes}), a keystore with the client's key and certificate. Paths, not contents: the stores are
 * read where the clients connect, each time a connection is made, so a renewed file is picked up on reconnect and no
 * key travels in a Flink job graph. PKCS12 or JKS, told by the file's content.
 *
 * <p>Here, beside {@link RedisUri}, because both modules read it and the read service must not depend on the job;
 * what is Jedis's (its {@code SslOptions}) stays in each module, as this module has no dependencies.
 * {@link RedisTlsSettings} defines the settings that make one.
 *
 * @param truststore path of the truststore; null for the JVM's default CAs
 * @param truststorePassword its password; null for none
 * @param keystore path of the keystore with the client key and certificate chain; null for none
 * @param keystorePassword the password of the keystore and of the key in it; null for none
 * @param verifyHostname whether a server's certificate must name the host connected to (the name in --redis, or
 *     the address that Sentinel or the cluster announces)
 */
public record RedisTls(String truststore, String truststorePassword, String keystore, String keystorePassword,
        boolean verifyHostname) implements Serializable {

    /** The JVM's default CAs, no client certificate, host names verified. */
    public static final RedisTls DEFAULTS = new RedisTls(null, null, null, null, true);

    public RedisTls {
        truststore = emptyToNull(truststore);
        truststorePassword = emptyToNull(truststorePassword);
        keystore = emptyToNull(keystore);
        keystorePassword = emptyToNull(keystorePassword);
    }

    private static String emptyToNull(String text) {
        return text == null || text.isEmpty() ? null : text;
    }

    /** {@code PKCS12}, {@code JKS} or {@code JCEKS}, by the store's first bytes (the JDK reads each as its type). */
    public static String storeType(Path store) throws IOException {
        byte[] head;
        try (InputStream in = Files.newInputStream(store)) {
            head = in.readNBytes(4);
        }
        int magic = head.length < 4 ? 0 : (head[0] & 0xff) << 24 | (head[1] & 0xff) << 16 | (head[2] & 0xff) << 8 | head[3] & 0xff;
        return switch (magic) {
            case 0xFEEDFEED -> "JKS";
            case 0xCECECECE -> "JCEKS";
            default -> "PKCS12";
        };
    }

    /** Why a store cannot be used: its password ({@code ofPassword}) or the store itself. */
    public record Problem(boolean ofPassword, String why) {}

    /**
     * Opens a store as the clients will, so a wrong password, a file that is no keystore or a store without what it
     * must hold fails where the setting is given. Returns why it cannot be used, or null when it can.
     */
    public static Problem problem(Path store, String password, boolean needsPrivateKey) {
        KeyStore keyStore;
        try {
            keyStore = KeyStore.getInstance(storeType(store));
            try (InputStream in = Files.newInputStream(store)) {
                keyStore.load(in, password == null ? null : password.toCharArray());
            }
        } catch (IOException e) {
            if (e.getCause() instanceof UnrecoverableKeyException) {
                return new Problem(true, "it does not open the store");
            }
            return new Problem(false, "it is not a PKCS12 or JKS keystore that opens with the password given ("
                    + e.getMessage() + ")");
        } catch (GeneralSecurityException e) {
            return new Problem(false, "it cannot be read: " + e.getMessage());
        }
        try {
            for (String alias : Collections.list(keyStore.aliases())) {
                if (needsPrivateKey ? keyStore.isKeyEntry(alias) && keyStore.getKey(alias, password == null ? null
                        : password.toCharArray()) != null : keyStore.isCertificateEntry(alias) || keyStore.isKeyEntry(alias)) {
                    return null;
                }
            }
        } catch (UnrecoverableKeyException e) {
            return new Problem(true, "it opens the store but not the private key in it (the key needs the store's password)");
        } catch (GeneralSecurityException e) {
            return new Problem(false, "it cannot be read: " + e.getMessage());
        }
        return new Problem(false, needsPrivateKey ? "it holds no private key with its certificate (the client's)"
                : "it holds no certificate");
    }

    /**
     * Why a connection to Redis failed, when a TLS certificate is why: the setting to fix and how, for {@code client}
     * ("the job", "the read service"); null when {@code failure} does not show it is about TLS. A client certificate
     * Redis refuses shows only when the client reads Redis's alert: with TLS 1.3 Redis checks it after the handshake
     * and closes, so a client that writes first may see only "Connection reset", which says nothing about TLS. Reads the JDK's exceptions among
     * the causes (and what they suppressed: a cluster client's failure per node), whatever client threw them.
     *
     * @param redis the Redis address as logs may show it (no password)
     */
    public String diagnosis(Throwable failure, String redis, String client) {
        for (Throwable cause : causes(failure)) {
            String message = String.valueOf(cause.getMessage()).toLowerCase(Locale.ROOT);
            if (cause instanceof CertPathValidatorException || message.contains("pkix path")
                    || message.contains("unable to find valid certification path")) {
                return "Redis's TLS certificate is not signed by a CA " + client + " trusts: --redis-tls-truststore "
                        + "(PAGEVIEWS_REDIS_TLS_TRUSTSTORE) " + (truststore == null ? "is empty, so only the JVM's "
                        + "default CAs are trusted" : "is " + truststore) + "; give it a truststore with the CA that "
                        + "signed Redis's certificate";
            }
            if (cause instanceof CertificateException && (message.contains("no subject alternative")
                    || message.contains("no name matching"))) {
                return "Redis's TLS certificate does not name the host " + client + " connects to (" + cause.getMessage()
                        + "): connect by a name the certificate has, or set --redis-tls-verify-hostname "
                        + "(PAGEVIEWS_REDIS_TLS_VERIFY_HOSTNAME) false to trust any certificate the CA signed";
            }
            if (cause instanceof SSLException && (message.contains("certificate_required")
                    || message.contains("bad_certificate") || message.contains("unknown_ca")
                    || message.contains("certificate_unknown") || message.contains("decrypt_error"))) {
                return "Redis refused " + client + "'s TLS client certificate (" + cause.getMessage()
                        + "): --redis-tls-keystore (PAGEVIEWS_REDIS_TLS_KEYSTORE) " + (keystore == null ? "is empty, and "
                        + "Redis wants a client certificate (tls-auth-clients yes)" : "is " + keystore + ", and Redis does "
                        + "not accept its certificate") + "; give it a keystore with a key and certificate signed by a CA "
                        + "Redis trusts (its tls-ca-cert-file)";
            }
            if (cause instanceof SSLException && message.contains("unrecognized ssl message")) {
                return "Redis at " + redis + " does not answer in TLS: use the redis... scheme without the s "
                        + "(redis://, redis-cluster://, redis-sentinel://) if it has no TLS port, or the TLS port";
            }
        }
        return null;
    }

    /** The causes of {@code e} and of what it suppressed, depth first. */
    public static List<Throwable> causes(Throwable e) {
        List<Throwable> all = new ArrayList<>();
        collect(e, all);
        return all;
    }

    private static void collect(Throwable e, List<Throwable> into) {
        for (Throwable t = e; t != null && !into.contains(t); t = t.getCause()) {
            into.add(t);
            for (Throwable suppressed : t.getSuppressed()) {
                collect(suppressed, into);
            }
        }
    }

    @Override
    public String toString() {
        return "RedisTls[truststore=" + truststore + (truststorePassword == null ? "" : " (password ***)") + ", keystore="
                + keystore + (keystorePassword == null ? "" : " (password ***)") + ", verifyHostname=" + verifyHostname + "]";
    }
}
