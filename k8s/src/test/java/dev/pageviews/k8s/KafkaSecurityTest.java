package dev.pageviews.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pageviews.edge.config.EdgeConfig;
import dev.pageviews.job.JobConfig;
import dev.pageviews.stack.KafkaSecurity;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The Strimzi Kafka takes authenticated TLS clients only and authorizes them; the edge and the job are KafkaUsers of
 * their own with the ACLs SecuredKafkaIT proves enough (local-stack's KafkaSecurity), and reach the listener with
 * SASL_SSL, SCRAM-SHA-512, their own user's Secret and the cluster CA, as their own parsers read the manifests.
 */
class KafkaSecurityTest {

    static final String EDGE_USER = "edge-ingest";
    static final String JOB_USER = "pageviews-job";

    /** What a client reads from its manifests: bootstrap, Kafka properties, the pod it runs in. */
    record Client(String name, String bootstrap, Map<String, String> properties, JsonNode pod, JsonNode container) {
    }

    static Client edge(List<ObjectNode> platform) {
        ObjectNode deployment = find(platform, "Deployment", "edge-ingest");
        JsonNode container = deployment.at("/spec/template/spec/containers/0");
        Map<String, String> env = ContainerEnv.of(container, platform, problem -> {
            throw new IllegalStateException(problem);
        });
        EdgeConfig config = EdgeConfig.parse(new String[0], env);
        return new Client("edge-ingest", config.kafkaBootstrap(), config.kafkaProperties(), deployment.at("/spec/template/spec"), container);
    }

    /** The job as the operator starts it: the FlinkDeployment's args and the pod template's environment and mounts. */
    static Client job(List<ObjectNode> flink) {
        ObjectNode deployment = flink.stream().filter(o -> o.path("kind").asText().equals("FlinkDeployment")).findFirst().orElseThrow();
        JsonNode pod = deployment.at("/spec/podTemplate/spec");
        JsonNode container = pod.path("containers").path(0);
        Map<String, String> env = ContainerEnv.of(container, flink, problem -> {
            throw new IllegalStateException(problem);
        });
        JobConfig config = JobConfig.parse(FlinkJobConsistency.args(deployment).toArray(String[]::new), env);
        return new Client("pageviews-job", config.kafkaBootstrap(), config.kafkaProperties(), pod, container);
    }

    static JobConfig jobConfig(List<ObjectNode> flink) {
        ObjectNode deployment = flink.stream().filter(o -> o.path("kind").asText().equals("FlinkDeployment")).findFirst().orElseThrow();
        Map<String, String> env = ContainerEnv.of(deployment.at("/spec/podTemplate/spec/containers/0"), flink, problem -> { });
        return JobConfig.parse(FlinkJobConsistency.args(deployment).toArray(String[]::new), env);
    }

    private static ObjectNode find(List<ObjectNode> objects, String kind, String name) {
        return objects.stream().filter(o -> o.path("kind").asText().equals(kind) && o.at("/metadata/name").asText().equals(name))
                .findFirst().orElseThrow(() -> new java.util.NoSuchElementException(kind + " " + name));
    }

    /** The problems of the whole setup of one environment. */
    static List<String> problems(List<ObjectNode> platform, List<ObjectNode> flink) {
        List<String> problems = new java.util.ArrayList<>();
        ObjectNode kafka = find(platform, "Kafka", "pageviews");
        problems.addAll(KafkaAccess.clusterProblems(kafka));

        Map<String, ObjectNode> users = new LinkedHashMap<>();
        platform.stream().filter(o -> o.path("kind").asText().equals("KafkaUser")).forEach(u -> users.put(u.at("/metadata/name").asText(), u));
        if (!users.keySet().equals(Set.of(EDGE_USER, JOB_USER))) {
            problems.add("KafkaUsers are " + users.keySet() + ", expected one per client: " + new TreeSet<>(Set.of(EDGE_USER, JOB_USER)));
        }
        Client edge = edge(platform);
        Client job = job(flink);
        for (Map.Entry<Client, String> client : Map.of(edge, EDGE_USER, job, JOB_USER).entrySet()) {
            Client c = client.getKey();
            problems.addAll(KafkaAccess.clientProblems(c.name(), c.bootstrap(), c.properties(), kafka, client.getValue(), c.pod(), c.container()));
        }

        String edgeTopic = EdgeConfig.parse(new String[0], ContainerEnv.of(find(platform, "Deployment", "edge-ingest")
                .at("/spec/template/spec/containers/0"), platform, p -> { })).topic();
        JobConfig jobConfig = jobConfig(flink);
        Map<String, Set<String>> expected = new HashMap<>();
        expected.put(EDGE_USER, KafkaAccess.acls(KafkaSecurity.edgeAcls(EDGE_USER, edgeTopic), EDGE_USER));
        expected.put(JOB_USER, KafkaAccess.acls(KafkaSecurity.jobAcls(JOB_USER, jobConfig.topic(), jobConfig.groupId(), jobConfig.dlqTopic()), JOB_USER));
        expected.forEach((name, acls) -> {
            ObjectNode user = users.get(name);
            if (user == null) {
                return;
            }
            if (!user.at("/spec/authentication/type").asText().equals("scram-sha-512")) {
                problems.add("KafkaUser " + name + ": authentication.type is not scram-sha-512, the listener's mechanism");
            }
            Set<String> actual = KafkaAccess.acls(user);
            if (!actual.equals(acls)) {
                Set<String> extra = new TreeSet<>(actual);
                extra.removeAll(acls);
                Set<String> missing = new TreeSet<>(acls);
                missing.removeAll(actual);
                problems.add("KafkaUser " + name + ": ACLs differ from those SecuredKafkaIT runs with (local-stack KafkaSecurity): more "
                        + extra + ", missing " + missing);
            }
        });
        return problems;
    }

    @ParameterizedTest
    @EnumSource(value = Overlay.class, names = {"K8S_MINIKUBE", "K8S_CLOUD"})
    void kafkaAndItsClientsAreSecured(Overlay platform) {
        assertThat(problems(platform.objects(), platform.flink().objects())).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(value = Overlay.class, names = {"K8S_MINIKUBE", "K8S_CLOUD"})
    void theLeastAclsAreWrittenOut(Overlay platform) {
        // the ACLs as data, beside the check against KafkaSecurity: a change to both must show here too
        assertThat(KafkaAccess.acls(platform.find("KafkaUser", EDGE_USER))).containsExactly("allow topic:views(literal) Write from *");
        assertThat(KafkaAccess.acls(platform.find("KafkaUser", JOB_USER))).containsExactly(
                "allow group:pageviews-job(literal) Read from *",
                "allow topic:views(literal) Read from *",
                "allow topic:views-dlq(literal) Write from *");
    }

    // --- teeth: each piece of the setup undone in a copy

    private static List<ObjectNode> platform() {
        return Overlay.K8S_MINIKUBE.objects();
    }

    private static List<ObjectNode> flink() {
        return Overlay.FLINK_MINIKUBE.objects();
    }

    @Test
    void aPlaintextListenerBeside() {
        List<ObjectNode> platform = platform();
        Edit.append(find(platform, "Kafka", "pageviews"), "/spec/kafka/listeners",
                Map.of("name", "plain", "port", 9092, "type", "internal", "tls", false));
        assertThat(problems(platform, flink())).anySatisfy(p -> assertThat(p).contains("listener plain (9092) has no TLS"))
                .anySatisfy(p -> assertThat(p).contains("listener plain (9092) does not authenticate"));
    }

    @Test
    void noAuthorizer() {
        List<ObjectNode> platform = platform();
        Edit.remove(find(platform, "Kafka", "pageviews"), "/spec/kafka/authorization");
        assertThat(problems(platform, flink())).anySatisfy(p -> assertThat(p).contains("authorization.type is not simple"));
    }

    @Test
    void noUserOperator() {
        List<ObjectNode> platform = platform();
        Edit.remove(find(platform, "Kafka", "pageviews"), "/spec/entityOperator/userOperator");
        assertThat(problems(platform, flink())).anySatisfy(p -> assertThat(p).contains("userOperator is missing"));
    }

    @Test
    void aWiderAcl() {
        List<ObjectNode> platform = platform();
        Edit.set(find(platform, "KafkaUser", EDGE_USER), "/spec/authorization/acls/0/operations", List.of("All"));
        assertThat(problems(platform, flink())).anySatisfy(p -> assertThat(p)
                .contains("KafkaUser edge-ingest: ACLs differ", "more [allow topic:views(literal) All from *]"));
    }

    @Test
    void oneUserForBothClients() {
        List<ObjectNode> platform = platform().stream()
                .filter(o -> !(o.path("kind").asText().equals("KafkaUser") && o.at("/metadata/name").asText().equals(JOB_USER))).toList();
        List<ObjectNode> flink = flink();
        ObjectNode deployment = find(flink, "FlinkDeployment", "pageviews-job");
        Edit.set(deployment, "/spec/podTemplate/spec/volumes/0/secret/secretName", EDGE_USER);
        assertThat(problems(platform, flink)).anySatisfy(p -> assertThat(p).contains("KafkaUsers are [edge-ingest]"))
                .anySatisfy(p -> assertThat(p).contains("pageviews-job: sasl.jaas.config comes from /etc/kafka-user/sasl.jaas.config,"
                        + " which is Secret key edge-ingest/sasl.jaas.config, not key sasl.jaas.config of the Secret of its KafkaUser pageviews-job"));
    }

    @Test
    void theJobOnTheOldPlaintextPort() {
        List<ObjectNode> flink = flink();
        ObjectNode deployment = find(flink, "FlinkDeployment", "pageviews-job");
        List<String> args = FlinkJobConsistency.args(deployment).stream()
                .map(a -> a.startsWith("--kafka-bootstrap=") ? "--kafka-bootstrap=pageviews-kafka-bootstrap:9092" : a).toList();
        Edit.set(deployment, "/spec/job/args", args);
        assertThat(problems(platform(), flink)).anySatisfy(p -> assertThat(p)
                .contains("pageviews-job: bootstrap pageviews-kafka-bootstrap:9092 is not Kafka's TLS + SCRAM listener"));
    }

    @Test
    void theEdgeWithoutSasl() {
        List<ObjectNode> platform = platform();
        ObjectNode deployment = find(platform, "Deployment", "edge-ingest");
        ObjectNode configMap = find(platform, "ConfigMap", deployment.at("/spec/template/spec/containers/0/envFrom/0/configMapRef/name").asText());
        Edit.set(configMap, "/data/EDGE_KAFKA_PROPERTIES", configMap.at("/data/EDGE_KAFKA_PROPERTIES").asText()
                .replace("security.protocol=SASL_SSL", "security.protocol=SSL"));
        assertThat(problems(platform, flink())).anySatisfy(p -> assertThat(p).contains("edge-ingest: security.protocol is 'SSL', expected 'SASL_SSL'"));
    }

    @Test
    void aTruststoreThatIsNotTheClusterCa() {
        List<ObjectNode> platform = platform();
        ObjectNode deployment = find(platform, "Deployment", "edge-ingest");
        Edit.set(deployment, "/spec/template/spec/volumes/2/secret/secretName", "pageviews-clients-ca-cert");
        assertThat(problems(platform, flink())).anySatisfy(p -> assertThat(p)
                .contains("edge-ingest: ssl.truststore.location '/etc/kafka-ca/ca.crt' is not key ca.crt of the mounted Secret pageviews-cluster-ca-cert"));
    }

    @Test
    void theJobWithoutItsSecretMounted() {
        List<ObjectNode> flink = flink();
        Edit.remove(find(flink, "FlinkDeployment", "pageviews-job"), "/spec/podTemplate/spec/containers/0/volumeMounts/0");
        assertThat(problems(platform(), flink)).anySatisfy(p -> assertThat(p).contains("which is no mounted Secret"));
    }

    @Test
    void theAclFormsAgree() {
        assertThat(KafkaAccess.acls(KafkaSecurity.jobAcls("u", "t", "g", "d"), "u")).containsExactly(
                "allow group:g(literal) Read from *", "allow topic:d(literal) Write from *", "allow topic:t(literal) Read from *");
    }
}
