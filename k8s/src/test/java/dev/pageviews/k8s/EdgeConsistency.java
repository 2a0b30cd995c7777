package dev.pageviews.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pageviews.edge.config.EdgeConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The edge Deployment agrees with the edge's code: probe paths are routes it serves, probes and the Prometheus scrape
 * go to its admin port, its EDGE_* variables are settings it defines, and the grace period covers the preStop pause
 * plus the configured drain.
 */
final class EdgeConsistency {

    static final String SOURCES = "edge-ingest/src/main/java";

    private EdgeConsistency() {
    }

    /** All edge sources as one text (route constants and setting names are looked up in it). */
    static String sources() {
        Path dir = Repo.path(SOURCES);
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("edge sources not found at " + dir);
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(f -> f.toString().endsWith(".java")).map(Repo::read).collect(Collectors.joining("\n"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<String> check(ObjectNode deployment, ObjectNode configMap, String edgeSources) {
        List<String> problems = new ArrayList<>();
        JsonNode pod = deployment.path("spec").path("template").path("spec");
        JsonNode container = pod.path("containers").path(0);
        for (String probe : List.of("readinessProbe", "livenessProbe")) {
            String path = container.path(probe).path("httpGet").path("path").asText();
            if (!edgeSources.contains("\"" + path + "\"")) {
                problems.add(probe + " path '" + path + "' is not a route of the edge (no \"" + path + "\" in " + SOURCES + ")");
            }
        }
        expect(container.path("readinessProbe").path("httpGet").path("path").asText(), "/readyz", "readinessProbe path", problems);
        expect(container.path("livenessProbe").path("httpGet").path("path").asText(), "/healthz", "livenessProbe path", problems);
        String metricsPath = deployment.path("spec").path("template").path("metadata").path("annotations").path("prometheus.io/path").asText();
        if (!edgeSources.contains("\"" + metricsPath + "\"")) {
            problems.add("prometheus.io/path '" + metricsPath + "' is not a route of the edge");
        }

        JsonNode env = configMap.path("data");
        Map<String, String> variables = new LinkedHashMap<>();
        env.fieldNames().forEachRemaining(name -> {
            variables.put(name, env.path(name).asText());
            if (EdgeConfig.settings().stream().noneMatch(s -> s.envName().equals(name))) {
                problems.add("ConfigMap variable " + name + " is not a setting of the edge (EDGE_ + a flag in upper snake case)");
            }
        });
        try {
            EdgeConfig edge = EdgeConfig.parse(new String[0], variables); // the edge's own parser: values it would refuse at start
            // behind the ingress controller every request arrives from its address: without a trusted hop all clients
            // would share one rate limit
            if (edge.get(EdgeConfig.RATE_LIMIT) > 0 && edge.get(EdgeConfig.TRUSTED_PROXY_HOPS) < 1) {
                problems.add("EDGE_TRUSTED_PROXY_HOPS is " + edge.get(EdgeConfig.TRUSTED_PROXY_HOPS) + " behind the ingress "
                        + "controller: every client would share its address and one rate limit");
            }
        } catch (IllegalArgumentException e) {
            problems.add("the edge would refuse the ConfigMap: " + e.getMessage());
        }
        String port = env.path("EDGE_PORT").asText("8080");
        if (!port.equals(container.path("ports").path(0).path("containerPort").asText())) {
            problems.add("EDGE_PORT " + port + " differs from the containerPort");
        }
        // probes and the scrape go to the admin port: the public one has no /metrics and no reason in /readyz
        Matcher adminDefault = Pattern.compile("define\\(\"admin-port\", \"(\\d+)\"").matcher(edgeSources);
        String adminPort = env.path("EDGE_ADMIN_PORT").asText(adminDefault.find() ? adminDefault.group(1) : "(no --admin-port in the edge)");
        String adminContainerPort = null;
        for (JsonNode p : container.path("ports")) {
            if (p.path("name").asText().equals("admin")) {
                adminContainerPort = p.path("containerPort").asText();
            }
        }
        if (!adminPort.equals(adminContainerPort)) {
            problems.add("EDGE_ADMIN_PORT " + adminPort + " differs from the containerPort named admin (" + adminContainerPort + ")");
        }
        for (String probe : List.of("readinessProbe", "livenessProbe")) {
            expect(container.path(probe).path("httpGet").path("port").asText(), "admin", probe + " port", problems);
        }
        expect(deployment.path("spec").path("template").path("metadata").path("annotations").path("prometheus.io/port").asText(),
                adminPort, "prometheus.io/port (the admin port)", problems);

        int grace = pod.path("terminationGracePeriodSeconds").asInt(30);
        JsonNode preStop = container.path("lifecycle").path("preStop").path("exec").path("command");
        int pause = preStop.path(0).asText().equals("sleep") ? preStop.path(1).asInt(0) : 0;
        if (pause < 1) {
            problems.add("no preStop sleep: the pod would stop accepting before its endpoint is removed");
        }
        if (!env.has("EDGE_SHUTDOWN_TIMEOUT")) {
            problems.add("EDGE_SHUTDOWN_TIMEOUT is not set: the drain time the grace period must cover is unknown");
        } else {
            // read as the edge reads it (Flink's duration syntax: 20s, 20000 = 20000 ms)
            Duration timeout = EdgeConfig.parse(new String[0], Map.of("EDGE_SHUTDOWN_TIMEOUT", env.path("EDGE_SHUTDOWN_TIMEOUT").asText()))
                    .get(EdgeConfig.SHUTDOWN_TIMEOUT);
            int drain = (int) Math.ceil(timeout.toMillis() / 1000.0);
            if (grace < pause + drain + 3) {
                problems.add("terminationGracePeriodSeconds " + grace + " < preStop " + pause + " s + drain " + drain
                        + " s + 3 s to close the producer: the kubelet would kill the edge mid-drain");
            }
        }
        return problems;
    }

    private static void expect(String actual, String expected, String what, List<String> problems) {
        if (!expected.equals(actual)) {
            problems.add(what + " is '" + actual + "', expected '" + expected + "'");
        }
    }
}
