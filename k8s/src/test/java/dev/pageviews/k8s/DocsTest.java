package dev.pageviews.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The runbook and the k8s README give commands that match the manifests. */
class DocsTest {

    private static List<ObjectNode> everythingRendered() {
        return Arrays.stream(Overlay.values()).flatMap(o -> o.objects().stream()).toList();
    }

    @ParameterizedTest
    @ValueSource(strings = {"flink-operator/RUNBOOK.md", "k8s/README.md"})
    void commandsReferToRealFilesNamesAndFlags(String doc) {
        assertThat(DocCommands.check(Repo.read(doc), everythingRendered())).isEmpty();
    }

    @Test
    void theRunbookCoversEachOperation() {
        String runbook = Repo.read("flink-operator/RUNBOOK.md");

        assertThat(runbook).contains("helm install flink-kubernetes-operator", "--version 1.15.0",
                "watchNamespaces={pageviews}", "cert-manager", "savepointTriggerNonce", "initialSavepointPath",
                "savepointRedeployNonce", "upgradeMode: savepoint", "stateless", "kubernetes.operator.deployment.rollback.enabled",
                "spec.job.parallelism", "**not exact**");
        assertThat(runbook).as("a stateless start is said to be not exactly-once")
                .containsPattern("stateless upgrade, or delete and re-create .*\\*\\*not exact\\*\\*");
    }

    @Test
    void theRootReadmeLinksBothDocs() {
        String readme = Repo.read("README.md");
        String section = readme.substring(readme.indexOf("## Deploy to Kubernetes"));

        assertThat(section).contains("(flink-operator/RUNBOOK.md)", "(k8s/README.md)");
    }

    // --- teeth

    @Test
    void aWrongNameFileNamespaceOrFlagIsCaught() {
        String runbook = Repo.read("flink-operator/RUNBOOK.md");
        List<ObjectNode> rendered = everythingRendered();

        assertThat(DocCommands.check(runbook.replace("get flinkdeployment pageviews-job -w", "get flinkdeployment pageviews -w"), rendered))
                .anySatisfy(p -> assertThat(p).contains("flinkdeployment pageviews is not pageviews-job"));
        assertThat(DocCommands.check(runbook.replace("apply -k flink-operator/overlays/cloud", "apply -k flink-operator/overlays/prod"), rendered))
                .anySatisfy(p -> assertThat(p).contains("flink-operator/overlays/prod/kustomization.yaml does not exist"));
        assertThat(DocCommands.check(runbook.replace("kubectl -n pageviews logs", "kubectl -n flink logs"), rendered))
                .anySatisfy(p -> assertThat(p).contains("namespace flink is not"));
        assertThat(DocCommands.check(runbook.replace("svc/pageviews-job-rest", "svc/pageviews-rest"), rendered))
                .anySatisfy(p -> assertThat(p).contains("svc pageviews-rest does not exist"));
        assertThat(DocCommands.check(runbook.replace("`--starting-offsets=committed-or-earliest`", "`--starting-offsets=latest`"), rendered))
                .anySatisfy(p -> assertThat(p).contains("--starting-offsets=latest"));
        assertThat(DocCommands.check(runbook.replace("`kubernetes.operator.periodic.savepoint.interval: 1h`",
                "`kubernetes.operator.savepoint.periodic.interval: 1h`"), rendered))
                .anySatisfy(p -> assertThat(p).contains("kubernetes.operator.savepoint.periodic.interval"));
    }
}
