package dev.pageviews.k8s;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The shell commands in the docs' code blocks refer to things that exist: kustomization directories, files,
 * namespaces, resource names (rendered, or created by the operators from them), job flags and operator keys.
 */
final class DocCommands {

    /** Created by the operators, not rendered: the JobManager Deployment and REST Service, and the operators. */
    static final Set<String> CREATED_BY_OPERATORS = Set.of("pageviews-job", "pageviews-job-rest",
            "strimzi-cluster-operator", "flink-kubernetes-operator", "cert-manager-webhook");
    static final Set<String> NAMESPACES = Set.of("pageviews", "flink-operator", "cert-manager");

    private static final Pattern CODE_BLOCK = Pattern.compile("(?s)```bash\\n(.*?)```");
    // not the end of a hyphenated name: "-pl edge-ingest,read-service dependency:..." names no service
    private static final Pattern RESOURCE = Pattern.compile(
            "(?<![-\\w])(flinkdeployment|deploy|deployment|svc|service|job|kafka|statefulset)[/ ]([a-z0-9][-a-z0-9]*)");

    private DocCommands() {
    }

    /** The commands of all ```bash blocks, with backslash continuations joined and comments dropped. */
    static List<String> commands(String markdown) {
        List<String> commands = new ArrayList<>();
        Matcher block = CODE_BLOCK.matcher(markdown);
        while (block.find()) {
            for (String command : block.group(1).replace("\\\n", " ").split("\n")) {
                String code = command.replaceFirst("\\s+#.*$", "").trim();
                if (!code.isEmpty() && !code.startsWith("#")) {
                    commands.add(code);
                }
            }
        }
        return commands;
    }

    static List<String> check(String markdown, List<ObjectNode> rendered) {
        Set<String> names = new HashSet<>(CREATED_BY_OPERATORS);
        rendered.forEach(o -> names.add(o.path("metadata").path("name").asText()));
        Set<String> args = new HashSet<>();
        rendered.stream().filter(o -> o.path("kind").asText().equals("FlinkDeployment"))
                .forEach(d -> args.addAll(FlinkJobConsistency.args(d)));

        List<String> problems = new ArrayList<>();
        List<String> commands = commands(markdown);
        if (commands.isEmpty()) {
            problems.add("no ```bash code blocks found");
        }
        for (String command : commands) {
            List<String> words = Arrays.asList(command.split("\\s+"));
            for (int i = 0; i + 1 < words.size(); i++) {
                String flag = words.get(i);
                String value = words.get(i + 1);
                if (flag.equals("-k") || (flag.equals("kustomize") && i > 0 && words.get(i - 1).equals("kubectl"))) {
                    requireFile(value + "/kustomization.yaml", command, problems);
                } else if (flag.equals("-f") && !value.contains("://") && !value.equals("-") && !value.startsWith("/tmp/")) {
                    requireFile(value, command, problems);
                } else if (flag.equals("cp") && value.endsWith(".example")) {
                    requireFile(value, command, problems);
                } else if ((flag.equals("-n") || flag.equals("--namespace")) && !NAMESPACES.contains(value)) {
                    problems.add("namespace " + value + " is not one of " + NAMESPACES + ": " + command);
                }
            }
            Matcher resource = RESOURCE.matcher(command.replaceAll("--\\S+", ""));
            while (resource.find()) {
                if (!names.contains(resource.group(2))) {
                    problems.add(resource.group(1) + " " + resource.group(2) + " does not exist: " + command);
                }
                if (resource.group(1).equals("flinkdeployment") && !resource.group(2).equals(flinkDeploymentName(rendered))) {
                    problems.add("flinkdeployment " + resource.group(2) + " is not " + flinkDeploymentName(rendered) + ": " + command);
                }
            }
        }
        Matcher jobFlag = Pattern.compile("`(--[a-z-]+=[^`\\s]+)`").matcher(markdown);
        while (jobFlag.find()) {
            if (!args.contains(jobFlag.group(1))) {
                problems.add("the doc quotes job arg " + jobFlag.group(1) + ", which no FlinkDeployment passes");
            }
        }
        Matcher operatorKey = Pattern.compile("`(kubernetes\\.operator\\.[a-z.*-]+?)(: [^`]*)?`").matcher(markdown);
        while (operatorKey.find()) {
            String key = operatorKey.group(1);
            boolean known = FlinkConfigKeys.OPERATOR_KEYS.contains(key)
                    || FlinkConfigKeys.OPERATOR_KEYS.stream().anyMatch(k -> key.endsWith(".*") && k.startsWith(key.substring(0, key.length() - 1)));
            if (!known) {
                problems.add("operator option " + key + " is not a Flink Kubernetes Operator 1.15 option known here");
            }
        }
        return problems;
    }

    private static String flinkDeploymentName(List<ObjectNode> rendered) {
        return rendered.stream().filter(o -> o.path("kind").asText().equals("FlinkDeployment")).findFirst()
                .map(o -> o.path("metadata").path("name").asText()).orElse("?");
    }

    private static void requireFile(String relative, String command, List<String> problems) {
        Path file = Repo.path(relative);
        if (!Files.isRegularFile(file)) {
            problems.add(relative + " does not exist: " + command);
        }
    }
}
