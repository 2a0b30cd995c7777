package dev.pageviews.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The read service's Deployment and Service agree with its code, in both environments. */
class ReadServiceDeploymentTest {

    private static final String SOURCES = ReadServiceConsistency.sources();

    private static ObjectNode deployment(Overlay overlay) {
        return overlay.find("Deployment", "read-service");
    }

    /**
     * The variables the service starts with: those of the ConfigMap and Secret it imports, and its own PAGEVIEWS_ ones
     * (with $(...) filled in, as the kubelet does); other env entries only feed those.
     */
    private static Map<String, String> variables(Overlay overlay, ObjectNode deployment) {
        JsonNode container = deployment.at("/spec/template/spec/containers/0");
        Map<String, String> all = ContainerEnv.of(container, overlay.objects(), p -> {
            throw new IllegalStateException(p);
        });
        Map<String, String> variables = new java.util.LinkedHashMap<>();
        List<String> own = new ArrayList<>();
        container.path("env").forEach(e -> own.add(e.path("name").asText()));
        all.forEach((name, value) -> {
            if (!own.contains(name) || name.startsWith("PAGEVIEWS_")) {
                variables.put(name, value);
            }
        });
        return variables;
    }

    private static List<String> problems(Overlay overlay, ObjectNode deployment) {
        return ReadServiceConsistency.check(deployment, variables(overlay, deployment), SOURCES);
    }

    @ParameterizedTest
    @EnumSource(value = Overlay.class, names = {"K8S_MINIKUBE", "K8S_CLOUD"})
    void agreesWithTheReadService(Overlay overlay) {
        assertThat(problems(overlay, deployment(overlay))).isEmpty();
        ObjectNode service = overlay.find("Service", "read-service");
        assertThat(service.at("/spec/ports/0/targetPort").asText()).isEqualTo("http");
        assertThat(service.at("/spec/selector").toString()).isEqualTo(deployment(overlay).at("/spec/selector/matchLabels").toString());
    }

    @Test
    void minikubeReadsTheInClusterRedis() {
        Map<String, String> variables = variables(Overlay.K8S_MINIKUBE, deployment(Overlay.K8S_MINIKUBE));
        String password = RedisTest.redisPassword(Overlay.K8S_MINIKUBE);
        assertThat(variables).containsEntry("PAGEVIEWS_REDIS", "redis://default:" + password + "@redis:6379")
                .containsEntry("PAGEVIEWS_REDIS_KEY", "page_views");
    }

    // --- teeth

    @Test
    void aMisspeltProbePath() {
        ObjectNode broken = Edit.set(deployment(Overlay.K8S_MINIKUBE), "/spec/template/spec/containers/0/readinessProbe/httpGet/path",
                "/ready");
        assertThat(problems(Overlay.K8S_MINIKUBE, broken)).anySatisfy(p -> assertThat(p).contains("'/ready'"));
    }

    @Test
    void livenessThatAsksRedis() {
        ObjectNode broken = Edit.set(deployment(Overlay.K8S_MINIKUBE), "/spec/template/spec/containers/0/livenessProbe/httpGet/path",
                "/readyz");
        assertThat(problems(Overlay.K8S_MINIKUBE, broken)).anySatisfy(p -> assertThat(p).contains("livenessProbe is not /healthz"));
    }

    @Test
    void noTokenWhileListeningBeyondLoopback() {
        ObjectNode broken = Edit.remove(deployment(Overlay.K8S_CLOUD), "/spec/template/spec/containers/0/envFrom/1");
        assertThat(problems(Overlay.K8S_CLOUD, broken)).anySatisfy(p -> assertThat(p).contains("PAGEVIEWS_API_TOKEN"));
    }

    @Test
    void aVariableTheServiceDoesNotRead() {
        ObjectNode deployment = deployment(Overlay.K8S_MINIKUBE);
        Map<String, String> variables = new java.util.LinkedHashMap<>(variables(Overlay.K8S_MINIKUBE, deployment));
        variables.put("PAGEVIEWS_SITE", "example.com");
        assertThat(ReadServiceConsistency.check(deployment, variables, SOURCES)).anySatisfy(p -> assertThat(p).contains("PAGEVIEWS_SITE "));
    }

    @Test
    void aPortThatIsNotTheContainers() {
        ObjectNode broken = Edit.set(deployment(Overlay.K8S_MINIKUBE), "/spec/template/spec/containers/0/ports/0/containerPort", 8080);
        assertThat(problems(Overlay.K8S_MINIKUBE, broken)).anySatisfy(p -> assertThat(p).contains("containerPort 8080"));
    }

    @Test
    void aGracePeriodShorterThanTheStop() {
        ObjectNode broken = Edit.set(deployment(Overlay.K8S_CLOUD), "/spec/template/spec/terminationGracePeriodSeconds", 8);
        assertThat(problems(Overlay.K8S_CLOUD, broken)).anySatisfy(p -> assertThat(p).contains("terminationGracePeriodSeconds 8"));
    }
}
