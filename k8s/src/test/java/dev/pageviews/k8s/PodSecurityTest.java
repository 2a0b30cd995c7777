package dev.pageviews.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every pod the manifests make passes the restricted Pod Security level, which the namespace enforces. */
class PodSecurityTest {

    static Stream<Arguments> podTemplates() {
        return Stream.of(Overlay.values()).flatMap(overlay -> PodSecurity.podTemplates(overlay.objects()).entrySet().stream()
                .map(e -> Arguments.of(overlay, e.getKey(), e.getValue())));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("podTemplates")
    void everyPodTemplateIsRestricted(Overlay overlay, String name, ObjectNode template) {
        assertThat(PodSecurity.restrictedViolations(template)).as(overlay + " " + name).isEmpty();
    }

    @Test
    void everyOverlayHasItsPodTemplates() {
        assertThat(PodSecurity.podTemplates(Overlay.K8S_MINIKUBE.objects())).containsOnlyKeys("Deployment/edge-ingest",
                "Deployment/read-service", "StatefulSet/redis", "StatefulSet/minio", "Job/minio-create-bucket");
        assertThat(PodSecurity.podTemplates(Overlay.K8S_CLOUD.objects())).containsOnlyKeys("Deployment/edge-ingest",
                "Deployment/read-service");
        for (Overlay flink : List.of(Overlay.FLINK_MINIKUBE, Overlay.FLINK_CLOUD)) {
            assertThat(PodSecurity.podTemplates(flink.objects())).containsOnlyKeys("FlinkDeployment/pageviews-job jobmanager",
                    "FlinkDeployment/pageviews-job taskmanager");
        }
    }

    @Test
    void theNamespaceEnforcesAuditsAndWarnsAtTheRestrictedLevel() {
        for (Overlay overlay : List.of(Overlay.K8S_MINIKUBE, Overlay.K8S_CLOUD)) {
            assertThat(namespaceProblems(overlay.find("Namespace", "pageviews"))).as(overlay.toString()).isEmpty();
        }
    }

    /** The user a pod runs as is the image's own user (the Dockerfile's USER), so files the image owns stay its own. */
    @Test
    void podsRunAsTheirImagesUser() {
        Map<String, String> images = Map.of(
                "Deployment/edge-ingest", Dockerfiles.EDGE,
                "Deployment/read-service", Dockerfiles.READ_SERVICE,
                "FlinkDeployment/pageviews-job jobmanager", Dockerfiles.FLINK_JOB,
                "FlinkDeployment/pageviews-job taskmanager", Dockerfiles.FLINK_JOB);
        for (Overlay overlay : Overlay.values()) {
            PodSecurity.podTemplates(overlay.objects()).forEach((name, template) -> {
                if (images.containsKey(name)) {
                    assertThat(userProblems(template, Repo.read(images.get(name)))).as(overlay + " " + name).isEmpty();
                }
            });
        }
    }

    static List<String> namespaceProblems(ObjectNode namespace) {
        var labels = namespace.at("/metadata/labels");
        return Stream.of("enforce", "audit", "warn")
                .filter(mode -> !labels.path("pod-security.kubernetes.io/" + mode).asText().equals("restricted"))
                .map(mode -> "label pod-security.kubernetes.io/" + mode + " is '" + labels.path("pod-security.kubernetes.io/" + mode).asText()
                        + "', expected restricted")
                .toList();
    }

    static List<String> userProblems(ObjectNode template, String dockerfile) {
        Matcher user = Pattern.compile("(?m)^USER (\\d+):(\\d+)\\s*$").matcher(dockerfile);
        if (!user.find()) {
            return List.of("the Dockerfile has no numeric USER uid:gid");
        }
        var context = template.at("/spec/securityContext");
        if (!context.path("runAsUser").asText().equals(user.group(1)) || !context.path("runAsGroup").asText().equals(user.group(2))) {
            return List.of("runAsUser/runAsGroup " + context.path("runAsUser").asText() + ":" + context.path("runAsGroup").asText()
                    + " differ from the image's USER " + user.group(1) + ":" + user.group(2));
        }
        return List.of();
    }

    // --- teeth: each control, broken in a copy of a real template, is refused

    private static ObjectNode edge() {
        return (ObjectNode) Overlay.K8S_MINIKUBE.find("Deployment", "edge-ingest").at("/spec/template");
    }

    private static ObjectNode jobManager() {
        return PodSecurity.podTemplates(Overlay.FLINK_MINIKUBE.objects()).get("FlinkDeployment/pageviews-job jobmanager");
    }

    @Test
    void aFlinkPodTemplateWithoutSecurityContext() {
        ObjectNode deployment = Overlay.FLINK_MINIKUBE.find("FlinkDeployment", "pageviews-job");
        Edit.remove(deployment, "/spec/podTemplate/spec/securityContext");
        Edit.remove(deployment, "/spec/podTemplate/spec/containers/0/securityContext");
        assertThat(PodSecurity.restrictedViolations(PodSecurity.flinkPod(deployment, "taskManager")))
                .anySatisfy(p -> assertThat(p).contains("runAsNonRoot"))
                .anySatisfy(p -> assertThat(p).contains("allowPrivilegeEscalation"))
                .anySatisfy(p -> assertThat(p).contains("seccompProfile"))
                .anySatisfy(p -> assertThat(p).contains("drop must contain ALL"));
    }

    @Test
    void aRoleTemplateThatRunsAsRoot() {
        ObjectNode deployment = Overlay.FLINK_MINIKUBE.find("FlinkDeployment", "pageviews-job");
        Edit.set(deployment, "/spec/jobManager/podTemplate/spec", Map.of("securityContext", Map.of("runAsUser", 0, "runAsNonRoot", false)));
        assertThat(PodSecurity.restrictedViolations(PodSecurity.flinkPod(deployment, "jobManager")))
                .anySatisfy(p -> assertThat(p).contains("runAsUser is 0"))
                .anySatisfy(p -> assertThat(p).contains("runAsNonRoot"));
        assertThat(PodSecurity.restrictedViolations(PodSecurity.flinkPod(deployment, "taskManager"))).isEmpty();
    }

    @Test
    void eachControlBroken() {
        assertThat(PodSecurity.restrictedViolations(Edit.set(edge(), "/spec/containers/0/securityContext/allowPrivilegeEscalation", true)))
                .anySatisfy(p -> assertThat(p).contains("allowPrivilegeEscalation"));
        assertThat(PodSecurity.restrictedViolations(Edit.remove(edge(), "/spec/securityContext/seccompProfile")))
                .anySatisfy(p -> assertThat(p).contains("seccompProfile"));
        assertThat(PodSecurity.restrictedViolations(Edit.set(edge(), "/spec/securityContext/seccompProfile/type", "Unconfined")))
                .anySatisfy(p -> assertThat(p).contains("Unconfined"));
        assertThat(PodSecurity.restrictedViolations(Edit.remove(edge(), "/spec/securityContext/runAsNonRoot")))
                .anySatisfy(p -> assertThat(p).contains("runAsNonRoot"));
        assertThat(PodSecurity.restrictedViolations(Edit.set(edge(), "/spec/containers/0/securityContext/capabilities/drop/0", "NET_RAW")))
                .anySatisfy(p -> assertThat(p).contains("drop must contain ALL"));
        assertThat(PodSecurity.restrictedViolations(Edit.set(edge(), "/spec/containers/0/securityContext/capabilities/add", List.of("SYS_ADMIN"))))
                .anySatisfy(p -> assertThat(p).contains("SYS_ADMIN"));
        assertThat(PodSecurity.restrictedViolations(Edit.set(edge(), "/spec/containers/0/securityContext/privileged", true)))
                .anySatisfy(p -> assertThat(p).contains("privileged"));
        assertThat(PodSecurity.restrictedViolations(Edit.set(edge(), "/spec/hostNetwork", true)))
                .anySatisfy(p -> assertThat(p).contains("hostNetwork"));
        assertThat(PodSecurity.restrictedViolations(Edit.set(edge(), "/spec/volumes/0", Map.of("name", "tmp", "hostPath", Map.of("path", "/tmp")))))
                .anySatisfy(p -> assertThat(p).contains("hostPath"));
        assertThat(PodSecurity.restrictedViolations(Edit.set(edge(), "/spec/containers/0/ports/0/hostPort", 80)))
                .anySatisfy(p -> assertThat(p).contains("hostPort"));
        assertThat(PodSecurity.restrictedViolations(Edit.append(edge(), "/spec/containers",
                Map.of("name", "sidecar", "image", "busybox")))).anySatisfy(p -> assertThat(p).startsWith("container sidecar"));
    }

    @Test
    void aNamespaceWithoutTheLabels() {
        ObjectNode namespace = Overlay.K8S_MINIKUBE.find("Namespace", "pageviews");
        assertThat(namespaceProblems(Edit.remove(namespace, "/metadata/labels/pod-security.kubernetes.io~1enforce")))
                .anySatisfy(p -> assertThat(p).contains("pod-security.kubernetes.io/enforce"));
        assertThat(namespaceProblems(Edit.set(namespace, "/metadata/labels/pod-security.kubernetes.io~1warn", "baseline")))
                .anySatisfy(p -> assertThat(p).contains("pod-security.kubernetes.io/warn is 'baseline'"));
    }

    @Test
    void aUserThatIsNotTheImages() {
        assertThat(userProblems(Edit.set(jobManager(), "/spec/securityContext/runAsUser", 1000), Repo.read(Dockerfiles.FLINK_JOB)))
                .anySatisfy(p -> assertThat(p).contains("9999"));
        assertThat(userProblems(edge(), Repo.read(Dockerfiles.EDGE).replace("USER 10001:10001", "USER edge")))
                .anySatisfy(p -> assertThat(p).contains("no numeric USER"));
    }
}
