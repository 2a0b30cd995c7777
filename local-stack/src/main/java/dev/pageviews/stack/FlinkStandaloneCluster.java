package dev.pageviews.stack;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Flink standalone session cluster on loopback, as a data engineer runs one: a JobManager JVM
 * ({@code StandaloneSessionClusterEntrypoint}) and a TaskManager JVM ({@code TaskManagerRunner}) started from a
 * {@code conf/config.yaml}, with the S3 plugin in {@code plugins/s3-fs-hadoop/}, the web UI and REST API on
 * {@link #restUrl()}, and Flink's own command-line client ({@link #flink(String...)}, what {@code bin/flink} runs).
 * The jars are those of a Flink distribution's {@code lib/}, resolved from Maven Central by
 * {@code local-stack/flink-cluster}; memory is sized by Flink's own {@code BashJavaUtils}, as {@code bin/} does.
 */
public final class FlinkStandaloneCluster implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(FlinkStandaloneCluster.class);
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration CLI_TIMEOUT = Duration.ofMinutes(3);
    /** What a Flink distribution's config.yaml gives every Flink JVM on Java 17 ({@code env.java.default-opts.all}). */
    private static final List<String> JAVA_17_OPTS = List.of(
            "--add-exports=java.base/sun.net.util=ALL-UNNAMED", "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
            "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
            "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.base/java.net=ALL-UNNAMED",
            "--add-opens=java.base/java.io=ALL-UNNAMED", "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens=java.base/java.text=ALL-UNNAMED", "--add-opens=java.base/java.time=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED", "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");
    private static final String LOG4J_CONFIG = """
            rootLogger.level = INFO
            rootLogger.appenderRef.console.ref = console
            appender.console.type = Console
            appender.console.name = console
            appender.console.layout.type = PatternLayout
            appender.console.layout.pattern = %d{HH:mm:ss.SSS} %-5p %c{1} - %m%n
            logger.kafka.name = org.apache.kafka
            logger.kafka.level = WARN
            """;

    private final Path home;
    private final int restPort;
    private final String classpath;
    private ServiceProcess jobManager;
    private ServiceProcess taskManager;

    private FlinkStandaloneCluster(Path home, int restPort) {
        this.home = home;
        this.restPort = restPort;
        this.classpath = ServiceClasspath.of("Flink", "flink-cluster");
    }

    /**
     * Starts a cluster in {@code home} whose one TaskManager has {@code slots} slots; {@code config} is added to its
     * {@code config.yaml} (Flink option keys and values, e.g. {@code execution.checkpointing.dir}).
     */
    public static FlinkStandaloneCluster start(Path home, int slots, Map<String, String> config) {
        FlinkStandaloneCluster cluster = new FlinkStandaloneCluster(home, FreePorts.pick());
        try {
            cluster.writeLayout(slots, config);
            cluster.jobManager = cluster.startProcess("flink-jobmanager", "GET_JM_RESOURCE_PARAMS",
                    "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint");
            cluster.taskManager = cluster.startProcess("flink-taskmanager", "GET_TM_RESOURCE_PARAMS",
                    "org.apache.flink.runtime.taskexecutor.TaskManagerRunner");
            cluster.jobManager.awaitReady(() -> cluster.rest("/overview").contains("\"slots-total\":" + slots), READY_TIMEOUT);
            LOG.info("Flink standalone cluster ready: {} (conf: {})", cluster.restUrl(), cluster.confDir());
            return cluster;
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    /** The REST API and web UI, e.g. {@code http://localhost:40123}. */
    public String restUrl() {
        return "http://localhost:" + restPort;
    }

    /** What {@code FLINK_CONF_DIR} points at: {@code config.yaml} and the log4j settings. */
    public Path confDir() {
        return home.resolve("conf");
    }

    /** The body of a GET on the REST API ({@code path} such as {@code /jobs/overview}), or "" when it does not answer. */
    public String rest(String path) {
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(restUrl() + path)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? response.body() : "";
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    /**
     * Runs Flink's command-line client against this cluster, as {@code bin/flink <args>} would (its own JVM,
     * {@code FLINK_CONF_DIR} set), and returns its exit code and output.
     */
    public CliResult flink(String... args) {
        List<String> command = javaCommand(confDir().resolve("log4j-cli.properties"), "-Xmx512m");
        command.add("org.apache.flink.client.cli.CliFrontend");
        command.addAll(Arrays.asList(args));
        Path output = home.resolve("log").resolve("flink-cli-" + System.nanoTime() + ".out");
        try {
            Files.createDirectories(output.getParent());
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
            builder.environment().put("FLINK_CONF_DIR", confDir().toString());
            builder.environment().put("FLINK_PLUGINS_DIR", home.resolve("plugins").toString());
            LOG.info("flink {}", String.join(" ", args));
            Process process = builder.start();
            if (!process.waitFor(CLI_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("flink " + String.join(" ", args) + " did not end within "
                        + CLI_TIMEOUT.toSeconds() + " s; its output:\n" + Files.readString(output));
            }
            return new CliResult(process.exitValue(), Files.readString(output));
        } catch (IOException e) {
            throw new UncheckedIOException("could not run the Flink client", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the Flink client ran", e);
        }
    }

    /** What a run of the Flink client printed, and its exit code. */
    public record CliResult(int exitCode, String output) {}

    /** Stops the TaskManager, then the JobManager. */
    @Override
    public void close() {
        if (taskManager != null) {
            taskManager.close();
        }
        if (jobManager != null) {
            jobManager.close();
        }
    }

    private void writeLayout(int slots, Map<String, String> extra) {
        try {
            Files.createDirectories(confDir());
            Map<String, String> config = new LinkedHashMap<>();
            config.put("jobmanager.rpc.address", "localhost");
            config.put("jobmanager.rpc.port", String.valueOf(FreePorts.pick()));
            config.put("jobmanager.bind-host", "localhost");
            config.put("taskmanager.host", "localhost");
            config.put("taskmanager.bind-host", "localhost");
            config.put("rest.address", "localhost");
            config.put("rest.bind-address", "localhost");
            config.put("rest.port", String.valueOf(restPort));
            config.put("taskmanager.numberOfTaskSlots", String.valueOf(slots));
            config.put("jobmanager.memory.process.size", "768m");
            config.put("taskmanager.memory.process.size", "2g");
            config.put("taskmanager.memory.managed.fraction", "0.2");
            config.put("io.tmp.dirs", home.resolve("tmp").toString());
            config.put("web.tmpdir", home.resolve("tmp").toString());
            config.put("web.log.path", home.resolve("log").resolve("flink-jobmanager.log").toString());
            config.put("taskmanager.log.path", home.resolve("log").resolve("flink-taskmanager.log").toString());
            config.putAll(extra);
            StringBuilder yaml = new StringBuilder("# written by local-stack; edits are overwritten on start\n");
            config.forEach((key, value) -> yaml.append(key).append(": ").append(quoted(value)).append('\n'));
            Files.writeString(confDir().resolve("config.yaml"), yaml.toString(), StandardCharsets.UTF_8);
            Files.writeString(confDir().resolve("log4j.properties"), LOG4J_CONFIG, StandardCharsets.UTF_8);
            Files.writeString(confDir().resolve("log4j-cli.properties"), LOG4J_CONFIG, StandardCharsets.UTF_8);
            Files.createDirectories(home.resolve("tmp"));
            Path pluginDir = Files.createDirectories(home.resolve("plugins").resolve("s3-fs-hadoop"));
            for (String jar : ServiceClasspath.of("Flink S3 plugin", "flink-s3-plugin").split(File.pathSeparator)) {
                Path link = pluginDir.resolve(Path.of(jar).getFileName());
                Files.deleteIfExists(link);
                Files.createSymbolicLink(link, Path.of(jar));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the Flink cluster's files in " + home, e);
        }
    }

    /** Starts a Flink process the way bin/ does: memory from BashJavaUtils, then the entry point with its configs. */
    private ServiceProcess startProcess(String name, String resourceCommand, String entryPoint) {
        List<String> resources = bashJavaUtils(resourceCommand);
        List<String> command = javaCommand(confDir().resolve("log4j.properties"));
        command.addAll(1, Arrays.asList(resources.get(0).trim().split("\\s+")));
        command.add(entryPoint);
        command.add("--configDir");
        command.add(confDir().toString());
        command.addAll(Arrays.asList(resources.get(1).trim().split("\\s+")));
        return ServiceProcess.start(name, command, home, home.resolve("log").resolve(name + ".log"));
    }

    private List<String> bashJavaUtils(String resourceCommand) {
        List<String> command = javaCommand(confDir().resolve("log4j-cli.properties"), "-Xmx256m");
        command.addAll(List.of("org.apache.flink.runtime.util.bash.BashJavaUtils", resourceCommand, "--configDir",
                confDir().toString()));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException("Flink's BashJavaUtils " + resourceCommand + " failed:\n" + output);
            }
            List<String> results = output.lines().filter(l -> l.startsWith("BASH_JAVA_UTILS_EXEC_RESULT:"))
                    .map(l -> l.substring("BASH_JAVA_UTILS_EXEC_RESULT:".length())).toList();
            if (results.size() < 2) {
                throw new IllegalStateException("Flink's BashJavaUtils " + resourceCommand + " printed no JVM "
                        + "parameters and dynamic configs:\n" + output);
            }
            return results.subList(results.size() - 2, results.size());
        } catch (IOException e) {
            throw new UncheckedIOException("could not run Flink's BashJavaUtils", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while sizing Flink's memory", e);
        }
    }

    private List<String> javaCommand(Path log4j, String... jvmArgs) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(Arrays.asList(jvmArgs));
        command.addAll(JAVA_17_OPTS);
        command.add("-Dlog4j2.configurationFile=" + log4j.toUri());
        command.add("-cp");
        command.add(classpath);
        return command;
    }

    private static String quoted(String value) {
        return "'" + value.replace("'", "''") + "'";
    }
}
