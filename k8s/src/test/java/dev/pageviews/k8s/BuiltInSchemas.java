package dev.pageviews.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import io.kubernetes.client.custom.Quantity;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1Job;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1NetworkPolicy;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1PodDisruptionBudget;
import io.kubernetes.client.openapi.models.V1Secret;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServiceAccount;
import io.kubernetes.client.openapi.models.V1StatefulSet;
import io.kubernetes.client.openapi.models.V2HorizontalPodAutoscaler;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Built-in kinds, checked against the models that kubernetes-client/java generates from the Kubernetes
 * OpenAPI spec. Reading a model rejects unknown fields and missing required fields; writing it back and
 * comparing catches wrong types the reader coerces (e.g. {@code replicas: "2"} or {@code "true"} for a boolean).
 */
final class BuiltInSchemas {

    private static final Map<String, Class<?>> MODELS = Map.ofEntries(
            Map.entry("v1/Namespace", V1Namespace.class),
            Map.entry("v1/ConfigMap", V1ConfigMap.class),
            Map.entry("v1/Secret", V1Secret.class),
            Map.entry("v1/Service", V1Service.class),
            Map.entry("v1/ServiceAccount", V1ServiceAccount.class),
            Map.entry("apps/v1/Deployment", V1Deployment.class),
            Map.entry("apps/v1/StatefulSet", V1StatefulSet.class),
            Map.entry("batch/v1/Job", V1Job.class),
            Map.entry("autoscaling/v2/HorizontalPodAutoscaler", V2HorizontalPodAutoscaler.class),
            Map.entry("policy/v1/PodDisruptionBudget", V1PodDisruptionBudget.class),
            Map.entry("networking.k8s.io/v1/NetworkPolicy", V1NetworkPolicy.class));

    private BuiltInSchemas() {
    }

    static boolean isBuiltIn(JsonNode object) {
        String apiVersion = object.path("apiVersion").asText();
        return !apiVersion.contains(".") || apiVersion.contains(".k8s.io/");
    }

    static List<String> check(JsonNode object) {
        String type = object.path("apiVersion").asText() + "/" + object.path("kind").asText();
        Class<?> model = MODELS.get(type);
        if (model == null) {
            return List.of(type + ": no schema known for this kind; add its model to BuiltInSchemas");
        }
        return strictRoundTrip(JsonParser.parseString(object.toString()), model);
    }

    /** Object metadata alone (for custom resources, whose CRD schemas leave metadata to the API server). */
    static List<String> checkMetadata(JsonNode metadata) {
        return strictRoundTrip(JsonParser.parseString(metadata.toString()), V1ObjectMeta.class);
    }

    private static List<String> strictRoundTrip(JsonElement input, Class<?> model) {
        Object parsed;
        try {
            parsed = JSON.getGson().fromJson(input, model);
        } catch (RuntimeException e) {
            return List.of(model.getSimpleName() + ": " + e.getMessage());
        }
        List<String> errors = new ArrayList<>();
        compare("", input, JSON.getGson().toJsonTree(parsed), errors);
        return errors;
    }

    private static void compare(String path, JsonElement input, JsonElement written, List<String> errors) {
        if (input.isJsonObject() && written.isJsonObject()) {
            JsonObject in = input.getAsJsonObject();
            JsonObject out = written.getAsJsonObject();
            for (String key : in.keySet()) {
                if (!out.has(key) && !in.get(key).isJsonNull()) {
                    errors.add(path + "." + key + ": not kept by the Kubernetes model (unknown or mistyped field)");
                } else if (out.has(key)) {
                    compare(path + "." + key, in.get(key), out.get(key), errors);
                }
            }
        } else if (input.isJsonArray() && written.isJsonArray()) {
            var in = input.getAsJsonArray();
            var out = written.getAsJsonArray();
            for (int i = 0; i < Math.min(in.size(), out.size()); i++) {
                compare(path + "[" + i + "]", in.get(i), out.get(i), errors);
            }
            if (in.size() != out.size()) {
                errors.add(path + ": list changed size when read by the Kubernetes model");
            }
        } else if (!input.equals(written) && !sameQuantity(input, written) && !sameBase64(input, written)) {
            errors.add(path + ": " + input + " is not a valid value here (the API reads it as " + written + ")");
        }
    }

    /** kustomize wraps long Secret data over lines; the API server's base64 decoder skips line breaks. */
    private static boolean sameBase64(JsonElement input, JsonElement written) {
        return input instanceof JsonPrimitive in && in.isString() && written instanceof JsonPrimitive out && out.isString()
                && in.getAsString().replaceAll("[\\r\\n]", "").equals(out.getAsString());
    }

    /** Quantities are written in canonical form ("0.5" becomes "500m"): equal amounts are the same value. */
    private static boolean sameQuantity(JsonElement input, JsonElement written) {
        if (!(input instanceof JsonPrimitive in) || !(written instanceof JsonPrimitive out) || !out.isString()) {
            return false;
        }
        try {
            return new Quantity(in.getAsString()).getNumber().compareTo(new Quantity(out.getAsString()).getNumber()) == 0;
        } catch (RuntimeException notAQuantity) {
            return false;
        }
    }
}
