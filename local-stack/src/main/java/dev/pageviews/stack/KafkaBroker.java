package dev.pageviews.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node Kafka broker in KRaft mode (broker and controller in one JVM), run as a separate JVM from
 * the kafka_2.13 jars Maven resolved. Its data lives in {@code workDir}: starting again on the same dir
 * keeps the topics and their records.
 */
public final class KafkaBroker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaBroker.class);
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);

    private final Path workDir;
    private final int port;
    private final int controllerPort;
    /** The mutual TLS listener's port, with security; -1 without. */
    private final int mtlsPort;
    /** Null: one PLAINTEXT listener, open to all. */
    private final KafkaSecurity security;
    private ServiceProcess process;

    private KafkaBroker(Path workDir, int port, KafkaSecurity security) {
        this.workDir = workDir.toAbsolutePath();
        this.security = security;
        this.port = FreePorts.orFree(port);
        this.mtlsPort = security == null ? -1 : FreePorts.pick();
        this.controllerPort = controllerPort(this.workDir);
    }

    /** KRaft records the controller's endpoint in its log, so a restarted broker must keep that port. */
    private static int controllerPort(Path workDir) {
        Path file = workDir.resolve("controller.port");
        try {
            if (Files.exists(file)) {
                return Integer.parseInt(Files.readString(file).trim());
            }
            Files.createDirectories(workDir);
            int port = FreePorts.pick();
            Files.writeString(file, Integer.toString(port));
            return port;
        } catch (IOException | NumberFormatException e) {
            throw new IllegalStateException("could not keep the Kafka controller port in " + file + ": " + e, e);
        }
    }

    /** Starts a broker on {@code port} (0 for a free one) keeping its data under {@code workDir}. */
    public static KafkaBroker start(Path workDir, int port) {
        KafkaBroker broker = new KafkaBroker(workDir, port, null);
        broker.startProcess();
        return broker;
    }

    /**
     * Starts a broker with two client listeners, both with ACLs ({@link KafkaSecurity}): SASL_SSL with SCRAM-SHA-512
     * on {@link #bootstrapServers()}, whose users are created when the storage is formatted (a restart on the same
     * dir keeps them), and mutual TLS on {@link #mtlsBootstrapServers()}.
     */
    public static KafkaBroker startSecured(Path workDir, int port, KafkaSecurity security) {
        KafkaBroker broker = new KafkaBroker(workDir, port, java.util.Objects.requireNonNull(security));
        broker.startProcess();
        return broker;
    }

    /** How a client connects as {@code user}: empty for a broker without security. */
    public Map<String, String> clientProperties(String user) {
        return security == null ? Map.of() : security.clientProperties(user);
    }

    /** Adds ACLs (as the super user); a broker without security has no authorizer to take them. */
    public void createAcls(java.util.Collection<org.apache.kafka.common.acl.AclBinding> acls) {
        if (security == null) {
            throw new IllegalStateException("this Kafka broker has no authorizer; start it with startSecured");
        }
        try (Admin admin = admin()) {
            admin.createAcls(acls).all().get(30, TimeUnit.SECONDS);
            LOG.info("Created Kafka ACLs {}", acls);
        } catch (Exception e) {
            throw new IllegalStateException("could not create Kafka ACLs " + acls + ": " + e, e);
        }
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /** The mutual TLS listener: clients connect with {@link KafkaSecurity#mtlsClientProperties}. */
    public String mtlsBootstrapServers() {
        if (security == null) {
            throw new IllegalStateException("this Kafka broker has no mutual TLS listener; start it with startSecured");
        }
        return "127.0.0.1:" + mtlsPort;
    }

    public int port() {
        return port;
    }

    public Path logFile() {
        return workDir.resolve("kafka.log");
    }

    /** Creates the topic unless it exists. */
    public void createTopic(String name, int partitions) {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
            LOG.info("Created topic {} with {} partitions", name, partitions);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("could not create topic " + name + ": " + e.getCause(), e.getCause());
            }
        } catch (Exception e) {
            throw new IllegalStateException("could not create topic " + name + ": " + e, e);
        }
    }

    /** An admin client for this broker; the caller closes it. */
    public Admin admin() {
        Properties props = new Properties();
        props.putAll(clientProperties(KafkaSecurity.ADMIN));
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
        return Admin.create(props);
    }

    /** Stops the broker cleanly; its data stays for {@link #restart()}. */
    public void stop() {
        if (process != null) {
            process.close();
            process = null;
        }
    }

    /** Kills the broker's JVM outright, as {@code kill -9} would. */
    public void kill() {
        if (process != null) {
            process.kill();
            process.close();
            process = null;
        }
    }

    /** Starts the broker again on the same port and data. */
    public void restart() {
        stop();
        startProcess();
    }

    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    @Override
    public void close() {
        stop();
    }

    private void startProcess() {
        try {
            Path dataDir = workDir.resolve("data");
            Files.createDirectories(dataDir);
            Path config = workDir.resolve("server.properties");
            Files.writeString(config, serverProperties(dataDir), StandardCharsets.UTF_8);
            Path log4j = workDir.resolve("log4j2.properties");
            Files.writeString(log4j, LOG4J_CONFIG, StandardCharsets.UTF_8);
            String classpath = brokerClasspath();

            if (!Files.exists(dataDir.resolve("meta.properties"))) {
                format(classpath, config, log4j);
            }
            List<String> command = javaCommand("kafka-broker", classpath, log4j, "-Xms256m", "-Xmx1g");
            command.add("kafka.Kafka");
            command.add(config.toString());
            process = ServiceProcess.start("kafka", command, workDir, logFile());
            process.awaitReady(this::answers, READY_TIMEOUT);
            LOG.info("Kafka ready at {} (data: {})", bootstrapServers(), dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException("could not prepare Kafka in " + workDir, e);
        }
    }

    private void format(String classpath, Path config, Path log4j) throws IOException {
        List<String> command = javaCommand("kafka-format", classpath, log4j, "-Xmx256m");
        command.addAll(List.of("kafka.tools.StorageTool", "format", "-t", Uuid.randomUuid().toString(),
                "-c", config.toString(), "--standalone"));
        if (security != null) {
            command.addAll(security.formatArguments());
        }
        Path formatLog = workDir.resolve("kafka-format.log");
        Process format = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(formatLog.toFile())
                .start();
        try {
            if (!format.waitFor(120, TimeUnit.SECONDS) || format.exitValue() != 0) {
                format.destroyForcibly();
                throw new IllegalStateException("formatting Kafka storage failed; see " + formatLog + ":\n"
                        + Files.readString(formatLog));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while formatting Kafka storage", e);
        }
    }

    private boolean answers() {
        // An admin client made before the port opens backs off between connection attempts (up to a second), which
        // would delay noticing the broker; a plain connect every poll costs nothing.
        if (!acceptsConnections()) {
            return false;
        }
        try (Admin admin = admin()) {
            admin.describeCluster().nodes().get(2, TimeUnit.SECONDS);
            // the controller must also take requests, or topic creation would still fail
            admin.listTopics().names().get(2, TimeUnit.SECONDS);
            return true;
        } catch (Exception notYet) {
            return false;
        }
    }

    private boolean acceptsConnections() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException notYet) {
            return false;
        }
    }

    private String serverProperties(Path dataDir) {
        Map<String, String> props = new java.util.LinkedHashMap<>();
        props.put("process.roles", "broker,controller");
        props.put("node.id", "1");
        props.put("controller.quorum.bootstrap.servers", "127.0.0.1:" + controllerPort);
        props.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        props.put("controller.listener.names", "CONTROLLER");
        props.put("inter.broker.listener.name", "PLAINTEXT");
        props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        if (security != null) {
            props.putAll(security.serverProperties(port, mtlsPort, controllerPort));
        }
        props.put("log.dirs", dataDir.toString());
        props.put("num.partitions", "4");
        props.put("auto.create.topics.enable", "false");
        props.put("offsets.topic.replication.factor", "1");
        props.put("offsets.topic.num.partitions", "4");
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        props.put("transaction.state.log.num.partitions", "4");
        props.put("share.coordinator.state.topic.replication.factor", "1");
        props.put("share.coordinator.state.topic.min.isr", "1");
        props.put("group.initial.rebalance.delay.ms", "0");
        props.put("log.flush.interval.messages", String.valueOf(Long.MAX_VALUE));
        StringBuilder text = new StringBuilder("# written by local-stack; edits are overwritten on start\n");
        props.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
        return text.toString();
    }

    /** {@code archive}: the name of its class-data archive ({@link ClassDataArchive}), when up asks for one. */
    private static List<String> javaCommand(String archive, String classpath, Path log4j, String... jvmArgs) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(jvmArgs));
        command.addAll(ClassDataArchive.options(archive, classpath));
        command.add("-XX:+UseG1GC");
        command.add("-Dlog4j2.configurationFile=" + log4j.toUri());
        command.add("-cp");
        command.add(classpath);
        return command;
    }

    static String brokerClasspath() {
        return ServiceClasspath.of("Kafka broker", "kafka-broker");
    }

    private static final String LOG4J_CONFIG = String.join("\n",
            "status = warn",
            "appender.out.type = Console",
            "appender.out.name = out",
            "appender.out.layout.type = PatternLayout",
            "appender.out.layout.pattern = [%d] %p %m (%c)%n",
            "rootLogger.level = INFO",
            "rootLogger.appenderRef.out.ref = out",
            "logger.kafka.name = kafka",
            "logger.kafka.level = INFO",
            "logger.state.name = state.change.logger",
            "logger.state.level = WARN",
            "");

    /** Topic names a test or a local run wants, with their partition counts. */
    public void createTopics(Map<String, Integer> topics) {
        topics.forEach(this::createTopic);
    }

    Set<String> topics() {
        try (Admin admin = admin()) {
            return admin.listTopics().names().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("could not list topics: " + e, e);
        }
    }
}
