package dev.pageviews.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class RenderedOverlaysTest {

    @ParameterizedTest
    @EnumSource(Overlay.class)
    void everyObjectLandsInThePageviewsNamespace(Overlay overlay) {
        List<ObjectNode> objects = overlay.objects();

        assertThat(objects).isNotEmpty();
        assertThat(objects)
                .filteredOn(o -> !o.path("kind").asText().equals("Namespace"))
                .allSatisfy(o -> assertThat(o.path("metadata").path("namespace").asText())
                        .as(ManifestValidator.describe(o)).isEqualTo("pageviews"));
    }

    @Test
    void minikubeRunsTheEdgeKafkaRedisAndMinio() {
        List<String> names = names(Overlay.K8S_MINIKUBE);

        assertThat(names).contains("Namespace/pageviews", "Deployment/edge-ingest", "Service/edge-ingest",
                "HorizontalPodAutoscaler/edge-ingest", "PodDisruptionBudget/edge-ingest", "Deployment/read-service", "Service/read-service",
                "Kafka/pageviews", "KafkaNodePool/dual-role", "KafkaTopic/views", "KafkaTopic/views-dlq",
                "StatefulSet/redis", "Service/redis", "StatefulSet/minio", "Service/minio", "Job/minio-create-bucket");
        assertThat(Overlay.K8S_MINIKUBE.find("StatefulSet", "redis").toString()).contains("--appendonly", "yes");
    }

    @Test
    void cloudHasNoInClusterRedisOrMinio() {
        List<String> names = names(Overlay.K8S_CLOUD);

        assertThat(names).contains("Deployment/edge-ingest", "Deployment/read-service", "Kafka/pageviews", "KafkaTopic/views");
        assertThat(names).filteredOn(n -> !n.startsWith("NetworkPolicy/")).noneMatch(n -> n.contains("redis") || n.contains("minio"));
        assertThat(Overlay.K8S_CLOUD.all("StatefulSet")).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(value = Overlay.class, names = {"FLINK_MINIKUBE", "FLINK_CLOUD"})
    void eachFlinkOverlayHasOneFlinkDeployment(Overlay overlay) {
        assertThat(overlay.all("FlinkDeployment")).singleElement()
                .satisfies(d -> assertThat(d.path("metadata").path("name").asText()).isEqualTo("pageviews-job"));
    }

    @Test
    void viewsHasFourPartitionsOnMinikubeAndTwelveInTheCloud() {
        assertThat(Overlay.K8S_MINIKUBE.find("KafkaTopic", "views").path("spec").path("partitions").asInt()).isEqualTo(4);
        assertThat(Overlay.K8S_CLOUD.find("KafkaTopic", "views").path("spec").path("partitions").asInt()).isEqualTo(12);
    }

    private static List<String> names(Overlay overlay) {
        return overlay.objects().stream()
                .map(o -> o.path("kind").asText() + "/" + o.path("metadata").path("name").asText())
                .toList();
    }
}
