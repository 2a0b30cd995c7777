package dev.pageviews.job.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.UnrecoverableKeyException;
import java.util.Collections;

/**
 * The TLS material of the job's Redis clients: a truststore with the CA that signed Redis's certificates (a private
 * CA; none: the JVM's default CAs) and, when Redis asks for client certificates ({@code tls-auth-clients yes}), a
 * keystore with the job's key and certificate. Paths, not contents: the stores are read where the clients connect
 * (on the TaskManagers), each time a connection is made, so a renewed file is picked up on reconnect and no key
 * travels in the job graph. PKCS12 or JKS, told by the file's content.
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

    @Override
    public String toString() {
        return "RedisTls[truststore=" + truststore + (truststorePassword == null ? "" : " (password ***)") + ", keystore="
                + keystore + (keystorePassword == null ? "" : " (password ***)") + ", verifyHostname=" + verifyHostname + "]";
    }
}
