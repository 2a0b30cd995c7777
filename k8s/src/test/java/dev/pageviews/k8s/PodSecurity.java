package dev.pageviews.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The pod templates the manifests produce, and the checks of the Kubernetes Pod Security Standards' restricted
 * level (https://kubernetes.io/docs/concepts/security/pod-security-standards/) that Pod Security Admission applies
 * to them in a namespace labelled {@code pod-security.kubernetes.io/enforce: restricted}: the baseline controls
 * (no host namespaces, ports or paths, no privileged containers, no added capabilities beyond the default set) and
 * the restricted ones (allowed volume types, no privilege escalation, non-root, seccomp, capabilities dropped).
 */
final class PodSecurity {

    static final Set<String> RESTRICTED_VOLUMES = Set.of("configMap", "csi", "downwardAPI", "emptyDir", "ephemeral",
            "persistentVolumeClaim", "projected", "secret");
    static final Set<String> SECCOMP_TYPES = Set.of("RuntimeDefault", "Localhost");

    private PodSecurity() {
    }

    /** Every pod template rendered, by a name like "Deployment/edge-ingest" or "FlinkDeployment/pageviews-job jobmanager". */
    static Map<String, ObjectNode> podTemplates(List<ObjectNode> objects) {
        Map<String, ObjectNode> templates = new LinkedHashMap<>();
        for (ObjectNode object : objects) {
            String kind = object.path("kind").asText();
            String name = ManifestValidator.describe(object);
            if (Set.of("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job").contains(kind)) {
                templates.put(name, (ObjectNode) object.at("/spec/template"));
            } else if (kind.equals("CronJob")) {
                templates.put(name, (ObjectNode) object.at("/spec/jobTemplate/spec/template"));
            } else if (kind.equals("Pod")) {
                templates.put(name, object);
            } else if (kind.equals("FlinkDeployment")) {
                for (String role : List.of("jobManager", "taskManager")) {
                    templates.put(name + " " + role.toLowerCase(), flinkPod(object, role));
                }
            }
        }
        return templates;
    }

    /**
     * A FlinkDeployment's JobManager or TaskManager pod as the operator builds it from the templates: spec.podTemplate,
     * overridden by spec.jobManager.podTemplate / spec.taskManager.podTemplate, objects merged key by key and arrays
     * element by element in order (the operator's default; kubernetes.operator.pod-template.merge-arrays-by-name is not
     * set here). The container flink-main-container is always there.
     */
    static ObjectNode flinkPod(ObjectNode deployment, String role) {
        ObjectNode pod = Kustomize.YAML.createObjectNode();
        merge(pod, deployment.at("/spec/podTemplate"));
        merge(pod, deployment.path("spec").path(role).path("podTemplate"));
        ObjectNode spec = pod.with("spec");
        ArrayNode containers = spec.withArray("containers");
        boolean hasMain = false;
        for (JsonNode c : containers) {
            hasMain |= c.path("name").asText().equals("flink-main-container");
        }
        if (!hasMain) {
            containers.addObject().put("name", "flink-main-container");
        }
        return pod;
    }

    private static void merge(ObjectNode into, JsonNode from) {
        if (!from.isObject()) {
            return;
        }
        for (Iterator<Map.Entry<String, JsonNode>> fields = from.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            JsonNode existing = into.get(field.getKey());
            JsonNode value = field.getValue();
            if (existing instanceof ObjectNode target && value.isObject()) {
                merge(target, value);
            } else if (existing instanceof ArrayNode target && value.isArray()) {
                for (int i = 0; i < value.size(); i++) {
                    if (i < target.size() && target.get(i) instanceof ObjectNode element && value.get(i).isObject()) {
                        merge(element, value.get(i));
                    } else if (i < target.size()) {
                        target.set(i, value.get(i).deepCopy());
                    } else {
                        target.add(value.get(i).deepCopy());
                    }
                }
            } else {
                into.set(field.getKey(), value.deepCopy());
            }
        }
    }

    /** What the restricted level would refuse in this pod template (metadata + spec); empty when it admits it. */
    static List<String> restrictedViolations(JsonNode podTemplate) {
        List<String> problems = new ArrayList<>();
        JsonNode pod = podTemplate.path("spec");
        JsonNode podContext = pod.path("securityContext");
        for (String host : List.of("hostNetwork", "hostPID", "hostIPC")) {
            if (pod.path(host).asBoolean(false)) {
                problems.add("spec." + host + " shares the node's namespaces");
            }
        }
        for (JsonNode volume : pod.path("volumes")) {
            volume.fieldNames().forEachRemaining(field -> {
                if (!field.equals("name") && !RESTRICTED_VOLUMES.contains(field)) {
                    problems.add("volume " + volume.path("name").asText() + " is a " + field + " volume, not one of " + RESTRICTED_VOLUMES);
                }
            });
        }
        if (podContext.path("runAsUser").isInt() && podContext.path("runAsUser").asInt() == 0) {
            problems.add("spec.securityContext.runAsUser is 0 (root)");
        }
        podContext.path("sysctls").forEach(s -> problems.add("spec.securityContext.sysctls sets " + s.path("name").asText()));
        String podSeccomp = podContext.path("seccompProfile").path("type").asText("");
        if (!podSeccomp.isEmpty() && !SECCOMP_TYPES.contains(podSeccomp)) {
            problems.add("spec.securityContext.seccompProfile.type is " + podSeccomp + ", not RuntimeDefault or Localhost");
        }
        boolean podNonRoot = podContext.path("runAsNonRoot").asBoolean(false);
        List<JsonNode> containers = new ArrayList<>();
        for (String list : List.of("initContainers", "containers", "ephemeralContainers")) {
            pod.path(list).forEach(containers::add);
        }
        if (containers.isEmpty()) {
            problems.add("no containers");
        }
        for (JsonNode container : containers) {
            String where = "container " + container.path("name").asText();
            JsonNode context = container.path("securityContext");
            if (context.path("privileged").asBoolean(false)) {
                problems.add(where + " is privileged");
            }
            if (!context.path("allowPrivilegeEscalation").isBoolean() || context.path("allowPrivilegeEscalation").asBoolean()) {
                problems.add(where + ": securityContext.allowPrivilegeEscalation must be false");
            }
            boolean nonRoot = context.has("runAsNonRoot") ? context.path("runAsNonRoot").asBoolean() : podNonRoot;
            if (!nonRoot) {
                problems.add(where + ": runAsNonRoot must be true (pod or container securityContext)");
            }
            if (context.path("runAsUser").isInt() && context.path("runAsUser").asInt() == 0) {
                problems.add(where + ": securityContext.runAsUser is 0 (root)");
            }
            String seccomp = context.path("seccompProfile").path("type").asText(podSeccomp);
            if (!SECCOMP_TYPES.contains(seccomp)) {
                problems.add(where + ": seccompProfile.type must be RuntimeDefault or Localhost (pod or container), is '" + seccomp + "'");
            }
            boolean dropsAll = false;
            for (JsonNode drop : context.path("capabilities").path("drop")) {
                dropsAll |= drop.asText().equals("ALL");
            }
            if (!dropsAll) {
                problems.add(where + ": securityContext.capabilities.drop must contain ALL");
            }
            for (JsonNode add : context.path("capabilities").path("add")) {
                if (!add.asText().equals("NET_BIND_SERVICE")) {
                    problems.add(where + " adds capability " + add.asText());
                }
            }
            for (JsonNode port : container.path("ports")) {
                if (port.path("hostPort").asInt(0) != 0) {
                    problems.add(where + " uses hostPort " + port.path("hostPort").asInt());
                }
            }
            String procMount = context.path("procMount").asText("Default");
            if (!procMount.equals("Default")) {
                problems.add(where + ": procMount " + procMount);
            }
            String apparmor = context.path("appArmorProfile").path("type").asText("RuntimeDefault");
            if (apparmor.equals("Unconfined")) {
                problems.add(where + ": appArmorProfile Unconfined");
            }
        }
        return problems;
    }
}
