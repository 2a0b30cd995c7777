package dev.pageviews.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pageviews.edge.config.EdgeConfig;
import dev.pageviews.job.JobConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The edge Deployment agrees with the edge's code, and topic names agree across edge, job and Kafka. */
class EdgeDeploymentTest {

    private static final String SOURCES = EdgeConsistency.sources();

    private static ObjectNode deployment(Overlay overlay) {
        return overlay.find("Deployment", "edge-ingest");
    }

    /** The ConfigMap the Deployment imports (its name carries kustomize's hash suffix). */
    private static ObjectNode configMap(Overlay overlay, ObjectNode deployment) {
        String name = deployment.at("/spec/template/spec/containers/0/envFrom/0/configMapRef/name").asText();
        return overlay.find("ConfigMap", name);
    }

    private static List<String> problems(Overlay overlay, ObjectNode deployment) {
        return EdgeConsistency.check(deployment, configMap(overlay, deployment), SOURCES);
    }

    @ParameterizedTest
    @EnumSource(value = Overlay.class, names = {"K8S_MINIKUBE", "K8S_CLOUD"})
    void agreesWithTheEdge(Overlay overlay) {
        assertThat(problems(overlay, deployment(overlay))).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(value = Overlay.class, names = {"K8S_MINIKUBE", "K8S_CLOUD"})
    void topicNamesAgreeWithTheCodeDefaults(Overlay overlay) {
        String views = jobDefault("topic");
        String deadLetters = jobDefault("dlq-topic");
        assertThat(views).isEqualTo("views");
        assertThat(deadLetters).isEqualTo("views-dlq");
        assertThat(EdgeConfig.TOPIC.defaultText()).isEqualTo(views);

        assertThat(configMap(overlay, deployment(overlay)).path("data").path("EDGE_TOPIC").asText()).isEqualTo(views);
        assertThat(overlay.all("KafkaTopic")).extracting(t -> t.path("spec").path("topicName").asText(t.path("metadata").path("name").asText()))
                .containsExactlyInAnyOrder(views, deadLetters);
    }

    private static String jobDefault(String flag) {
        return JobConfig.SCHEMA.byName(flag).defaultText();
    }

    // --- teeth

    @Test
    void misspeltProbePath() {
        ObjectNode broken = Edit.set(deployment(Overlay.K8S_MINIKUBE),
                "/spec/template/spec/containers/0/readinessProbe/httpGet/path", "/readyzz");
        assertThat(problems(Overlay.K8S_MINIKUBE, broken)).anySatisfy(p -> assertThat(p).contains("/readyzz"));
    }

    @Test
    void livenessOnTheReadinessRoute() {
        // A liveness probe that follows Kafka would restart every edge pod during a Kafka outage.
        ObjectNode broken = Edit.set(deployment(Overlay.K8S_MINIKUBE),
                "/spec/template/spec/containers/0/livenessProbe/httpGet/path", "/readyz");
        assertThat(problems(Overlay.K8S_MINIKUBE, broken)).anySatisfy(p -> assertThat(p).contains("livenessProbe"));
    }

    @Test
    void readinessOnThePublicPort() {
        // The public port's /readyz works but says no reason; metrics are not there at all.
        ObjectNode broken = Edit.set(deployment(Overlay.K8S_MINIKUBE),
                "/spec/template/spec/containers/0/readinessProbe/httpGet/port", "http");
        assertThat(problems(Overlay.K8S_MINIKUBE, broken)).anySatisfy(p -> assertThat(p).contains("readinessProbe port"));
    }

    @Test
    void scrapeOnThePublicPort() {
        ObjectNode broken = Edit.set(deployment(Overlay.K8S_MINIKUBE), "/spec/template/metadata/annotations/prometheus.io~1port", "8080");
        assertThat(problems(Overlay.K8S_MINIKUBE, broken)).anySatisfy(p -> assertThat(p).contains("prometheus.io/port"));
    }

    @Test
    void aVariableTheEdgeDoesNotRead() {
        ObjectNode deployment = deployment(Overlay.K8S_MINIKUBE);
        ObjectNode config = Edit.set(configMap(Overlay.K8S_MINIKUBE, deployment), "/data/EDGE_KAFKA_BOOTSTRAPP", "kafka:9092");
        assertThat(EdgeConsistency.check(deployment, config, SOURCES)).anySatisfy(p -> assertThat(p).contains("EDGE_KAFKA_BOOTSTRAPP"));
    }

    @Test
    void aRateLimitWithoutTheIngressHop() {
        ObjectNode deployment = deployment(Overlay.K8S_CLOUD);
        ObjectNode config = Edit.set(configMap(Overlay.K8S_CLOUD, deployment), "/data/EDGE_TRUSTED_PROXY_HOPS", "0");
        assertThat(EdgeConsistency.check(deployment, config, SOURCES))
                .anySatisfy(p -> assertThat(p).contains("EDGE_TRUSTED_PROXY_HOPS is 0"));
    }

    @Test
    void theCloudEdgeTakesViewsOfNamedSitesOnlyWithTheLimitAndTheBotFilterOn() {
        EdgeConfig edge = EdgeConfig.parse(new String[0], variables(configMap(Overlay.K8S_CLOUD, deployment(Overlay.K8S_CLOUD))));

        assertThat(edge.sitePolicy().anySite()).isFalse();
        assertThat(edge.get(EdgeConfig.RATE_LIMIT)).isPositive();
        assertThat(edge.get(EdgeConfig.BOT_FILTER)).isTrue();
    }

    private static Map<String, String> variables(ObjectNode configMap) {
        Map<String, String> variables = new java.util.HashMap<>();
        configMap.path("data").fields().forEachRemaining(e -> variables.put(e.getKey(), e.getValue().asText()));
        return variables;
    }

    @Test
    void aGracePeriodShorterThanTheDrain() {
        ObjectNode broken = Edit.set(deployment(Overlay.K8S_CLOUD), "/spec/template/spec/terminationGracePeriodSeconds", 20);
        assertThat(problems(Overlay.K8S_CLOUD, broken)).anySatisfy(p -> assertThat(p).contains("terminationGracePeriodSeconds 20"));
    }

    @Test
    void noPreStopPause() {
        ObjectNode broken = Edit.remove(deployment(Overlay.K8S_CLOUD), "/spec/template/spec/containers/0/lifecycle");
        assertThat(problems(Overlay.K8S_CLOUD, broken)).anySatisfy(p -> assertThat(p).contains("preStop"));
    }
}
