package dev.pageviews.stack;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Jedis;

/** Debian's {@code redis-server} on loopback, without persistence for tests or with an append-only file for local runs. */
public final class RedisServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RedisServer.class);
    private static final List<String> SEARCH_PATH = List.of("/usr/bin", "/usr/sbin", "/usr/local/bin", "/opt/homebrew/bin");

    public enum Persistence {
        /** Nothing is written to disk: for tests. */
        NONE,
        /** An append-only file fsynced on every write, so a killed server loses no committed count. */
        APPEND_ONLY
    }

    private final Path workDir;
    private final int port;
    private final Persistence persistence;
    private final List<String> extraArgs;
    private ServiceProcess process;

    private RedisServer(Path workDir, int port, Persistence persistence, List<String> extraArgs) {
        this.workDir = workDir.toAbsolutePath();
        this.port = FreePorts.orFree(port);
        this.persistence = persistence;
        this.extraArgs = List.copyOf(extraArgs);
    }

    public static RedisServer start(Path workDir, int port, Persistence persistence) {
        return start(workDir, port, persistence, List.of());
    }

    /** With extra {@code redis-server} arguments, e.g. {@code --cluster-enabled yes}. */
    public static RedisServer start(Path workDir, int port, Persistence persistence, List<String> extraArgs) {
        RedisServer server = new RedisServer(workDir, port, persistence, extraArgs);
        server.startProcess();
        return server;
    }

    public int port() {
        return port;
    }

    public String host() {
        return "127.0.0.1";
    }

    /** {@code redis://127.0.0.1:port}, the form the job's {@code --redis} flag takes. */
    public String uri() {
        return "redis://" + host() + ":" + port;
    }

    /** A new connection; the caller closes it. */
    public Jedis client() {
        return new Jedis(host(), port);
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
        List<String> command = new ArrayList<>(List.of(executable().toString(),
                "--port", Integer.toString(port),
                "--bind", "127.0.0.1",
                "--protected-mode", "yes",
                "--daemonize", "no",
                "--dir", workDir.toString(),
                "--save", ""));
        if (persistence == Persistence.APPEND_ONLY) {
            command.addAll(List.of("--appendonly", "yes", "--appendfsync", "always"));
        } else {
            command.addAll(List.of("--appendonly", "no"));
        }
        command.addAll(extraArgs);
        process = ServiceProcess.start("redis", command, workDir, workDir.resolve("redis.log"));
        process.awaitReady(this::answers, Duration.ofSeconds(30));
        LOG.info("Redis ready at {} (persistence: {})", uri(), persistence);
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
}
