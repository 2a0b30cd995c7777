package dev.pageviews.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The validator has teeth: each test breaks one field of a copy of a real rendered manifest, the way a
 * typo would, and expects {@link ManifestValidator} to reject it with a message naming the field.
 */
class BrokenManifestsTest {

    private static ObjectNode flinkDeployment() {
        return Overlay.FLINK_MINIKUBE.find("FlinkDeployment", "pageviews-job");
    }

    private static ObjectNode edgeDeployment() {
        return Overlay.K8S_MINIKUBE.find("Deployment", "edge-ingest");
    }

    private static List<String> problems(ObjectNode broken) {
        return ManifestValidator.check(broken);
    }

    @Test
    void theUnbrokenCopiesPass() {
        assertThat(problems(flinkDeployment())).isEmpty();
        assertThat(problems(edgeDeployment())).isEmpty();
    }

    // --- FlinkDeployment, against the operator's CRD schema

    @Test
    void misspeltJobField() {
        assertThat(problems(Edit.rename(flinkDeployment(), "/spec/job/upgradeMode", "upgradeModee")))
                .anySatisfy(p -> assertThat(p).contains(".spec.job.upgradeModee").contains("unknown field"));
    }

    @Test
    void upgradeModeOutsideTheEnum() {
        assertThat(problems(Edit.set(flinkDeployment(), "/spec/job/upgradeMode", "savepoints")))
                .anySatisfy(p -> assertThat(p).contains("upgradeMode"));
    }

    @Test
    void parallelismAsText() {
        assertThat(problems(Edit.set(flinkDeployment(), "/spec/job/parallelism", "two")))
                .anySatisfy(p -> assertThat(p).contains("parallelism").contains("integer"));
    }

    @Test
    void cpuAsText() {
        assertThat(problems(Edit.set(flinkDeployment(), "/spec/taskManager/resource/cpu", "lots")))
                .anySatisfy(p -> assertThat(p).contains("cpu").contains("number"));
    }

    @Test
    void flinkVersionTheOperatorDoesNotKnow() {
        assertThat(problems(Edit.set(flinkDeployment(), "/spec/flinkVersion", "v2_9")))
                .anySatisfy(p -> assertThat(p).contains("flinkVersion"));
    }

    @Test
    void misspeltFieldDeepInThePodTemplate() {
        assertThat(problems(Edit.rename(flinkDeployment(), "/spec/podTemplate/spec/containers/0/envFrom", "envFromm")))
                .anySatisfy(p -> assertThat(p).contains(".spec.podTemplate.spec.containers[0].envFromm"));
    }

    @Test
    void misspeltMetadataField() {
        assertThat(problems(Edit.rename(flinkDeployment(), "/metadata/labels", "labelz")))
                .anySatisfy(p -> assertThat(p).contains("labelz"));
    }

    @Test
    void unknownTopLevelField() {
        assertThat(problems(Edit.set(flinkDeployment(), "/sepc", Map.of("image", "x"))))
                .anySatisfy(p -> assertThat(p).contains(".sepc"));
    }

    @Test
    void flinkConfigurationKeys() {
        // Deprecated Flink 1.x name, a typo, an operator typo, an S3 typo: all rejected.
        assertThat(problems(Edit.set(flinkDeployment(), "/spec/flinkConfiguration/state.checkpoints.dir", "s3://b/c")))
                .anySatisfy(p -> assertThat(p).contains("state.checkpoints.dir").contains("deprecated"));
        assertThat(problems(Edit.set(flinkDeployment(), "/spec/flinkConfiguration/execution.checkpointing.intervall", "5s")))
                .anySatisfy(p -> assertThat(p).contains("execution.checkpointing.intervall").contains("not a Flink"));
        assertThat(problems(Edit.set(flinkDeployment(), "/spec/flinkConfiguration/kubernetes.operator.periodic.savepoint.intervall", "1h")))
                .anySatisfy(p -> assertThat(p).contains("periodic.savepoint.intervall"));
        assertThat(problems(Edit.set(flinkDeployment(), "/spec/flinkConfiguration/s3.path-style.access", "true")))
                .anySatisfy(p -> assertThat(p).contains("s3.path-style.access"));
        assertThat(problems(Edit.set(flinkDeployment(), "/spec/flinkConfiguration/metrics.reporter.prom.portt", "9249")))
                .anySatisfy(p -> assertThat(p).contains("portt"));
    }

    @Test
    void flinkConfigurationValuesFlinkCannotRead() {
        assertThat(problems(Edit.set(flinkDeployment(), "/spec/flinkConfiguration/execution.checkpointing.mode", "EXACTLY_ONE")))
                .anySatisfy(p -> assertThat(p).contains("execution.checkpointing.mode").contains("EXACTLY_ONE"));
        assertThat(problems(Edit.set(flinkDeployment(), "/spec/flinkConfiguration/execution.checkpointing.interval", "5 sekunden")))
                .anySatisfy(p -> assertThat(p).contains("execution.checkpointing.interval"));
        assertThat(problems(Edit.set(flinkDeployment(), "/spec/flinkConfiguration/taskmanager.numberOfTaskSlots", "two")))
                .anySatisfy(p -> assertThat(p).contains("numberOfTaskSlots"));
    }

    // --- Built-in kinds, against the Kubernetes API models

    @Test
    void replicasAsText() {
        assertThat(problems(Edit.set(edgeDeployment(), "/spec/replicas", "two"))).anySatisfy(p -> assertThat(p).contains("two"));
    }

    @Test
    void replicasAsNumericText() {
        // Gson would read "2" as 2; the API server rejects a string here, and so does the round trip.
        assertThat(problems(Edit.set(edgeDeployment(), "/spec/replicas", "2")))
                .anySatisfy(p -> assertThat(p).contains(".spec.replicas"));
    }

    @Test
    void misspeltProbeField() {
        assertThat(problems(Edit.rename(edgeDeployment(), "/spec/template/spec/containers/0/readinessProbe/httpGet/path", "pathh")))
                .anySatisfy(p -> assertThat(p).contains("pathh"));
    }

    @Test
    void misspeltPodField() {
        assertThat(problems(Edit.rename(edgeDeployment(), "/spec/template/spec/terminationGracePeriodSeconds",
                "terminationGracePeriodSecond"))).anySatisfy(p -> assertThat(p).contains("terminationGracePeriodSecond"));
    }

    @Test
    void booleanAsText() {
        assertThat(problems(Edit.set(edgeDeployment(), "/spec/template/spec/securityContext/runAsNonRoot", "yes")))
                .anySatisfy(p -> assertThat(p).contains("runAsNonRoot"));
    }

    @Test
    void invalidQuantity() {
        assertThat(problems(Edit.set(edgeDeployment(), "/spec/template/spec/containers/0/resources/limits/memory", "lots")))
                .isNotEmpty();
    }

    @Test
    void servicePortAsName() {
        assertThat(problems(Edit.set(Overlay.K8S_MINIKUBE.find("Service", "edge-ingest"), "/spec/ports/0/port", "http")))
                .isNotEmpty();
    }

    @Test
    void autoscalerWithoutMaxReplicas() {
        assertThat(problems(Edit.remove(Overlay.K8S_MINIKUBE.find("HorizontalPodAutoscaler", "edge-ingest"), "/spec/maxReplicas")))
                .anySatisfy(p -> assertThat(p).contains("maxReplicas"));
    }

    @Test
    void accessModesNotAList() {
        assertThat(problems(Edit.set(Overlay.K8S_MINIKUBE.find("StatefulSet", "redis"),
                "/spec/volumeClaimTemplates/0/spec/accessModes", "ReadWriteOnce"))).isNotEmpty();
    }

    @Test
    void kindWithoutASchema() {
        ObjectNode daemonSet = Edit.set(edgeDeployment(), "/kind", "DaemonSet");
        assertThat(problems(daemonSet)).anySatisfy(p -> assertThat(p).contains("no schema known"));
    }

    // --- Strimzi, by structure

    @Test
    void topicPartitionsAsText() {
        assertThat(problems(Edit.set(Overlay.K8S_MINIKUBE.find("KafkaTopic", "views"), "/spec/partitions", "4")))
                .anySatisfy(p -> assertThat(p).contains(".spec.partitions"));
    }

    @Test
    void topicWithoutItsClusterLabel() {
        assertThat(problems(Edit.remove(Overlay.K8S_MINIKUBE.find("KafkaTopic", "views"), "/metadata/labels/strimzi.io~1cluster")))
                .anySatisfy(p -> assertThat(p).contains("strimzi.io/cluster"));
    }

    @Test
    void misspeltTopicField() {
        assertThat(problems(Edit.rename(Overlay.K8S_MINIKUBE.find("KafkaTopic", "views"), "/spec/replicas", "replica")))
                .anySatisfy(p -> assertThat(p).contains(".spec.replica"));
    }

    @Test
    void nodePoolWithAnUnknownRole() {
        assertThat(problems(Edit.set(Overlay.K8S_MINIKUBE.find("KafkaNodePool", "dual-role"), "/spec/roles/1", "brokers")))
                .anySatisfy(p -> assertThat(p).contains("brokers"));
    }

    @Test
    void listenerWithoutTls() {
        assertThat(problems(Edit.remove(Overlay.K8S_MINIKUBE.find("Kafka", "pageviews"), "/spec/kafka/listeners/0/tls")))
                .anySatisfy(p -> assertThat(p).contains("tls"));
    }

    @Test
    void listenerAuthenticationOfAnUnknownType() {
        assertThat(problems(Edit.set(Overlay.K8S_MINIKUBE.find("Kafka", "pageviews"), "/spec/kafka/listeners/0/authentication/type", "scram-sha-256")))
                .anySatisfy(p -> assertThat(p).contains(".spec.kafka.listeners[0].authentication.type"));
    }

    @Test
    void misspeltUserOperatorField() {
        assertThat(problems(Edit.set(Overlay.K8S_MINIKUBE.find("Kafka", "pageviews"), "/spec/entityOperator/userOperator/watchNamespace", "x")))
                .anySatisfy(p -> assertThat(p).contains(".spec.entityOperator.userOperator.watchNamespace: unknown field"));
    }

    @Test
    void userAclWithTheRemovedSingularOperation() {
        // v1beta2 had "operation: Write"; kafka.strimzi.io/v1 knows only the list "operations"
        assertThat(problems(Edit.rename(Overlay.K8S_MINIKUBE.find("KafkaUser", "edge-ingest"), "/spec/authorization/acls/0/operations", "operation")))
                .anySatisfy(p -> assertThat(p).contains(".spec.authorization.acls[0].operation: unknown field"))
                .anySatisfy(p -> assertThat(p).contains(".spec.authorization.acls[0].operations: required"));
    }

    @Test
    void userAclWithAnUnknownOperationOrResource() {
        ObjectNode user = Overlay.K8S_MINIKUBE.find("KafkaUser", "pageviews-job");
        Edit.set(user, "/spec/authorization/acls/0/operations/0", "Consume");
        Edit.set(user, "/spec/authorization/acls/1/resource/type", "consumerGroup");
        assertThat(problems(user)).anySatisfy(p -> assertThat(p).contains("\"Consume\" is not one of"))
                .anySatisfy(p -> assertThat(p).contains(".spec.authorization.acls[1].resource.type"));
    }

    @Test
    void userWithoutItsClusterLabel() {
        assertThat(problems(Edit.remove(Overlay.K8S_MINIKUBE.find("KafkaUser", "edge-ingest"), "/metadata/labels/strimzi.io~1cluster")))
                .anySatisfy(p -> assertThat(p).contains("strimzi.io/cluster"));
    }

    @Test
    void strimziApiVersionNoLongerServed() {
        assertThat(problems(Edit.set(Overlay.K8S_MINIKUBE.find("Kafka", "pageviews"), "/apiVersion", "kafka.strimzi.io/v1beta2")))
                .anySatisfy(p -> assertThat(p).contains("v1beta2"));
    }
}
