package dev.pageviews.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** One entry point: every rendered object goes to the schema check for its API group. */
final class ManifestValidator {

    private static CrdSchemas operatorCrds;

    private ManifestValidator() {
    }

    static synchronized CrdSchemas operatorCrds() {
        if (operatorCrds == null) {
            operatorCrds = new CrdSchemas(Repo.operatorSchemas());
        }
        return operatorCrds;
    }

    /** The problems found in one object; empty when it is valid. */
    static List<String> check(JsonNode object) {
        if (StrimziStructure.covers(object)) {
            return StrimziStructure.check(object);
        }
        if (object.path("apiVersion").asText().startsWith("flink.apache.org/")) {
            return operatorCrds().check(object);
        }
        if (BuiltInSchemas.isBuiltIn(object)) {
            return BuiltInSchemas.check(object);
        }
        return List.of(object.path("apiVersion").asText() + "/" + object.path("kind").asText()
                + ": no schema or structural check for this API group; add one to ManifestValidator");
    }

    static String describe(JsonNode object) {
        return object.path("kind").asText() + "/" + object.path("metadata").path("name").asText();
    }
}
