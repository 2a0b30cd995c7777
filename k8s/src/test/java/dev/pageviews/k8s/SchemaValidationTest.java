package dev.pageviews.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every object every overlay renders matches its schema: Kubernetes API models, the operator CRD, or Strimzi's structure. */
class SchemaValidationTest {

    static Stream<Arguments> renderedObjects() {
        return Arrays.stream(Overlay.values())
                .flatMap(overlay -> overlay.objects().stream()
                        .map(object -> Arguments.of(overlay, ManifestValidator.describe(object), object)));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("renderedObjects")
    void matchesItsSchema(Overlay overlay, String object, ObjectNode manifest) {
        assertThat(ManifestValidator.check(manifest)).as(overlay + " " + object).isEmpty();
    }

    @Test
    void theOnDemandSavepointMatchesTheSnapshotCrd() throws IOException {
        List<ObjectNode> objects = Kustomize.parse(Repo.read("flink-operator/savepoint.yaml"));

        assertThat(objects).singleElement().satisfies(snapshot -> {
            assertThat(ManifestValidator.check(snapshot)).isEmpty();
            assertThat(snapshot.at("/spec/jobReference/name").asText())
                    .isEqualTo(Overlay.FLINK_MINIKUBE.find("FlinkDeployment", "pageviews-job").at("/metadata/name").asText());
            assertThat(ManifestValidator.check(Edit.set(snapshot.deepCopy(), "/spec/savepoint/formatType", "PORTABLE")))
                    .anySatisfy(p -> assertThat(p).contains("formatType"));
        });
    }
}
