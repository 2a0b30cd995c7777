package dev.pageviews.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonMetaSchema;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.NonValidationKeyword;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Custom resources of the Flink Kubernetes Operator, checked against the {@code openAPIV3Schema} of its
 * CRDs: types, enums and structure with a JSON-schema validator, plus {@link StrictFields} for unknown keys,
 * plus strict object metadata (which CRD schemas leave to the API server).
 */
final class CrdSchemas {

    /** One served version of one kind: "flink.apache.org/v1beta1/FlinkDeployment". */
    private record Served(JsonNode openApiSchema, JsonSchema spec) {
    }

    private static final List<String> KUBERNETES_EXTENSIONS = List.of("x-kubernetes-preserve-unknown-fields",
            "x-kubernetes-int-or-string", "x-kubernetes-embedded-resource", "x-kubernetes-list-type",
            "x-kubernetes-list-map-keys", "x-kubernetes-map-type", "x-kubernetes-validations");

    private static final Set<String> TOP_LEVEL = Set.of("apiVersion", "kind", "metadata", "spec");

    private final Map<String, Served> byType = new HashMap<>();

    CrdSchemas(Path crdDir) {
        // OpenAPI v3 schemas are close to draft 4; the x-kubernetes-* extensions carry no JSON-schema meaning
        // (StrictFields reads x-kubernetes-preserve-unknown-fields itself).
        JsonMetaSchema openApi = JsonMetaSchema.builder(JsonMetaSchema.getV4())
                .keywords(KUBERNETES_EXTENSIONS.stream().map(NonValidationKeyword::new).toList())
                .build();
        JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4, f -> f.metaSchema(openApi));
        try (Stream<Path> files = Files.list(crdDir)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yml") || f.toString().endsWith(".yaml")).toList()) {
                JsonNode crd = Kustomize.YAML.readTree(file.toFile());
                String group = crd.path("spec").path("group").asText();
                String kind = crd.path("spec").path("names").path("kind").asText();
                for (JsonNode version : crd.path("spec").path("versions")) {
                    if (!version.path("served").asBoolean(false)) {
                        continue;
                    }
                    JsonNode schema = version.path("schema").path("openAPIV3Schema");
                    byType.put(group + "/" + version.path("name").asText() + "/" + kind,
                            new Served(schema, factory.getSchema(schema.path("properties").path("spec"))));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (byType.isEmpty()) {
            throw new IllegalStateException("no CRDs found in " + crdDir);
        }
    }

    boolean covers(JsonNode object) {
        return byType.containsKey(type(object));
    }

    List<String> check(JsonNode object) {
        Served served = byType.get(type(object));
        if (served == null) {
            return List.of(type(object) + ": no CRD schema for this kind and version (known: " + byType.keySet() + ")");
        }
        List<String> errors = new ArrayList<>();
        for (Iterator<String> keys = object.fieldNames(); keys.hasNext(); ) {
            String key = keys.next();
            if (!TOP_LEVEL.contains(key)) {
                errors.add("." + key + ": not expected in a manifest (allowed: " + TOP_LEVEL + ")");
            }
        }
        if (!object.path("metadata").path("name").isTextual() && !object.path("metadata").path("generateName").isTextual()) {
            errors.add(".metadata.name: required (or generateName, for kubectl create)");
        }
        errors.addAll(BuiltInSchemas.checkMetadata(object.path("metadata")));
        JsonNode spec = object.path("spec");
        for (ValidationMessage message : served.spec().validate(spec)) {
            errors.add(message.getMessage().replaceFirst("^\\$", ".spec"));
        }
        StrictFields.check(spec, served.openApiSchema().path("properties").path("spec"), ".spec", errors);
        if (object.path("kind").asText().equals("FlinkDeployment")) {
            errors.addAll(FlinkConfigKeys.check(spec.path("flinkConfiguration")));
        }
        return errors;
    }

    private static String type(JsonNode object) {
        return object.path("apiVersion").asText() + "/" + object.path("kind").asText();
    }
}
