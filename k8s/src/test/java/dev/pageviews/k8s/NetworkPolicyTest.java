package dev.pageviews.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pageviews.k8s.NetworkFlows.Endpoint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The NetworkPolicies allow exactly the pipeline's flows: every pod of both trees (labels and ports as rendered, the
 * Flink pods as the operator builds them, Strimzi's pods with Strimzi's labels) and the peers outside the namespace
 * (ingress controller, Prometheus, the Flink operator, another namespace, an address outside the cluster) are paired,
 * and the connections the policies allow must be the expected list, no more, no less.
 */
class NetworkPolicyTest {

    /** Flink's own ports in native Kubernetes mode, besides the metrics port of the pod template. */
    static final List<String> JOBMANAGER_PORTS = List.of("8081/TCP", "6123/TCP", "6124/TCP");
    static final List<String> TASKMANAGER_PORTS = List.of("6121/TCP", "6122/TCP");

    /**
     * The policy Strimzi generates for the Kafka cluster (its NetworkPolicy generation is on by default), as Strimzi
     * 1.2's KafkaCluster.generateNetworkPolicy builds it: the controller and replication ports for its own pods, and a
     * rule per listener of the Kafka resource whose peers are the listener's networkPolicyPeers (none: every peer).
     * The KafkaAgent port (8443, for the cluster operator) is left out: the brokers' endpoints here do not listen on it.
     */
    static final String STRIMZI_GENERATED = """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata:
              name: pageviews-network-policy-kafka
            spec:
              podSelector:
                matchLabels:
                  strimzi.io/cluster: pageviews
                  strimzi.io/kind: Kafka
                  strimzi.io/name: pageviews-kafka
              policyTypes: [Ingress]
              ingress:
                - from:
                    - podSelector:
                        matchLabels:
                          strimzi.io/kind: cluster-operator
                    - podSelector:
                        matchLabels:
                          strimzi.io/cluster: pageviews
                          strimzi.io/kind: Kafka
                          strimzi.io/name: pageviews-kafka
                  ports:
                    - port: 9090
                - from:
                    - podSelector:
                        matchLabels:
                          strimzi.io/kind: cluster-operator
                    - podSelector:
                        matchLabels:
                          strimzi.io/cluster: pageviews
                          strimzi.io/kind: Kafka
                          strimzi.io/name: pageviews-kafka
                    - podSelector:
                        matchLabels:
                          strimzi.io/cluster: pageviews
                          strimzi.io/kind: Kafka
                          strimzi.io/name: pageviews-entity-operator
                  ports:
                    - port: 9091
            """;

    static final String API = "outside:443/TCP, outside:6443/TCP, outside:8443/TCP";

    /** Beyond DNS, which every pod of the namespace has. */
    static final String MINIKUBE = """
            ingress-controller -> edge-ingest:8080/TCP
            prometheus -> edge-ingest:9464/TCP
            edge-ingest -> kafka:9093/TCP
            ingress-controller -> read-service:8090/TCP
            read-service -> redis:6379/TCP
            jobmanager -> redis:6379/TCP
            taskmanager -> redis:6379/TCP
            jobmanager -> minio:9000/TCP
            taskmanager -> minio:9000/TCP
            minio-create-bucket -> minio:9000/TCP
            flink-operator -> jobmanager:8081/TCP
            prometheus -> jobmanager:9249/TCP
            prometheus -> taskmanager:9249/TCP
            jobmanager -> taskmanager:6121/TCP, taskmanager:6122/TCP, taskmanager:9249/TCP
            taskmanager -> jobmanager:8081/TCP, jobmanager:6123/TCP, jobmanager:6124/TCP, jobmanager:9249/TCP
            jobmanager -> kafka:9093/TCP
            taskmanager -> kafka:9093/TCP
            jobmanager -> %1$s
            taskmanager -> %1$s
            strimzi-cluster-operator -> kafka:9090/TCP, kafka:9091/TCP, %1$s
            entity-operator -> kafka:9091/TCP, %1$s
            kafka -> %1$s
            """.formatted(API);

    static final String CLOUD = """
            ingress-controller -> edge-ingest:8080/TCP
            prometheus -> edge-ingest:9464/TCP
            edge-ingest -> kafka:9093/TCP
            ingress-controller -> read-service:8090/TCP
            read-service -> outside:6379/TCP
            jobmanager -> outside:6379/TCP
            taskmanager -> outside:6379/TCP
            flink-operator -> jobmanager:8081/TCP
            prometheus -> jobmanager:9249/TCP
            prometheus -> taskmanager:9249/TCP
            jobmanager -> taskmanager:6121/TCP, taskmanager:6122/TCP, taskmanager:9249/TCP
            taskmanager -> jobmanager:8081/TCP, jobmanager:6123/TCP, jobmanager:6124/TCP, jobmanager:9249/TCP
            jobmanager -> kafka:9093/TCP
            taskmanager -> kafka:9093/TCP
            jobmanager -> %1$s
            taskmanager -> %1$s
            strimzi-cluster-operator -> kafka:9090/TCP, kafka:9091/TCP, %1$s
            entity-operator -> kafka:9091/TCP, %1$s
            kafka -> %1$s
            """.formatted(API);

    /** The pods and peers of one environment. */
    static List<Endpoint> endpoints(Overlay platform) {
        List<Endpoint> endpoints = new ArrayList<>();
        Map<String, String> names = Map.of("Deployment/edge-ingest", "edge-ingest", "Deployment/read-service", "read-service",
                "StatefulSet/redis", "redis", "StatefulSet/minio", "minio", "Job/minio-create-bucket", "minio-create-bucket",
                "FlinkDeployment/pageviews-job jobmanager", "jobmanager", "FlinkDeployment/pageviews-job taskmanager", "taskmanager");
        List<ObjectNode> objects = new ArrayList<>(platform.objects());
        objects.addAll(platform.flink().objects());
        PodSecurity.podTemplates(objects).forEach((name, template) -> {
            Endpoint pod = NetworkFlows.pod(names.getOrDefault(name, name), template);
            List<String> flinkPorts = name.endsWith("jobmanager") ? JOBMANAGER_PORTS : name.endsWith("taskmanager") ? TASKMANAGER_PORTS : List.of();
            flinkPorts.forEach(p -> pod.ports().put(p, p));
            endpoints.add(pod);
        });
        ObjectNode kafkaResource = platform.find("Kafka", "pageviews");
        String kafka = kafkaResource.at("/metadata/name").asText();
        Map<String, String> kafkaPorts = NetworkFlows.ports("9090/TCP", "9091/TCP");
        kafkaResource.at("/spec/kafka/listeners").forEach(l -> kafkaPorts.put(l.path("port").asText() + "/TCP", l.path("port").asText() + "/TCP"));
        endpoints.add(new Endpoint("kafka", NetworkFlows.NAMESPACE, Map.of("strimzi.io/cluster", kafka, "strimzi.io/kind", "Kafka",
                "strimzi.io/name", kafka + "-kafka", "strimzi.io/pool-name", "dual-role", "strimzi.io/broker-role", "true",
                "strimzi.io/controller-role", "true"), kafkaPorts));
        endpoints.add(new Endpoint("entity-operator", NetworkFlows.NAMESPACE, Map.of("strimzi.io/cluster", kafka,
                "strimzi.io/kind", "Kafka", "strimzi.io/name", kafka + "-entity-operator"), Map.of()));
        endpoints.add(new Endpoint("strimzi-cluster-operator", NetworkFlows.NAMESPACE, Map.of("name", "strimzi-cluster-operator",
                "strimzi.io/kind", "cluster-operator"), Map.of()));
        // a pod added later without a policy of its own: default-deny leaves it DNS only
        endpoints.add(new Endpoint("unlisted-pod", NetworkFlows.NAMESPACE, Map.of("app", "debug"), NetworkFlows.ports("8080/TCP")));
        endpoints.add(new Endpoint("kube-dns", "kube-system", Map.of("k8s-app", "kube-dns"), NetworkFlows.ports("53/UDP", "53/TCP")));
        endpoints.add(new Endpoint("ingress-controller", "ingress-nginx", Map.of("app.kubernetes.io/name", "ingress-nginx"), Map.of()));
        endpoints.add(new Endpoint("prometheus", "monitoring", Map.of("app.kubernetes.io/name", "prometheus"), Map.of()));
        endpoints.add(new Endpoint("flink-operator", "flink-operator", Map.of("app.kubernetes.io/name", "flink-kubernetes-operator"), Map.of()));
        endpoints.add(new Endpoint("other-namespace", "default", Map.of("app", "anything"), Map.of()));
        endpoints.add(new Endpoint("outside", null, Map.of(),
                NetworkFlows.ports("443/TCP", "6443/TCP", "8443/TCP", "6379/TCP", "5432/TCP", "9092/TCP")));
        return endpoints;
    }

    /** The objects plus the policy Strimzi generates from their Kafka resource. */
    static List<ObjectNode> withStrimzis(List<ObjectNode> objects) {
        List<ObjectNode> all = new ArrayList<>(objects);
        all.add(strimziGenerated(objects.stream().filter(o -> o.path("kind").asText().equals("Kafka")).findFirst()
                .orElseThrow(() -> new java.util.NoSuchElementException("no Kafka among the objects"))));
        return all;
    }

    static ObjectNode strimziGenerated(ObjectNode kafka) {
        ObjectNode policy;
        try {
            policy = Kustomize.parse(STRIMZI_GENERATED).get(0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ArrayNode rules = (ArrayNode) policy.at("/spec/ingress");
        for (JsonNode listener : kafka.at("/spec/kafka/listeners")) {
            ObjectNode rule = rules.addObject();
            rule.putArray("ports").addObject().put("protocol", "TCP").put("port", listener.path("port").asInt());
            if (listener.path("networkPolicyPeers").size() > 0) {
                rule.set("from", listener.path("networkPolicyPeers").deepCopy());
            }
        }
        return policy;
    }

    static Set<String> expected(String table, List<Endpoint> endpoints) {
        Set<String> flows = new TreeSet<>();
        for (String line : table.strip().split("\n")) {
            if (line.startsWith("#")) {
                continue;
            }
            String[] parts = line.split(" -> ");
            for (String to : parts[1].split(", ")) {
                flows.add(parts[0] + " -> " + to);
            }
        }
        endpoints.stream().filter(e -> NetworkFlows.NAMESPACE.equals(e.namespace()))
                .forEach(e -> {
                    flows.add(e.name() + " -> kube-dns:53/UDP");
                    flows.add(e.name() + " -> kube-dns:53/TCP");
                });
        return flows;
    }

    /** The allowed flows with a pod of the namespace at one end (what other namespaces allow among themselves is theirs). */
    private static Set<String> allowed(Overlay platform, List<ObjectNode> policies) {
        List<Endpoint> endpoints = endpoints(platform);
        Set<String> ours = new TreeSet<>();
        endpoints.stream().filter(e -> NetworkFlows.NAMESPACE.equals(e.namespace())).forEach(e -> ours.add(e.name()));
        Set<String> flows = new TreeSet<>();
        for (String flow : new NetworkFlows(withStrimzis(policies)).allowed(endpoints)) {
            String[] ends = flow.split(" -> |:");
            if (ours.contains(ends[0]) || ours.contains(ends[1])) {
                flows.add(flow);
            }
        }
        return flows;
    }

    @ParameterizedTest
    @EnumSource(value = Overlay.class, names = {"K8S_MINIKUBE", "K8S_CLOUD"})
    void exactlyThePipelinesFlowsAreAllowed(Overlay platform) {
        String table = platform == Overlay.K8S_MINIKUBE ? MINIKUBE : CLOUD;
        Set<String> expected = expected(table, endpoints(platform));
        Set<String> actual = allowed(platform, platform.objects());

        Set<String> unexpected = new TreeSet<>(actual);
        unexpected.removeAll(expected);
        Set<String> missing = new TreeSet<>(expected);
        missing.removeAll(actual);
        assertThat(unexpected).as("allowed but not expected").isEmpty();
        assertThat(missing).as("expected but not allowed").isEmpty();
    }

    @ParameterizedTest
    @EnumSource(value = Overlay.class, names = {"K8S_MINIKUBE", "K8S_CLOUD"})
    void everythingIsDeniedByDefault(Overlay platform) {
        ObjectNode deny = NetworkFlows.policy(platform.objects(), "default-deny");
        assertThat(deny.at("/spec/podSelector").isEmpty()).as("selects every pod").isTrue();
        assertThat(NetworkFlows.types(deny)).containsExactly("Egress", "Ingress");
        assertThat(deny.at("/spec/ingress").isMissingNode() && deny.at("/spec/egress").isMissingNode()).as("no rules").isTrue();
    }

    /** The labels the policies select by are the ones the pods carry (a renamed label would isolate a pod silently). */
    @ParameterizedTest
    @EnumSource(value = Overlay.class, names = {"K8S_MINIKUBE", "K8S_CLOUD"})
    void everyPolicySelectsAPod(Overlay platform) {
        List<Endpoint> pods = endpoints(platform).stream().filter(e -> NetworkFlows.NAMESPACE.equals(e.namespace())).toList();
        assertThat(platform.all("NetworkPolicy")).allSatisfy(policy -> assertThat(pods)
                .as(ManifestValidator.describe(policy)).anyMatch(p -> NetworkFlows.matches(policy.at("/spec/podSelector"), p.labels())));
    }

    /** k8s/README.md has a row for every policy and names every namespace the policies select. */
    static List<String> undocumented(String readme, List<ObjectNode> objects) {
        List<String> problems = new ArrayList<>();
        for (ObjectNode policy : objects) {
            if (!policy.path("kind").asText().equals("NetworkPolicy")) {
                continue;
            }
            String name = policy.at("/metadata/name").asText();
            if (!readme.contains("| `" + name + "`")) {
                problems.add("NetworkPolicy " + name + " has no row in the README's table");
            }
            policy.findValues("kubernetes.io/metadata.name").forEach(namespace -> {
                if (!readme.contains("namespace `" + namespace.asText() + "`")) {
                    problems.add("NetworkPolicy " + name + " names namespace " + namespace.asText() + ", which the README does not");
                }
            });
        }
        return problems;
    }

    @Test
    void theReadmeDescribesEveryPolicy() {
        String readme = Repo.read("k8s/README.md");
        assertThat(undocumented(readme, Overlay.K8S_MINIKUBE.objects())).isEmpty();
        assertThat(undocumented(readme, Overlay.K8S_CLOUD.objects())).isEmpty();
    }

    // --- teeth: what each policy is for, shown by a copy without it or with a wider one

    private static List<ObjectNode> without(Overlay platform, String policy) {
        return platform.objects().stream()
                .filter(o -> !(o.path("kind").asText().equals("NetworkPolicy") && o.at("/metadata/name").asText().equals(policy)))
                .toList();
    }

    private static List<ObjectNode> replaced(Overlay platform, String policy, String pointer, Object value) {
        List<ObjectNode> objects = platform.objects();
        Edit.set(NetworkFlows.policy(objects, policy), pointer, value);
        return objects;
    }

    @Test
    void withoutDefaultDenyAPodWithoutAPolicyOfItsOwnIsOpen() {
        Set<String> allowed = allowed(Overlay.K8S_MINIKUBE, without(Overlay.K8S_MINIKUBE, "default-deny"));
        assertThat(allowed).contains("other-namespace -> unlisted-pod:8080/TCP", "outside -> unlisted-pod:8080/TCP");
    }

    @Test
    void theRestApiOpenToTheNamespaceInsteadOfTheOperator() {
        Set<String> allowed = allowed(Overlay.K8S_MINIKUBE, replaced(Overlay.K8S_MINIKUBE, "pageviews-job-rest",
                "/spec/ingress/0/from", List.of(Map.of("namespaceSelector", Map.of()))));
        assertThat(allowed).contains("other-namespace -> jobmanager:8081/TCP", "prometheus -> jobmanager:8081/TCP");
    }

    @Test
    void theJobsPodsOpenOnEveryPort() {
        Set<String> allowed = allowed(Overlay.K8S_MINIKUBE, replaced(Overlay.K8S_MINIKUBE, "pageviews-job",
                "/spec/ingress/1/ports", List.of()));
        assertThat(allowed).contains("prometheus -> jobmanager:6123/TCP", "prometheus -> jobmanager:8081/TCP");
    }

    @Test
    void redisWithoutItsPolicy() {
        assertThat(allowed(Overlay.K8S_MINIKUBE, without(Overlay.K8S_MINIKUBE, "redis")))
                .doesNotContain("jobmanager -> redis:6379/TCP", "read-service -> redis:6379/TCP");
        assertThat(allowed(Overlay.K8S_MINIKUBE, replaced(Overlay.K8S_MINIKUBE, "redis", "/spec/ingress/0/from", List.of())))
                .contains("other-namespace -> redis:6379/TCP", "outside -> redis:6379/TCP");
    }

    @Test
    void theEdgesAdminPortOpenToAll() {
        assertThat(allowed(Overlay.K8S_CLOUD, replaced(Overlay.K8S_CLOUD, "edge-ingest", "/spec/ingress/1/from", List.of())))
                .contains("other-namespace -> edge-ingest:9464/TCP", "outside -> edge-ingest:9464/TCP");
        assertThat(allowed(Overlay.K8S_CLOUD, without(Overlay.K8S_CLOUD, "edge-ingest")))
                .doesNotContain("edge-ingest -> kafka:9093/TCP", "ingress-controller -> edge-ingest:8080/TCP");
    }

    @Test
    void aListenerWithoutPeersIsOpenToEveryPod() {
        List<ObjectNode> objects = Overlay.K8S_CLOUD.objects();
        ObjectNode kafka = objects.stream().filter(o -> o.path("kind").asText().equals("Kafka")).findFirst().orElseThrow();
        Edit.remove(kafka, "/spec/kafka/listeners/0/networkPolicyPeers");
        assertThat(allowed(Overlay.K8S_CLOUD, objects))
                .contains("other-namespace -> kafka:9093/TCP", "outside -> kafka:9093/TCP", "entity-operator -> kafka:9093/TCP");
    }

    @Test
    void withoutDnsNoPodResolvesNames() {
        assertThat(allowed(Overlay.K8S_CLOUD, without(Overlay.K8S_CLOUD, "dns"))).noneMatch(f -> f.contains("-> kube-dns"));
    }

    @Test
    void aPolicyOrANamespaceTheReadmeDoesNotName() {
        String readme = Repo.read("k8s/README.md");
        List<ObjectNode> renamed = Overlay.K8S_MINIKUBE.objects();
        Edit.set(NetworkFlows.policy(renamed, "redis"), "/metadata/name", "redis-ingress");
        assertThat(undocumented(readme, renamed)).anySatisfy(p -> assertThat(p).contains("redis-ingress has no row"));
        assertThat(undocumented(readme, replaced(Overlay.K8S_MINIKUBE, "pageviews-job-rest",
                "/spec/ingress/0/from/0/namespaceSelector/matchLabels/kubernetes.io~1metadata.name", "flink")))
                .anySatisfy(p -> assertThat(p).contains("namespace flink,"));
    }

    @Test
    void theSelectorsModel() {
        assertThat(NetworkFlows.matches(Kustomize.YAML.valueToTree(Map.of("matchExpressions", List.of(
                Map.of("key", "a", "operator", "In", "values", List.of("x", "y"))))), Map.of("a", "y"))).isTrue();
        assertThat(NetworkFlows.matches(Kustomize.YAML.valueToTree(Map.of("matchExpressions", List.of(
                Map.of("key", "a", "operator", "NotIn", "values", List.of("x"))))), Map.of("a", "x"))).isFalse();
        assertThat(NetworkFlows.matches(Kustomize.YAML.valueToTree(Map.of("matchLabels", Map.of("a", "x"))), Map.of())).isFalse();
        assertThat(NetworkFlows.matches(Kustomize.YAML.createObjectNode(), Map.of("a", "x"))).isTrue();
    }
}
