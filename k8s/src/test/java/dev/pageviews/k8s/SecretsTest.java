package dev.pageviews.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Credentials come only from git-ignored .env files through secretGenerator, never from the manifests. */
class SecretsTest {

    private static final Pattern SECRET_NAME = Pattern.compile("(?i).*(PASSWORD|SECRET|TOKEN|ACCESS_KEY|KEY_ID|CREDENTIAL).*");

    private static List<Path> committedYaml() throws IOException {
        List<Path> files = new ArrayList<>();
        for (String tree : List.of("k8s", "flink-operator")) {
            try (Stream<Path> walk = Files.walk(Repo.path(tree))) {
                walk.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml"))
                        .filter(f -> !f.toString().contains("/target/") && !f.toString().contains("/src/"))
                        .forEach(files::add);
            }
        }
        return files;
    }

    @Test
    void noSecretIsWrittenIntoAManifest() throws IOException {
        assertThat(committedYaml()).isNotEmpty().allSatisfy(file ->
                assertThat(Repo.read(file)).as(file.toString()).doesNotContainPattern("(?m)^kind:\\s*Secret\\s*$"));
    }

    @Test
    void everyEnvFileIsGitIgnoredAndHasACommittedExample() throws IOException {
        Pattern envs = Pattern.compile("(?m)^\\s*-\\s*(\\S+\\.env)\\s*$");
        int seen = 0;
        for (Path kustomization : committedYaml().stream().filter(f -> f.getFileName().toString().equals("kustomization.yaml")).toList()) {
            Matcher m = envs.matcher(Repo.read(kustomization));
            while (m.find()) {
                seen++;
                assertThat(kustomization.resolveSibling(m.group(1) + ".example")).as("example for " + m.group(1)).isRegularFile();
                Path tree = Repo.path(Repo.root().relativize(kustomization).getName(0).toString());
                assertThat(Repo.read(tree.resolve(".gitignore"))).as(tree + "/.gitignore").contains("overlays/*/*.env");
            }
        }
        assertThat(seen).as("env files referenced by secretGenerator").isGreaterThanOrEqualTo(4);
    }

    @ParameterizedTest
    @EnumSource(Overlay.class)
    void secretValuesAppearOnlyInSecrets(Overlay overlay) {
        assertThat(leaks(overlay.objects())).isEmpty();
    }

    @Test
    void aPasswordPastedIntoTheArgsIsCaught() {
        List<ObjectNode> objects = Overlay.FLINK_CLOUD.objects();
        ObjectNode deployment = objects.stream().filter(o -> o.path("kind").asText().equals("FlinkDeployment")).findFirst().orElseThrow();
        String redis = objects.stream().filter(o -> o.path("data").has("PAGEVIEWS_REDIS")).findFirst().orElseThrow()
                .path("data").path("PAGEVIEWS_REDIS").asText();
        Edit.append(deployment, "/spec/job/args", "--redis=" + new String(Base64.getMimeDecoder().decode(redis), StandardCharsets.UTF_8));

        assertThat(leaks(objects)).anySatisfy(p -> assertThat(p).contains("FlinkDeployment/pageviews-job"));
    }

    @Test
    void aLiteralPasswordVariableIsCaught() {
        ObjectNode job = Overlay.K8S_MINIKUBE.find("Job", "minio-create-bucket");
        Edit.append(job, "/spec/template/spec/containers/0/env", java.util.Map.of("name", "MINIO_ROOT_PASSWORD", "value", "hunter2hunter2"));

        assertThat(leaks(List.of(job))).anySatisfy(p -> assertThat(p).contains("MINIO_ROOT_PASSWORD"));
    }

    /**
     * The Kafka passwords (the JAAS config of each client's KafkaUser) reach the edge and the job as files that Kafka's
     * config providers read, never as values in the job's args (the Flink UI shows them) or the edge's ConfigMap.
     */
    @ParameterizedTest
    @EnumSource(value = Overlay.class, names = {"K8S_MINIKUBE", "K8S_CLOUD"})
    void kafkaCredentialsAreReadFromFiles(Overlay platform) {
        KafkaSecurityTest.Client edge = KafkaSecurityTest.edge(platform.objects());
        KafkaSecurityTest.Client job = KafkaSecurityTest.job(platform.flink().objects());
        assertThat(KafkaAccess.literalSecrets(edge.name(), edge.properties())).isEmpty();
        assertThat(KafkaAccess.literalSecrets(job.name(), job.properties())).isEmpty();
        assertThat(edge.properties()).containsKey("sasl.jaas.config");
        assertThat(job.properties()).containsKey("sasl.jaas.config");
    }

    @Test
    void aKafkaPasswordPastedIntoTheArgsIsCaught() {
        List<ObjectNode> objects = Overlay.FLINK_CLOUD.objects();
        ObjectNode deployment = objects.stream().filter(o -> o.path("kind").asText().equals("FlinkDeployment")).findFirst().orElseThrow();
        List<String> args = FlinkJobConsistency.args(deployment).stream().map(a -> a.replace(
                "sasl.jaas.config=${dir:/etc/kafka-user:sasl.jaas.config}",
                "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"pageviews-job\" password=\"hunter2\";"))
                .toList();
        Edit.set(deployment, "/spec/job/args", args);
        KafkaSecurityTest.Client job = KafkaSecurityTest.job(objects);
        assertThat(KafkaAccess.literalSecrets(job.name(), job.properties()))
                .containsExactly("pageviews-job: Kafka property sasl.jaas.config has a literal value; read it with a config provider"
                        + " (${dir:...} from a mounted Secret, or ${env:...})");
    }

    /** Secret values found outside Secrets, and secret-looking variables set to literal values. */
    static List<String> leaks(List<ObjectNode> objects) {
        List<String> secrets = new ArrayList<>();
        objects.stream().filter(o -> o.path("kind").asText().equals("Secret"))
                .forEach(s -> s.path("data").forEach(v -> {
                    String value = new String(Base64.getMimeDecoder().decode(v.asText()), StandardCharsets.UTF_8);
                    if (value.length() >= 8) {
                        secrets.add(value);
                    }
                }));
        List<String> problems = new ArrayList<>();
        for (ObjectNode object : objects) {
            if (object.path("kind").asText().equals("Secret")) {
                continue;
            }
            String text = object.toString();
            for (String secret : secrets) {
                if (text.contains(secret)) {
                    problems.add(ManifestValidator.describe(object) + " contains a value of a Secret");
                }
            }
            literalSecretVariables(object, ManifestValidator.describe(object), problems);
        }
        return problems;
    }

    private static void literalSecretVariables(JsonNode node, String where, List<String> problems) {
        if (node.isObject() && node.has("name") && node.has("value") && SECRET_NAME.matcher(node.path("name").asText()).matches()) {
            problems.add(where + " sets " + node.path("name").asText() + " to a literal value; use a secretKeyRef");
        }
        node.forEach(child -> literalSecretVariables(child, where, problems));
    }
}
