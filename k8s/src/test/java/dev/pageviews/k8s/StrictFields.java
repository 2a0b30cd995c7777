package dev.pageviews.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Unknown-field check for custom resources. JSON Schema accepts undeclared properties unless
 * {@code additionalProperties: false}, and CRD schemas never say that: the API server silently prunes
 * (or, with strict field validation, rejects) them. This walks the object with the schema and reports
 * every key the schema does not declare, except below {@code x-kubernetes-preserve-unknown-fields}.
 */
final class StrictFields {

    private StrictFields() {
    }

    static void check(JsonNode value, JsonNode schema, String path, List<String> errors) {
        if (schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)) {
            return;
        }
        if (value.isObject()) {
            JsonNode properties = schema.path("properties");
            JsonNode additional = schema.path("additionalProperties");
            for (Iterator<Map.Entry<String, JsonNode>> fields = value.fields(); fields.hasNext(); ) {
                Map.Entry<String, JsonNode> field = fields.next();
                String fieldPath = path + "." + field.getKey();
                if (properties.has(field.getKey())) {
                    check(field.getValue(), properties.get(field.getKey()), fieldPath, errors);
                } else if (additional.isObject()) {
                    check(field.getValue(), additional, fieldPath, errors);
                } else if (!additional.asBoolean(false)) {
                    errors.add(fieldPath + ": unknown field (not declared by the CRD schema)");
                }
            }
        } else if (value.isArray() && schema.has("items")) {
            for (int i = 0; i < value.size(); i++) {
                check(value.get(i), schema.get("items"), path + "[" + i + "]", errors);
            }
        }
    }
}
