package dev.pageviews.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import org.apache.kafka.common.security.ssl.SslPrincipalMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TestCertificatesTest {

    private static TestCertificates certificates;

    @BeforeAll
    static void make() {
        certificates = TestCertificates.create(LocalStackExtension.newWorkDir().resolve("certs"));
    }

    @Test
    void theCaSignsAServerCertificateForLoopbackAndAClientCertificate() throws Exception {
        X509Certificate ca = certificate(certificates.caCertificate());
        X509Certificate server = certificate(certificates.serverCertificate());
        X509Certificate client = certificate(certificates.clientCertificate());
        assertThat(ca.getBasicConstraints()).as("the CA may sign").isGreaterThanOrEqualTo(0);
        server.verify(ca.getPublicKey());
        client.verify(ca.getPublicKey());
        assertThat(server.getSubjectAlternativeNames().stream().map(name -> (Object) name.get(1))).contains("127.0.0.1", "localhost");
        assertThat(server.getExtendedKeyUsage()).contains("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"); // server and client auth
        assertThat(client.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2");
        assertThat(client.getBasicConstraints()).as("a leaf").isEqualTo(-1);
    }

    @Test
    void privateKeysArePkcs8PemMatchingTheirCertificates() throws Exception {
        for (List<Path> pair : List.of(List.of(certificates.serverKey(), certificates.serverCertificate()),
                List.of(certificates.clientKey(), certificates.clientCertificate()))) {
            String pem = Files.readString(pair.get(0));
            assertThat(pem).startsWith("-----BEGIN PRIVATE KEY-----\n").endsWith("-----END PRIVATE KEY-----\n");
            String base64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
            PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
            byte[] data = "proof".getBytes(StandardCharsets.UTF_8);
            Signature signer = Signature.getInstance("SHA256withECDSA");
            signer.initSign(key);
            signer.update(data);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance("SHA256withECDSA");
            verifier.initVerify(certificate(pair.get(1)).getPublicKey());
            verifier.update(data);
            assertThat(verifier.verify(signature)).as("%s signs for %s", pair.get(0), pair.get(1)).isTrue();
        }
    }

    @Test
    void javaStoresHoldTheCaAndTheClientKeyWithItsChain() throws Exception {
        char[] password = certificates.password().toCharArray();
        KeyStore trust = KeyStore.getInstance(certificates.truststore().toFile(), password);
        assertThat(trust.getType()).isEqualToIgnoringCase("PKCS12");
        assertThat(java.util.Collections.list(trust.aliases())).containsExactly("ca");
        assertThat(trust.isCertificateEntry("ca")).isTrue();
        assertThat(trust.getCertificate("ca")).isEqualTo(certificate(certificates.caCertificate()));

        KeyStore client = KeyStore.getInstance(certificates.clientKeystore().toFile(), password);
        assertThat(client.isKeyEntry("client")).isTrue();
        assertThat(client.getKey("client", password)).isNotNull();
        assertThat(client.getCertificateChain("client")).containsExactly(certificate(certificates.clientCertificate()),
                certificate(certificates.caCertificate()));
        KeyStore server = KeyStore.getInstance(certificates.serverKeystore().toFile(), password);
        assertThat(server.getCertificateChain("server")).hasSize(2);
    }

    @Test
    void clientCertificatesForANameAreSignedByTheCaAndMapToTheNameInKafka() throws Exception {
        certificates.issueClients("edge");
        Path impostor = certificates.selfSignedKeystore("edge");
        char[] password = certificates.password().toCharArray();
        X509Certificate ca = certificate(certificates.caCertificate());

        java.security.cert.Certificate[] chain = KeyStore.getInstance(certificates.clientKeystore("edge").toFile(), password)
                .getCertificateChain("client-edge");
        assertThat(chain).hasSize(2);
        X509Certificate edge = (X509Certificate) chain[0];
        edge.verify(ca.getPublicKey());
        assertThat(edge.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2");
        // the subject as the broker reads it (RFC 2253), and the user its principal mapping makes of it
        String subject = edge.getSubjectX500Principal().getName();
        assertThat(subject).isEqualTo(TestCertificates.clientSubject("edge")).isEqualTo("CN=edge,OU=pageviews-clients");
        SslPrincipalMapper mapper = SslPrincipalMapper.fromRules(KafkaSecurity.PRINCIPAL_MAPPING);
        assertThat(mapper.getName(subject)).isEqualTo("edge");
        assertThat(mapper.getName(certificate(certificates.clientCertificate()).getSubjectX500Principal().getName()))
                .as("another subject is no user an ACL names").isEqualTo("CN=pageviews test client");

        X509Certificate selfSigned = (X509Certificate) KeyStore.getInstance(impostor.toFile(), password)
                .getCertificate("client-edge");
        assertThat(selfSigned.getSubjectX500Principal().getName()).isEqualTo(subject);
        assertThat(selfSigned.getIssuerX500Principal()).isEqualTo(selfSigned.getSubjectX500Principal());
        assertThatThrownBy(() -> selfSigned.verify(ca.getPublicKey())).isInstanceOf(GeneralSecurityException.class);
    }

    @Test
    void eachCallMakesAnotherCa() throws Exception {
        TestCertificates other = TestCertificates.create(LocalStackExtension.newWorkDir().resolve("other-certs"));
        assertThat(certificate(other.caCertificate())).isNotEqualTo(certificate(certificates.caCertificate()));
        assertThat(other.password()).isNotEqualTo(certificates.password());
    }

    private static X509Certificate certificate(Path pem) throws Exception {
        try (InputStream in = Files.newInputStream(pem)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }
}
