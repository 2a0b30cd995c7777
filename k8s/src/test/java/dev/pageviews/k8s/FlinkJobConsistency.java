package dev.pageviews.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pageviews.job.JobConfig;
import dev.pageviews.settings.Setting;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.StreamSupport;

/**
 * The FlinkDeployment agrees with the job and with the platform it runs on: its args are accepted by
 * the job's own parser, settings the cluster owns are in flinkConfiguration only, state lives on S3,
 * parallelism fits the topic's partitions, and the names it refers to exist.
 */
final class FlinkJobConsistency {

    /**
     * Job flag -> the flinkConfiguration key that owns the same setting. The job applies such a flag only where
     * the cluster sets nothing (ClusterDefaults): beside the key it does nothing, and a second copy would drift.
     */
    static final Map<Setting<?>, String> CLUSTER_SETTINGS = Map.of(
            JobConfig.CHECKPOINT_DIR, "execution.checkpointing.dir",
            JobConfig.SAVEPOINT_DIR, "execution.checkpointing.savepoint-dir",
            JobConfig.STATE_BACKEND, "state.backend.type",
            JobConfig.CHECKPOINT_INTERVAL, "execution.checkpointing.interval");

    /** Directories the cluster must set, and what goes wrong without them. */
    static final Map<String, String> REQUIRED_DIRS = Map.of(
            "execution.checkpointing.dir", "the job refuses to start without a checkpoint directory",
            "execution.checkpointing.savepoint-dir", "the operator's upgrade and periodic savepoints have nowhere to go");

    private final ObjectNode deployment;
    private final List<ObjectNode> flinkObjects;
    private final List<ObjectNode> platformObjects;
    private final List<String> problems = new ArrayList<>();

    private FlinkJobConsistency(ObjectNode deployment, List<ObjectNode> flinkObjects, List<ObjectNode> platformObjects) {
        this.deployment = deployment;
        this.flinkObjects = flinkObjects;
        this.platformObjects = platformObjects;
    }

    /** Problems of {@code deployment}, given the objects rendered beside it and the platform overlay's objects. */
    static List<String> check(ObjectNode deployment, List<ObjectNode> flinkObjects, List<ObjectNode> platformObjects) {
        FlinkJobConsistency check = new FlinkJobConsistency(deployment, flinkObjects, platformObjects);
        Map<String, String> env = check.environment();
        JobConfig config = check.parseArgs(env);
        check.operatorSettings();
        check.clusterSettings(env);
        if (config != null) {
            check.storage(config);
            check.platformNames(config);
        }
        return check.problems;
    }

    static List<String> args(JsonNode deployment) {
        return StreamSupport.stream(deployment.path("spec").path("job").path("args").spliterator(), false)
                .map(JsonNode::asText).toList();
    }

    /** The environment the job's main() sees: the Secrets the pod template imports and its env, as the kubelet builds it. */
    private Map<String, String> environment() {
        Map<String, String> env = new LinkedHashMap<>();
        for (JsonNode container : deployment.path("spec").path("podTemplate").path("spec").path("containers")) {
            env.putAll(ContainerEnv.of(container, flinkObjects, problems::add));
        }
        return env;
    }

    private JobConfig parseArgs(Map<String, String> env) {
        List<String> args = args(deployment);
        Set<String> seen = new HashSet<>();
        for (String arg : args) {
            if (!arg.startsWith("--") || !arg.contains("=")) {
                problems.add("job arg '" + arg + "': write one --flag=value per item, so overlays can append flags");
            } else if (!seen.add(arg.substring(0, arg.indexOf('=')))) {
                problems.add("job arg " + arg.substring(0, arg.indexOf('=')) + " is given twice");
            }
        }
        if (seen.contains("--parallelism")) {
            problems.add("--parallelism must not be passed: spec.job.parallelism is the one setting to rescale with");
        }
        Set<String> jobVariables = new HashSet<>();
        JobConfig.SCHEMA.settings().forEach(s -> jobVariables.add(s.envName()));
        env.keySet().stream().filter(name -> name.startsWith("PAGEVIEWS_") && !jobVariables.contains(name))
                .forEach(name -> problems.add("environment variable " + name + " is not a setting of the job"));
        try {
            return JobConfig.parse(args.toArray(String[]::new), env);
        } catch (IllegalArgumentException e) {
            problems.add("the job rejects its args: " + e.getMessage());
            return null;
        }
    }

    private void operatorSettings() {
        JsonNode spec = deployment.path("spec");
        JsonNode flink = spec.path("flinkConfiguration");
        expect(spec.path("job").path("upgradeMode").asText(), "savepoint", "spec.job.upgradeMode");
        expect(flink.path("high-availability.type").asText(), "kubernetes", "high-availability.type");
        expect(flink.path("restart-strategy.type").asText(), "exponential-delay", "restart-strategy.type");
        if (flink.path("kubernetes.operator.periodic.savepoint.interval").asText().isEmpty()) {
            problems.add("kubernetes.operator.periodic.savepoint.interval is not set: no periodic savepoints");
        }
        int parallelism = spec.path("job").path("parallelism").asInt(0);
        int partitions = viewsPartitions();
        if (parallelism < 1 || parallelism > partitions) {
            problems.add("spec.job.parallelism " + parallelism + " must be between 1 and the " + partitions
                    + " partitions of topic views: more source subtasks than partitions stay idle");
        }
    }

    /**
     * Cluster settings are given as flinkConfiguration keys, not as job flags or their PAGEVIEWS_ variables. The
     * interval and the backend must be set too: without them the job's defaults would apply, unseen in the
     * manifest (the directories are checked with the storage).
     */
    private void clusterSettings(Map<String, String> env) {
        JsonNode flink = deployment.path("spec").path("flinkConfiguration");
        Set<String> flags = new HashSet<>();
        args(deployment).forEach(arg -> flags.add(arg.replaceFirst("=.*$", "")));
        CLUSTER_SETTINGS.forEach((setting, key) -> {
            if (flags.contains(setting.flag())) {
                problems.add(setting.flag() + " repeats a cluster setting: set " + key + " in flinkConfiguration only");
            }
            if (env.containsKey(setting.envName())) {
                problems.add("environment variable " + setting.envName() + " repeats a cluster setting: set " + key
                        + " in flinkConfiguration only");
            }
            if (!REQUIRED_DIRS.containsKey(key) && flink.path(key).asText().isEmpty()) {
                problems.add(key + " is not set in flinkConfiguration: the job's default (" + setting.flag() + " "
                        + setting.defaultText() + ") would apply unseen; set it there");
            }
        });
    }

    private void storage(JobConfig config) {
        JsonNode flink = deployment.path("spec").path("flinkConfiguration");
        Map<String, String> paths = Map.of(
                "execution.checkpointing.dir", flink.path("execution.checkpointing.dir").asText(),
                "execution.checkpointing.savepoint-dir", flink.path("execution.checkpointing.savepoint-dir").asText(),
                "high-availability.storageDir", flink.path("high-availability.storageDir").asText(),
                "--archive-path", config.archivePath());
        paths.forEach((what, path) -> {
            if (path.isEmpty() && REQUIRED_DIRS.containsKey(what)) {
                problems.add(what + " is not set in flinkConfiguration: " + REQUIRED_DIRS.get(what) + "; set it to an s3:// path");
            } else if (!path.startsWith("s3://")) {
                problems.add(what + " '" + path + "' is not on S3 (s3://...): pods lose local files");
            }
        });
    }

    private void platformNames(JobConfig config) {
        for (String topic : List.of(config.topic(), config.dlqTopic())) {
            boolean exists = platformObjects.stream().filter(o -> o.path("kind").asText().equals("KafkaTopic"))
                    .anyMatch(t -> t.path("spec").path("topicName").asText(t.path("metadata").path("name").asText()).equals(topic));
            if (!exists) {
                problems.add("topic " + topic + " has no KafkaTopic in the platform overlay");
            }
        }
        ObjectNode kafka = platform("Kafka", null);
        String bootstrap = kafka == null ? "(no Kafka in the platform overlay)" : kafka.path("metadata").path("name").asText()
                + "-kafka-bootstrap:" + kafka.path("spec").path("kafka").path("listeners").path(0).path("port").asText();
        expect(config.kafkaBootstrap(), bootstrap, "--kafka-bootstrap (Strimzi's bootstrap Service)");
        String endpoint = deployment.path("spec").path("flinkConfiguration").path("s3.endpoint").asText("");
        if (!endpoint.isEmpty()) {
            serviceExists(endpoint.replaceFirst("^https?://", ""), "flinkConfiguration s3.endpoint");
        }
        String redis = config.text(JobConfig.REDIS);
        String redisHost = redis.replaceFirst("^redis://", "").replaceFirst("^[^@/]*@", "").replaceFirst("/.*$", "");
        if (redis.startsWith("redis://") && !redisHost.contains(".")) {
            serviceExists(redisHost, "--redis");
        }
    }

    private void serviceExists(String hostPort, String what) {
        String[] parts = hostPort.split(":");
        ObjectNode service = platform("Service", parts[0]);
        boolean portFound = service != null && StreamSupport.stream(service.path("spec").path("ports").spliterator(), false)
                .anyMatch(p -> parts.length < 2 || p.path("port").asText().equals(parts[1]));
        if (!portFound) {
            problems.add(what + " points at " + hostPort + ", which is no Service port in the platform overlay");
        }
    }

    private int viewsPartitions() {
        ObjectNode topic = platform("KafkaTopic", "views");
        return topic == null ? 0 : topic.path("spec").path("partitions").asInt(0);
    }

    private ObjectNode platform(String kind, String name) {
        return platformObjects.stream()
                .filter(o -> o.path("kind").asText().equals(kind))
                .filter(o -> name == null || o.path("metadata").path("name").asText().equals(name))
                .findFirst().orElse(null);
    }

    private void expect(String actual, String expected, String what) {
        if (!expected.equals(actual)) {
            problems.add(what + " is '" + actual + "', expected '" + expected + "'");
        }
    }
}
