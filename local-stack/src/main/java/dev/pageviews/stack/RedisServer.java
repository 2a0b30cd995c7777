package dev.pageviews.stack;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.args.ClientPauseMode;
import redis.clients.jedis.SslOptions;

/**
 * Debian's {@code redis-server} on loopback, without persistence for tests or with an append-only file for local runs;
 * optionally as operators run it ({@link #builder}): TLS only with client certificates, ACL users with the
 * {@code default} user off, a replica of another server, a memory limit, a Redis Cluster node.
 */
public final class RedisServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RedisServer.class);
    private static final List<String> SEARCH_PATH = List.of("/usr/bin", "/usr/sbin", "/usr/local/bin", "/opt/homebrew/bin");

    public enum Persistence {
        /** Nothing is written to disk: for tests. */
        NONE,
        /** An append-only file fsynced on every write, so a killed server loses no committed count. */
        APPEND_ONLY
    }

    /** A user and its password; {@link #toString()} leaves the password out. */
    public record Credentials(String user, String password) {
        public Credentials {
            Objects.requireNonNull(user, "user");
            Objects.requireNonNull(password, "password");
        }

        @Override
        public String toString() {
            return user + ":***";
        }
    }

    private final Path workDir;
    private final int port;
    private final Persistence persistence;
    private final TestCertificates tls;
    private final boolean clientCertificates;
    private final Credentials admin;
    private final List<String> args;
    private ServiceProcess process;

    private RedisServer(Builder builder) {
        this.workDir = builder.workDir.toAbsolutePath();
        this.port = FreePorts.orFree(builder.port);
        this.persistence = builder.persistence;
        this.tls = builder.tls;
        this.clientCertificates = builder.clientCertificates;
        this.admin = builder.admin;
        this.args = List.copyOf(arguments(builder));
    }

    public static RedisServer start(Path workDir, int port, Persistence persistence) {
        return builder(workDir).port(port).persistence(persistence).start();
    }

    /** With extra {@code redis-server} arguments, e.g. {@code --maxmemory-policy noeviction}. */
    public static RedisServer start(Path workDir, int port, Persistence persistence, List<String> extraArgs) {
        return builder(workDir).port(port).persistence(persistence).args(extraArgs).start();
    }

    /** A server to configure, then {@link Builder#start()}: on a free port, without persistence, TLS or users. */
    public static Builder builder(Path workDir) {
        return new Builder(workDir);
    }

    /** The port clients connect to: the TLS port when the server speaks TLS (it then has no plain port). */
    public int port() {
        return port;
    }

    public String host() {
        return "127.0.0.1";
    }

    public HostAndPort hostAndPort() {
        return new HostAndPort(host(), port);
    }

    /** {@code redis://127.0.0.1:port} ({@code rediss://} with TLS), the form the job's {@code --redis} flag takes. */
    public String uri() {
        return scheme("redis") + "://" + host() + ":" + port;
    }

    /** {@link #uri()} with credentials, percent-encoded as a URI needs them. */
    public String uri(String user, String password) {
        return scheme("redis") + "://" + userInfo(user, password) + host() + ":" + port;
    }

    /** {@code redis} or {@code rediss}, {@code redis-cluster} or {@code rediss-cluster}, ... as this server speaks. */
    String scheme(String plain) {
        return tls == null ? plain : plain.replaceFirst("^redis", "rediss");
    }

    static String userInfo(String user, String password) {
        return (user == null ? "" : encode(user)) + ":" + encode(password) + "@";
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** The certificates it serves TLS with; null without TLS. */
    public TestCertificates tls() {
        return tls;
    }

    /** The user that may do anything; null when the server has no users but {@code default}. */
    public Credentials admin() {
        return admin;
    }

    /**
     * How a client reaches it as its admin: over TLS with the test CA and client certificate, authenticated as the
     * admin user (when there is one).
     */
    public JedisClientConfig clientConfig() {
        return clientConfig(tls, admin);
    }

    static JedisClientConfig clientConfig(TestCertificates tls, Credentials credentials) {
        return clientConfigBuilder(tls, credentials).build();
    }

    /** Not {@code DefaultJedisClientConfig.Builder.from(...)}: it copies a credentials provider that wins over user(). */
    static DefaultJedisClientConfig.Builder clientConfigBuilder(TestCertificates tls, Credentials credentials) {
        DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(5000).socketTimeoutMillis(10_000);
        if (tls != null) {
            config.sslOptions(sslOptions(tls));
        }
        if (credentials != null) {
            config.user(credentials.user()).password(credentials.password());
        }
        return config;
    }

    /** Trusts the test CA and shows the test client certificate. */
    public static SslOptions sslOptions(TestCertificates tls) {
        char[] password = tls.password().toCharArray();
        return SslOptions.builder()
                .truststore(tls.truststore().toFile(), password).trustStoreType("PKCS12")
                .keystore(tls.clientKeystore().toFile(), password).keyStoreType("PKCS12")
                .build();
    }

    /** A new connection, as the admin with TLS where the server has them; the caller closes it. */
    public Jedis client() {
        return new Jedis(hostAndPort(), clientConfig());
    }

    /** The process id, e.g. to watch it; -1 when it is not running. */
    public long pid() {
        return process == null ? -1 : process.pid();
    }

    public Path workDir() {
        return workDir;
    }

    public Path logFile() {
        return workDir.resolve("redis.log");
    }

    public void stop() {
        if (process != null) {
            process.close();
            process = null;
        }
    }

    /** Kills the server outright, as {@code kill -9} would. */
    public void kill() {
        if (process != null) {
            process.kill();
            process.close();
            process = null;
        }
    }

    /** Freezes the server (SIGSTOP): connections stay open, nothing is read, written or answered until {@link #resume()}. */
    public void pause() {
        running().pause();
    }

    public void resume() {
        running().resume();
    }

    /**
     * Makes {@code replica} (of this primary) lag from now on, on purpose: between two writes, so that no write already
     * made waits for it, it is paused ({@link #pause()}) and cut off (this primary closes its replicas' connections);
     * every write from then on is on this primary alone until the replica is resumed. New writes are held back
     * meanwhile ({@code CLIENT PAUSE WRITE}), those under way given 200 ms to reach the replica and be acknowledged,
     * and {@code atTheCut} runs before writes resume: what it reads of this primary, the replica has too. Pausing
     * alone makes no lag on loopback: what a primary sends waits in the paused replica's socket buffer and is read
     * when it resumes.
     */
    public void cutOff(RedisServer replica, Runnable atTheCut) {
        try (Jedis jedis = client()) {
            jedis.clientPause(10_000, ClientPauseMode.WRITE);
            try {
                ServiceProcess.sleep(200);
                replica.pause();
                jedis.sendCommand(Protocol.Command.CLIENT, "KILL", "TYPE", "replica");
                atTheCut.run();
            } finally {
                jedis.clientUnpause();
            }
        }
        LOG.info("{} is cut off from its primary {}: writes from now on are on the primary alone", replica, this);
    }

    public boolean isPaused() {
        return process != null && process.isPaused();
    }

    public void restart() {
        stop();
        startProcess();
    }

    /** Starts it again after {@link #kill()} or {@link #stop()}, on the same port and with the same settings. */
    public void start() {
        if (isRunning()) {
            throw new IllegalStateException("redis-server on port " + port + " is running already");
        }
        startProcess();
    }

    /**
     * Starts it again as a replica of {@code primary}, whatever it was before: as the start script of a Sentinel
     * deployment brings a node back, having asked the sentinels for the primary.
     */
    public void startAsReplicaOf(HostAndPort primary) {
        if (isRunning()) {
            throw new IllegalStateException("redis-server on port " + port + " is running already");
        }
        startProcess(List.of("--replicaof", primary.getHost(), Integer.toString(primary.getPort())));
    }

    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    @Override
    public void close() {
        stop();
    }

    @Override
    public String toString() {
        return "redis-server " + host() + ":" + port + (tls == null ? "" : " (TLS)");
    }

    private ServiceProcess running() {
        if (process == null) {
            throw new IllegalStateException(this + " is not running");
        }
        return process;
    }

    private List<String> arguments(Builder builder) {
        List<String> command = new ArrayList<>(List.of(
                "--bind", "127.0.0.1",
                "--protected-mode", "yes",
                "--daemonize", "no",
                "--dir", workDir.toString(),
                "--save", "",
                "--repl-diskless-sync-delay", "0")); // a replica's full sync starts at once, not after 5 s waiting for more
        if (tls == null) {
            command.addAll(List.of("--port", Integer.toString(port)));
        } else {
            command.addAll(List.of("--port", "0", "--tls-port", Integer.toString(port),
                    "--tls-cert-file", tls.serverCertificate().toString(),
                    "--tls-key-file", tls.serverKey().toString(),
                    "--tls-ca-cert-file", tls.caCertificate().toString(),
                    "--tls-auth-clients", clientCertificates ? "yes" : "no",
                    "--tls-replication", "yes")); // a replica connects to its primary with TLS (and the server certificate)
            if (builder.clusterNodeTimeout != null) {
                command.addAll(List.of("--tls-cluster", "yes"));
            }
        }
        if (persistence == Persistence.APPEND_ONLY) {
            command.addAll(List.of("--appendonly", "yes", "--appendfsync", "always"));
        } else {
            command.addAll(List.of("--appendonly", "no"));
        }
        if (admin != null) {
            command.addAll(List.of("--user", "default", "off"));
            command.addAll(List.of("--user", admin.user(), "on", ">" + admin.password(), "~*", "&*", "+@all"));
            // a replica, or a primary that Sentinel or the cluster turns into one, authenticates to its primary as admin
            command.addAll(List.of("--masteruser", admin.user(), "--masterauth", admin.password()));
        }
        for (String user : builder.users) {
            command.add("--user");
            command.addAll(List.of(user.trim().split("\\s+")));
        }
        if (builder.replicaOf != null) {
            command.addAll(List.of("--replicaof", builder.replicaOf.getHost(), Integer.toString(builder.replicaOf.getPort())));
        }
        if (builder.maxmemory != null) {
            command.addAll(List.of("--maxmemory", builder.maxmemory, "--maxmemory-policy", builder.maxmemoryPolicy));
        }
        if (builder.clusterNodeTimeout != null) {
            command.addAll(List.of("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                    "--cluster-node-timeout", Long.toString(builder.clusterNodeTimeout.toMillis()),
                    // the bus port is picked, not port + 10000, which may be taken or above 65535
                    "--cluster-port", Integer.toString(FreePorts.pick())));
        }
        command.addAll(builder.args);
        return command;
    }

    private void startProcess() {
        startProcess(List.of());
    }

    private void startProcess(List<String> extraArgs) {
        List<String> command = new ArrayList<>();
        command.add(executable().toString());
        command.addAll(args);
        command.addAll(extraArgs);
        process = ServiceProcess.start("redis", command, workDir, logFile());
        process.awaitReady(this::answers, Duration.ofSeconds(30));
        LOG.info("Redis ready at {} (persistence: {}{}{})", uri(), persistence, tls == null ? "" : ", TLS",
                admin == null ? "" : ", ACL users");
    }

    private boolean answers() {
        try (Jedis jedis = client()) {
            return "PONG".equals(jedis.ping());
        } catch (RuntimeException notYet) {
            return false;
        }
    }

    static Path executable() {
        return executable(System.getenv(), SEARCH_PATH);
    }

    static Path executable(java.util.Map<String, String> environment, List<String> fallbackDirs) {
        String env = environment.get("REDIS_SERVER");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        List<String> dirs = new ArrayList<>(List.of(environment.getOrDefault("PATH", "").split(java.io.File.pathSeparator)));
        dirs.addAll(fallbackDirs);
        for (String dir : dirs) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, "redis-server");
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("redis-server not found on PATH: apt-get install redis-server "
                + "(or set REDIS_SERVER to its path)");
    }

    /** How to start a {@link RedisServer}. */
    public static final class Builder {
        private final Path workDir;
        private int port;
        private Persistence persistence = Persistence.NONE;
        private TestCertificates tls;
        private boolean clientCertificates;
        private Credentials admin;
        private final List<String> users = new ArrayList<>();
        private HostAndPort replicaOf;
        private String maxmemory;
        private String maxmemoryPolicy;
        private Duration clusterNodeTimeout;
        private final List<String> args = new ArrayList<>();

        private Builder(Path workDir) {
            this.workDir = workDir;
        }

        /** The port; 0 (the default) for a free one. With TLS, the TLS port. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        public Builder persistence(Persistence persistence) {
            this.persistence = Objects.requireNonNull(persistence);
            return this;
        }

        /**
         * TLS only (no plain port), with the certificates' server certificate; clients must show a certificate the
         * CA signed ({@code tls-auth-clients yes}). Replication (and the cluster bus of a cluster node) is TLS too.
         */
        public Builder tls(TestCertificates certificates) {
            return tls(certificates, true);
        }

        /** TLS; {@code clientCertificates} false lets clients in without one ({@code tls-auth-clients no}). */
        public Builder tls(TestCertificates certificates, boolean clientCertificates) {
            this.tls = Objects.requireNonNull(certificates);
            this.clientCertificates = clientCertificates;
            return this;
        }

        /**
         * ACL users, the {@code default} user off: {@code user} may do anything (it is what {@link #client()} and a
         * replica authenticate as); add others with {@link #user}.
         */
        public Builder admin(String user, String password) {
            this.admin = new Credentials(user, password);
            return this;
        }

        /** An ACL user in {@code ACL SETUSER} syntax, e.g. {@code app on >secret ~page_views* +@all}. */
        public Builder user(String aclRule) {
            this.users.add(aclRule);
            return this;
        }

        /** A replica of {@code primary} ({@code --replicaof}). */
        public Builder replicaOf(HostAndPort primary) {
            this.replicaOf = primary;
            return this;
        }

        /** {@code --maxmemory} (e.g. {@code 10mb}) with {@code --maxmemory-policy} (e.g. {@code noeviction}). */
        public Builder maxmemory(String size, String policy) {
            this.maxmemory = Objects.requireNonNull(size);
            this.maxmemoryPolicy = Objects.requireNonNull(policy);
            return this;
        }

        /** A Redis Cluster node (nodes.conf in its work dir), with this node timeout. */
        public Builder clusterNode(Duration nodeTimeout) {
            this.clusterNodeTimeout = nodeTimeout;
            return this;
        }

        /** Further {@code redis-server} arguments, after the others (so they win). */
        public Builder args(List<String> args) {
            this.args.addAll(args);
            return this;
        }

        public RedisServer start() {
            RedisServer server = new RedisServer(this);
            server.startProcess();
            return server;
        }
    }
}
