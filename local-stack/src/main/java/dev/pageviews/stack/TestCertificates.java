package dev.pageviews.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A private certificate authority and two certificates it signed, made with the JDK's {@code keytool} alone, for
 * services and clients that talk TLS on loopback: a server certificate (for 127.0.0.1 and localhost, usable as a
 * client certificate too, as servers that connect to each other need: Redis replicas, Sentinel, a Kafka broker's
 * inter-broker listener) and a client certificate.
 *
 * <p>Written in two forms: PEM files for servers that read them (Redis: {@code tls-cert-file}, {@code tls-key-file},
 * {@code tls-ca-cert-file}; the private keys unencrypted PKCS#8), and PKCS12 stores for Java: a truststore holding
 * the CA, a keystore per certificate holding its key and chain. One random password (see {@link #password()})
 * protects every store and private key. Each CA has a name of its own, so a client that trusts another one fails
 * as with a stranger's certificate ("PKIX path building failed"), not on a signature that does not match.
 */
public final class TestCertificates {

    private static final Logger LOG = LoggerFactory.getLogger(TestCertificates.class);
    private static final String VALIDITY_DAYS = "30";

    private final Path dir;
    private final String password;

    private TestCertificates(Path dir, String password) {
        this.dir = dir;
        this.password = password;
    }

    /** Makes a new CA and its certificates in {@code dir} (created if need be); each call makes a different CA. */
    public static TestCertificates create(Path dir) {
        TestCertificates certificates = new TestCertificates(dir.toAbsolutePath(), UUID.randomUUID().toString());
        long started = System.nanoTime();
        certificates.make();
        LOG.info("Made a test CA with server and client certificates in {} ({} ms)", certificates.dir,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        return certificates;
    }

    public Path dir() {
        return dir;
    }

    /** The CA certificate, PEM: what a server trusts client certificates by ({@code tls-ca-cert-file}). */
    public Path caCertificate() {
        return dir.resolve("ca.crt");
    }

    /** The server certificate, PEM (SAN: IP 127.0.0.1, DNS localhost; for server and client authentication). */
    public Path serverCertificate() {
        return dir.resolve("server.crt");
    }

    /** The server's private key, PEM, unencrypted PKCS#8 ({@code -----BEGIN PRIVATE KEY-----}). */
    public Path serverKey() {
        return dir.resolve("server.key");
    }

    /** The client certificate, PEM (CN=pageviews test client; for client authentication). */
    public Path clientCertificate() {
        return dir.resolve("client.crt");
    }

    /** The client's private key, PEM, unencrypted PKCS#8. */
    public Path clientKey() {
        return dir.resolve("client.key");
    }

    /** A PKCS12 truststore holding the CA certificate: what a Java client trusts the server by. */
    public Path truststore() {
        return dir.resolve("truststore.p12");
    }

    /** A PKCS12 keystore with the client's key and certificate chain: what a Java client proves itself with. */
    public Path clientKeystore() {
        return dir.resolve("client.p12");
    }

    /** A PKCS12 keystore with the server's key and certificate chain, for Java servers (a Kafka broker). */
    public Path serverKeystore() {
        return dir.resolve("server.p12");
    }

    /**
     * The organizational unit of the certificates {@link #issueClients} makes: subject {@code CN=<name>,OU=} this. A
     * server that knows its clients by name maps that subject to the name (Kafka: {@code ssl.principal.mapping.rules}).
     */
    public static final String CLIENT_UNIT = "pageviews-clients";

    /** The subject of the client certificate {@link #issueClients} makes for {@code name}. */
    public static String clientSubject(String name) {
        return "CN=" + name + ",OU=" + CLIENT_UNIT;
    }

    /** The PKCS12 keystore {@link #issueClients} made for {@code name}: its key and certificate chain. */
    public Path clientKeystore(String name) {
        return dir.resolve("client-" + name + ".p12");
    }

    /**
     * Makes a client certificate per name, subject {@link #clientSubject}, signed by this CA (for client
     * authentication), each in a keystore of its own ({@link #clientKeystore(String)}): clients that prove who they
     * are by their certificate alone (mutual TLS). The names' keytool runs go at once, as in {@link #create}. A name
     * issued before keeps its certificate: {@link #shared} certificates serve every test in the JVM.
     */
    public synchronized void issueClients(String... requested) {
        String[] names = java.util.Arrays.stream(requested).distinct()
                .filter(name -> !Files.exists(clientKeystore(name))).toArray(String[]::new);
        if (names.length == 0) {
            return;
        }
        try {
            Path caStore = dir.resolve("ca.p12");
            inParallel(each(names, name -> keytool("-genkeypair", "-alias", alias(name), "-dname", clientSubject(name),
                    "-keystore", clientKeystore(name).toString())));
            inParallel(each(names, name -> keytool("-certreq", "-alias", alias(name), "-keystore",
                    clientKeystore(name).toString(), "-file", request(alias(name)).toString())));
            inParallel(each(names, name -> sign(caStore, alias(name), certificate(name), "eku=clientAuth")));
            inParallel(each(names, name -> installChain(alias(name), clientKeystore(name), certificate(name),
                    dir.resolve(alias(name) + ".key"))));
            LOG.info("Issued client certificates for {} in {}", List.of(names), dir);
        } catch (IOException e) {
            throw new UncheckedIOException("could not issue client certificates in " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * A PKCS12 keystore with a key and a self-signed certificate for {@link #clientSubject}({@code name}): the same
     * subject as the one {@link #issueClients} makes, but signed by no CA, as an impostor's would be.
     */
    public synchronized Path selfSignedKeystore(String name) {
        Path store = dir.resolve("self-signed-" + name + ".p12");
        if (Files.exists(store)) {
            return store;
        }
        try {
            keytool("-genkeypair", "-alias", alias(name), "-dname", clientSubject(name), "-keystore", store.toString());
            return store;
        } catch (IOException e) {
            throw new UncheckedIOException("could not make a self-signed certificate in " + dir + ": " + e.getMessage(), e);
        }
    }

    private static String alias(String name) {
        return "client-" + name;
    }

    private Path certificate(String name) {
        return dir.resolve(alias(name) + ".crt");
    }

    private interface NameStep {
        void run(String name) throws IOException;
    }

    private static Step[] each(String[] names, NameStep step) {
        return java.util.Arrays.stream(names).map(name -> (Step) () -> step.run(name)).toArray(Step[]::new);
    }

    /** The password of every store and of the keys in them. */
    public String password() {
        return password;
    }

    /**
     * The same CA and certificates for every caller in this JVM, made on first use: tests that only need TLS to work
     * share it; a test that needs a CA of its own (a client that must not trust the server) calls {@link #create}.
     */
    public static synchronized TestCertificates shared() {
        if (shared == null) {
            shared = create(LocalStackExtension.newWorkDir().resolve("certificates"));
        }
        return shared;
    }

    private static TestCertificates shared;

    /** Four rounds of keytool runs, the runs of a round at once: each is a JVM start, most of the time taken. */
    private void make() {
        try {
            Files.createDirectories(dir);
            Path caStore = dir.resolve("ca.p12");
            String caName = UUID.randomUUID().toString().substring(0, 8);
            inParallel(
                    () -> keytool("-genkeypair", "-alias", "ca", "-dname", "CN=pageviews test CA " + caName,
                            "-ext", "bc:c", "-keystore", caStore.toString()),
                    () -> keytool("-genkeypair", "-alias", "server", "-dname", "CN=localhost", "-keystore", serverKeystore().toString()),
                    () -> keytool("-genkeypair", "-alias", "client", "-dname", "CN=pageviews test client",
                            "-keystore", clientKeystore().toString()));
            inParallel(
                    () -> keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", caStore.toString(),
                            "-file", caCertificate().toString()),
                    () -> keytool("-certreq", "-alias", "server", "-keystore", serverKeystore().toString(),
                            "-file", request("server").toString()),
                    () -> keytool("-certreq", "-alias", "client", "-keystore", clientKeystore().toString(),
                            "-file", request("client").toString()));
            inParallel(
                    () -> keytool("-importcert", "-noprompt", "-alias", "ca", "-file", caCertificate().toString(),
                            "-keystore", truststore().toString()),
                    () -> sign(caStore, "server", serverCertificate(), "eku=serverAuth,clientAuth", "san=ip:127.0.0.1,dns:localhost"),
                    () -> sign(caStore, "client", clientCertificate(), "eku=clientAuth"));
            inParallel(
                    () -> installChain("server", serverKeystore(), serverCertificate(), serverKey()),
                    () -> installChain("client", clientKeystore(), clientCertificate(), clientKey()));
        } catch (IOException e) {
            throw new UncheckedIOException("could not make test certificates in " + dir + ": " + e.getMessage(), e);
        }
    }

    private Path request(String alias) {
        return dir.resolve(alias + ".csr");
    }

    private void sign(Path caStore, String alias, Path certificate, String... extensions) throws IOException {
        List<String> sign = new ArrayList<>(List.of("-gencert", "-rfc", "-alias", "ca", "-keystore", caStore.toString(),
                "-infile", request(alias).toString(), "-outfile", certificate.toString()));
        for (String extension : extensions) {
            sign.addAll(List.of("-ext", extension));
        }
        keytool(sign.toArray(String[]::new));
        Files.delete(request(alias));
    }

    /** Installs the signed certificate with its CA in {@code store}, and writes the private key as PEM. */
    private void installChain(String alias, Path store, Path certificate, Path key) throws IOException {
        // the reply with its CA appended: keytool installs a complete chain without asking whether to trust the root
        Path chain = dir.resolve(alias + "-chain.crt");
        Files.writeString(chain, Files.readString(certificate) + Files.readString(caCertificate()));
        keytool("-importcert", "-noprompt", "-alias", alias, "-file", chain.toString(), "-keystore", store.toString());
        Files.delete(chain);
        Files.writeString(key, pem("PRIVATE KEY", privateKey(store, alias).getEncoded()));
    }

    private interface Step {
        void run() throws IOException;
    }

    /** Not the common pool: on two cores it runs one task at a time. */
    private static void onItsOwnThread(Runnable task) {
        Thread thread = new Thread(task, "keytool");
        thread.setDaemon(true);
        thread.start();
    }

    private static void inParallel(Step... steps) throws IOException {
        List<CompletableFuture<Void>> running = new ArrayList<>();
        for (Step step : steps) {
            running.add(CompletableFuture.runAsync(() -> {
                try {
                    step.run();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, TestCertificates::onItsOwnThread));
        }
        try {
            CompletableFuture.allOf(running.toArray(CompletableFuture[]::new)).join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof UncheckedIOException io) {
                throw io.getCause();
            }
            throw e;
        }
    }

    private PrivateKey privateKey(Path store, String alias) throws IOException {
        try {
            KeyStore keyStore = KeyStore.getInstance(store.toFile(), password.toCharArray());
            Key key = keyStore.getKey(alias, password.toCharArray());
            if (!(key instanceof PrivateKey privateKey) || !"PKCS#8".equals(key.getFormat())) {
                throw new IOException("no PKCS#8 private key under alias " + alias + " in " + store);
            }
            return privateKey;
        } catch (GeneralSecurityException e) {
            throw new IOException("could not read the private key of " + alias + " from " + store + ": " + e.getMessage(), e);
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    /** Runs the JDK's keytool, with the common options: PKCS12 stores, EC P-256 keys, the one password. */
    private void keytool(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-J-XX:TieredStopAtLevel=1", "-J-XX:+UseSerialGC")); // a short-lived JVM: start fast, no GC threads
        command.addAll(List.of(args));
        if (List.of(args).contains("-genkeypair")) {
            command.addAll(List.of("-keyalg", "EC", "-groupname", "secp256r1"));
        }
        if (List.of(args).contains("-genkeypair") || List.of(args).contains("-gencert")) {
            command.addAll(List.of("-validity", VALIDITY_DAYS));
        }
        command.addAll(List.of("-storetype", "PKCS12"));
        command.addAll(List.of("-storepass", password));
        Path log = dir.resolve("keytool.log");
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException("keytool " + args[0] + " did not finish within 60 s");
            }
            if (process.exitValue() != 0) {
                throw new IOException("keytool " + args[0] + " failed (exit " + process.exitValue() + "); see " + log
                        + ":\n" + Files.readString(log));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running keytool", e);
        }
    }
}
