package dev.pageviews.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pageviews.read.ReadConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The read service's Deployment agrees with its code: probe paths are routes it serves, on its port; every variable of
 * its ConfigMap and Secret is a setting it defines and together they make settings it starts with (beyond loopback,
 * that needs the API token); the grace period covers the preStop pause and its stop.
 */
final class ReadServiceConsistency {

    static final String SOURCES = "read-service/src/main/java";
    /** What {@code ReadService.close()} may take: streams closed, running queries finished (5 s), Redis closed. */
    static final int STOP_SECONDS = 6;

    private ReadServiceConsistency() {
    }

    static String sources() {
        Path dir = Repo.path(SOURCES);
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(f -> f.toString().endsWith(".java")).map(Repo::read).collect(Collectors.joining("\n"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<String> check(ObjectNode deployment, Map<String, String> variables, String sources) {
        List<String> problems = new ArrayList<>();
        JsonNode pod = deployment.path("spec").path("template").path("spec");
        JsonNode container = pod.path("containers").path(0);
        for (String probe : List.of("readinessProbe", "livenessProbe")) {
            String path = container.path(probe).path("httpGet").path("path").asText();
            if (!sources.contains("\"" + path + "\"")) {
                problems.add(probe + " path '" + path + "' is not a route of the read service (no \"" + path + "\" in " + SOURCES + ")");
            }
            if (!container.path(probe).path("httpGet").path("port").asText().equals("http")) {
                problems.add(probe + " port is not the container port named http");
            }
        }
        if (!container.path("livenessProbe").path("httpGet").path("path").asText().equals("/healthz")) {
            problems.add("livenessProbe is not /healthz: a liveness probe that asks Redis restarts every pod when Redis is away");
        }
        variables.keySet().forEach(name -> {
            if (ReadConfig.SCHEMA.settings().stream().noneMatch(s -> s.envName().equals(name))) {
                problems.add("variable " + name + " is not a setting of the read service (PAGEVIEWS_ + a flag in upper snake case)");
            }
        });
        try {
            ReadConfig config = ReadConfig.parse(new String[0], variables); // the service's own parser and checks
            String port = container.path("ports").path(0).path("containerPort").asText();
            if (!port.equals(Integer.toString(config.port()))) {
                problems.add("PAGEVIEWS_PORT " + config.port() + " differs from the containerPort " + port);
            }
        } catch (IllegalArgumentException e) {
            problems.add("the read service would refuse these settings: " + e.getMessage());
        }
        int grace = pod.path("terminationGracePeriodSeconds").asInt(30);
        JsonNode preStop = container.path("lifecycle").path("preStop").path("exec").path("command");
        int pause = preStop.path(0).asText().equals("sleep") ? preStop.path(1).asInt(0) : 0;
        if (pause < 1) {
            problems.add("no preStop sleep: the pod would stop before its endpoint is removed");
        }
        if (grace < pause + STOP_SECONDS + 2) {
            problems.add("terminationGracePeriodSeconds " + grace + " < preStop " + pause + " s + " + STOP_SECONDS
                    + " s to stop + 2 s: the kubelet would kill it mid-stop");
        }
        return problems;
    }
}
