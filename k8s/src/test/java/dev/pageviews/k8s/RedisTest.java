package dev.pageviews.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubernetes.client.custom.Quantity;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * minikube's Redis has a password from its Secret, a memory cap and maxmemory-policy noeviction (the job refuses any
 * other policy), and the job and the read service connect with that same password, given as an environment variable.
 */
class RedisTest {

    private static final Pattern MAXMEMORY = Pattern.compile("--maxmemory (\\d+)(mb|gb)\\b");

    private static ObjectNode redis() {
        return Overlay.K8S_MINIKUBE.find("StatefulSet", "redis");
    }

    private static JsonNode container(ObjectNode statefulSet) {
        return statefulSet.at("/spec/template/spec/containers/0");
    }

    /** The shell script the Redis container runs (command sh -ec, the script as the one arg). */
    static String script(ObjectNode statefulSet) {
        return container(statefulSet).path("args").path(0).asText();
    }

    /** The password Redis requires, from the Secret its REDIS_PASSWORD comes from. */
    static String redisPassword(Overlay platform) {
        return ContainerEnv.of(container(platform.find("StatefulSet", "redis")), platform.objects(), p -> {
            throw new IllegalStateException(p);
        }).get("REDIS_PASSWORD");
    }

    static List<String> problems(ObjectNode statefulSet, List<ObjectNode> objects) {
        List<String> problems = new ArrayList<>();
        JsonNode container = container(statefulSet);
        Map<String, String> env = ContainerEnv.of(container, objects, problems::add);
        String passwordSource = container.at("/env").toString();
        if (!passwordSource.contains("\"name\":\"REDIS_PASSWORD\",\"valueFrom\":{\"secretKeyRef\"")) {
            problems.add("REDIS_PASSWORD does not come from a Secret (secretKeyRef)");
        }
        String script = script(statefulSet);
        String command = container.path("command").toString();
        if (!command.equals("[\"/bin/sh\",\"-ec\"]") || container.path("args").size() != 1) {
            problems.add("the container is not command [/bin/sh, -ec] with the script as its one arg");
        }
        if (!Pattern.compile("(?m)^exec redis-server - ").matcher(script).find()
                || !Pattern.compile("(?m)^requirepass \"\\$REDIS_PASSWORD\"$").matcher(script).find()) {
            problems.add("no requirepass \"$REDIS_PASSWORD\" given on redis-server's stdin (exec redis-server - ... <<EOF)");
        }
        String password = env.getOrDefault("REDIS_PASSWORD", "");
        if (password.length() < 16) {
            problems.add("the Redis password is shorter than 16 characters");
        } else if (statefulSet.toString().contains(password)) {
            problems.add("the Redis password is written into the StatefulSet");
        }
        if (!password.matches("[A-Za-z0-9-]*")) {
            problems.add("the Redis password has characters other than letters, digits and '-': it goes into URIs and redis.conf as it is");
        }
        if (!script.contains("--maxmemory-policy noeviction")) {
            problems.add("no --maxmemory-policy noeviction: the job refuses any other policy (eviction could drop commit markers)");
        }
        Matcher maxmemory = MAXMEMORY.matcher(script);
        if (!maxmemory.find()) {
            problems.add("no --maxmemory <n>mb|gb: Redis would grow until the kernel kills it at the container's limit");
        } else {
            long bytes = Long.parseLong(maxmemory.group(1)) * (maxmemory.group(2).equals("gb") ? 1L << 30 : 1L << 20);
            long limit = new Quantity(container.at("/resources/limits/memory").asText()).getNumber().longValue();
            if (bytes <= 0 || bytes > limit * 3 / 4) {
                problems.add("--maxmemory " + maxmemory.group(1) + maxmemory.group(2) + " is not under 3/4 of the memory limit "
                        + container.at("/resources/limits/memory").asText() + " (room for the fork of an AOF rewrite)");
            }
        }
        if (!container.at("/readinessProbe/exec/command").toString().contains("PONG")
                || !env.getOrDefault("REDISCLI_AUTH", "").equals(password)) {
            problems.add("the readiness probe does not authenticate (REDISCLI_AUTH) and look for PONG");
        }
        return problems;
    }

    /** The password in a client's Redis URI (redis://user:password@host:port). */
    static String uriPassword(String uri) {
        if (uri == null) {
            return "(no PAGEVIEWS_REDIS in the environment)";
        }
        String userInfo = URI.create(uri).getRawUserInfo();
        return userInfo == null || !userInfo.contains(":") ? "" : userInfo.substring(userInfo.indexOf(':') + 1);
    }

    static String jobRedisUri(ObjectNode flinkDeployment, List<ObjectNode> flinkObjects) {
        return ContainerEnv.of(flinkDeployment.at("/spec/podTemplate/spec/containers/0"), flinkObjects, p -> {
            throw new IllegalStateException(p);
        }).get("PAGEVIEWS_REDIS");
    }

    static String readServiceRedisUri(List<ObjectNode> objects) {
        ObjectNode deployment = objects.stream().filter(o -> ManifestValidator.describe(o).equals("Deployment/read-service")).findFirst().orElseThrow();
        return ContainerEnv.of(deployment.at("/spec/template/spec/containers/0"), objects, p -> {
            throw new IllegalStateException(p);
        }).get("PAGEVIEWS_REDIS");
    }

    @Test
    void redisRequiresThePasswordOfItsSecretAndEvictsNothing() {
        assertThat(problems(redis(), Overlay.K8S_MINIKUBE.objects())).isEmpty();
    }

    @Test
    void theJobAndTheReadServiceUseThatPasswordFromTheEnvironment() {
        String password = redisPassword(Overlay.K8S_MINIKUBE);
        List<ObjectNode> flink = Overlay.FLINK_MINIKUBE.objects();
        ObjectNode job = Overlay.FLINK_MINIKUBE.find("FlinkDeployment", "pageviews-job");

        assertThat(uriPassword(jobRedisUri(job, flink))).isEqualTo(password);
        assertThat(uriPassword(readServiceRedisUri(Overlay.K8S_MINIKUBE.objects()))).isEqualTo(password);
        assertThat(FlinkJobConsistency.args(job)).noneMatch(a -> a.contains(password) || a.startsWith("--redis="));
        assertThat(job.toString()).doesNotContain(password);
        assertThat(Overlay.K8S_MINIKUBE.find("Deployment", "read-service").toString()).doesNotContain(password);
    }

    /**
     * The container's script, run by sh with the Debian redis-server of this machine (a wrapper on the PATH adds a free
     * port and loopback, later options win; a temporary directory replaces /data): Redis asks for the Secret's password, has the cap
     * and the policy, and no process's command line holds the password.
     */
    @Test
    void theContainersScriptStartsARedisThatAsksForThePassword(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/redis-server")) && Files.isExecutable(Path.of("/usr/bin/redis-cli")),
                "redis-server or redis-cli is not installed");
        String password = redisPassword(Overlay.K8S_MINIKUBE);
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path wrapper = bin.resolve("redis-server");
        Files.writeString(wrapper, "#!/bin/sh\nexec /usr/bin/redis-server \"$@\" --port " + port + " --bind 127.0.0.1"
                + " --appendfsync no --daemonize no\n");
        Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwxr-xr-x"));
        String script = script(redis());
        assertThat(script).contains("--dir /data "); // the volume's mount path; Redis changes into it while reading its options
        ProcessBuilder builder = new ProcessBuilder("/bin/sh", "-ec", script.replace("--dir /data ", "--dir " + dir + " "))
                .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile());
        builder.environment().put("PATH", bin + ":/usr/bin:/bin");
        builder.environment().put("REDIS_PASSWORD", password);
        Process redis = builder.start();
        try {
            String pong = "";
            for (int i = 0; i < 100 && !pong.equals("PONG"); i++) {
                Thread.sleep(100);
                pong = cli(port, password, "ping");
            }
            assertThat(pong).as(Files.readString(dir.resolve("redis.log"))).isEqualTo("PONG");
            assertThat(cli(port, "", "ping")).contains("NOAUTH");
            assertThat(cli(port, "wrong-password-000", "ping")).containsAnyOf("WRONGPASS", "invalid");
            assertThat(cli(port, password, "config", "get", "maxmemory-policy")).isEqualTo("maxmemory-policy\nnoeviction");
            assertThat(cli(port, password, "config", "get", "maxmemory")).isEqualTo("maxmemory\n" + (128L << 20));
            assertThat(cli(port, password, "config", "get", "appendonly")).isEqualTo("appendonly\nyes");
            // exec: the pid sh was started as is redis-server now, and neither its command line nor any other has the password
            String cmdline = Files.readString(Path.of("/proc/" + redis.pid() + "/cmdline"), StandardCharsets.UTF_8);
            assertThat(cmdline).startsWith("/usr/bin/redis-server").doesNotContain(password);
        } finally {
            redis.destroy(); // SIGTERM: redis-server stops cleanly
            if (!redis.waitFor(10, TimeUnit.SECONDS)) {
                redis.destroyForcibly();
            }
        }
        assertThat(redis.exitValue()).isZero();
    }

    private static String cli(int port, String password, String... command) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("/usr/bin/redis-cli", "-p", Integer.toString(port)));
        args.addAll(List.of(command));
        ProcessBuilder builder = new ProcessBuilder(args).redirectErrorStream(true);
        builder.environment().remove("REDISCLI_AUTH");
        if (!password.isEmpty()) {
            builder.environment().put("REDISCLI_AUTH", password);
        }
        Process cli = builder.start();
        String out = new String(cli.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        cli.waitFor(10, TimeUnit.SECONDS);
        return out;
    }

    // --- teeth

    @Test
    void noPassword() {
        ObjectNode broken = redis();
        Edit.set(broken, "/spec/template/spec/containers/0/args/0", script(broken).replace("requirepass \"$REDIS_PASSWORD\"\n", ""));
        assertThat(problems(broken, Overlay.K8S_MINIKUBE.objects())).anySatisfy(p -> assertThat(p).contains("requirepass"));
    }

    @Test
    void aPasswordOnTheCommandLineOrInTheManifest() {
        String password = redisPassword(Overlay.K8S_MINIKUBE);
        ObjectNode broken = redis();
        Edit.set(broken, "/spec/template/spec/containers/0/args/0", script(broken) + "\n# --requirepass " + password);
        assertThat(problems(broken, Overlay.K8S_MINIKUBE.objects())).anySatisfy(p -> assertThat(p).contains("written into the StatefulSet"));
        ObjectNode literal = redis();
        Edit.set(literal, "/spec/template/spec/containers/0/env/0", Map.of("name", "REDIS_PASSWORD", "value", password));
        assertThat(problems(literal, Overlay.K8S_MINIKUBE.objects())).anySatisfy(p -> assertThat(p).contains("secretKeyRef"));
    }

    @Test
    void anEvictingPolicyOrNoCap() {
        ObjectNode lru = redis();
        Edit.set(lru, "/spec/template/spec/containers/0/args/0", script(lru).replace("noeviction", "allkeys-lru"));
        assertThat(problems(lru, Overlay.K8S_MINIKUBE.objects())).anySatisfy(p -> assertThat(p).contains("noeviction"));
        ObjectNode uncapped = redis();
        Edit.set(uncapped, "/spec/template/spec/containers/0/args/0", script(uncapped).replaceAll("--maxmemory \\d+mb ", ""));
        assertThat(problems(uncapped, Overlay.K8S_MINIKUBE.objects())).anySatisfy(p -> assertThat(p).contains("no --maxmemory"));
        ObjectNode tooHigh = redis();
        Edit.set(tooHigh, "/spec/template/spec/containers/0/args/0", script(tooHigh).replaceAll("--maxmemory \\d+mb ", "--maxmemory 1gb "));
        assertThat(problems(tooHigh, Overlay.K8S_MINIKUBE.objects())).anySatisfy(p -> assertThat(p).contains("not under 3/4"));
    }

    @Test
    void aProbeThatDoesNotAuthenticate() {
        ObjectNode broken = Edit.remove(redis(), "/spec/template/spec/containers/0/env/1");
        assertThat(problems(broken, Overlay.K8S_MINIKUBE.objects())).anySatisfy(p -> assertThat(p).contains("REDISCLI_AUTH"));
    }

    @Test
    void aJobUriWithoutThePassword() {
        ObjectNode job = Overlay.FLINK_MINIKUBE.find("FlinkDeployment", "pageviews-job");
        Edit.set(job, "/spec/podTemplate/spec/containers/0/env/1/value", "redis://redis:6379");
        assertThat(uriPassword(jobRedisUri(job, Overlay.FLINK_MINIKUBE.objects()))).isNotEqualTo(redisPassword(Overlay.K8S_MINIKUBE));
    }
}
