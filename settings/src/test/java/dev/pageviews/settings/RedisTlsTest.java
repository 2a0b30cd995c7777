package dev.pageviews.settings;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ConnectException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/** The TLS diagnosis both Redis clients give: the JDK's handshake failures, wrapped as a client wraps them. */
class RedisTlsTest {

    static final RedisTls STORES = new RedisTls("/etc/ca.p12", "secret", "/etc/client.p12", "secret", true);

    /** As Jedis has them: a client exception around the socket's, the JDK's reason at the bottom. */
    static Exception wrapped(Throwable reason) {
        SSLHandshakeException handshake = new SSLHandshakeException("handshake failed");
        handshake.initCause(reason);
        return new RuntimeException("Failed to connect to any host resolved for DNS name.",
                new IOException("Could not get a resource from the pool", handshake));
    }

    @Test
    void anUntrustedCertificateNamesTheTruststore() {
        String why = RedisTls.DEFAULTS.diagnosis(wrapped(new CertPathValidatorException("PKIX path building failed")),
                "rediss://***@db:6380", "the read service");
        assertThat(why).isEqualTo("Redis's TLS certificate is not signed by a CA the read service trusts: "
                + "--redis-tls-truststore (PAGEVIEWS_REDIS_TLS_TRUSTSTORE) is empty, so only the JVM's default CAs are "
                + "trusted; give it a truststore with the CA that signed Redis's certificate");
        assertThat(STORES.diagnosis(wrapped(new CertPathValidatorException("x")), "r", "the job"))
                .contains("a CA the job trusts").contains("is /etc/ca.p12;").doesNotContain("secret");
    }

    @Test
    void aRefusedOrMissingClientCertificateNamesTheKeystore() {
        SSLHandshakeException alert = new SSLHandshakeException("Received fatal alert: certificate_required");
        assertThat(RedisTls.DEFAULTS.diagnosis(new RuntimeException(alert), "r", "the read service"))
                .contains("Redis refused the read service's TLS client certificate (Received fatal alert: certificate_required)")
                .contains("--redis-tls-keystore (PAGEVIEWS_REDIS_TLS_KEYSTORE) is empty, and Redis wants a client certificate");
        RuntimeException perNode = new RuntimeException("no reachable node");
        perNode.addSuppressed(new RuntimeException(new SSLHandshakeException("Received fatal alert: unknown_ca")));
        assertThat(STORES.diagnosis(perNode, "r", "the job")).contains("--redis-tls-keystore (PAGEVIEWS_REDIS_TLS_KEYSTORE) "
                + "is /etc/client.p12, and Redis does not accept its certificate");
    }

    @Test
    void aCertificateForAnotherHostNamesTheHostnameSetting() {
        String why = STORES.diagnosis(wrapped(new CertificateException("No subject alternative names matching IP address "
                + "10.0.0.7 found")), "r", "the read service");
        assertThat(why).contains("does not name the host the read service connects to")
                .contains("--redis-tls-verify-hostname (PAGEVIEWS_REDIS_TLS_VERIFY_HOSTNAME) false");
    }

    @Test
    void otherFailuresAreNotAboutTls() {
        assertThat(STORES.diagnosis(new RuntimeException(new ConnectException("Connection refused")), "r", "the job"))
                .isNull();
    }
}
