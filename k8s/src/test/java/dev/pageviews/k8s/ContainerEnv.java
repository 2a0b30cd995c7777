package dev.pageviews.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The environment a container starts with, as the kubelet builds it: envFrom (ConfigMaps and Secrets, decoded), then
 * env in order, where a value's {@code $(NAME)} is replaced by a variable defined before it ({@code $$} is a literal
 * {@code $}, an unknown name stays as written) and secretKeyRef / configMapKeyRef read one key.
 */
final class ContainerEnv {

    private static final Pattern REFERENCE = Pattern.compile("\\$\\$|\\$\\(([-._a-zA-Z][-._a-zA-Z0-9]*)\\)");

    private ContainerEnv() {
    }

    static Map<String, String> of(JsonNode container, List<ObjectNode> objects, Consumer<String> problems) {
        Map<String, String> env = new LinkedHashMap<>();
        for (JsonNode source : container.path("envFrom")) {
            if (source.has("secretRef")) {
                env.putAll(data(objects, "Secret", source.at("/secretRef/name").asText(), problems));
            } else {
                env.putAll(data(objects, "ConfigMap", source.at("/configMapRef/name").asText(), problems));
            }
        }
        for (JsonNode variable : container.path("env")) {
            String name = variable.path("name").asText();
            JsonNode from = variable.path("valueFrom");
            if (from.has("secretKeyRef")) {
                env.put(name, key(objects, "Secret", from.path("secretKeyRef"), problems));
            } else if (from.has("configMapKeyRef")) {
                env.put(name, key(objects, "ConfigMap", from.path("configMapKeyRef"), problems));
            } else {
                env.put(name, expand(variable.path("value").asText(), env));
            }
        }
        return env;
    }

    static String expand(String value, Map<String, String> defined) {
        Matcher m = REFERENCE.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String replacement = m.group(1) == null ? "$" : defined.getOrDefault(m.group(1), m.group());
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        return m.appendTail(out).toString();
    }

    private static String key(List<ObjectNode> objects, String kind, JsonNode ref, Consumer<String> problems) {
        Map<String, String> data = data(objects, kind, ref.path("name").asText(), problems);
        String value = data.get(ref.path("key").asText());
        if (value == null) {
            problems.accept(kind + " " + ref.path("name").asText() + " has no key " + ref.path("key").asText());
            return "";
        }
        return value;
    }

    static Map<String, String> data(List<ObjectNode> objects, String kind, String name, Consumer<String> problems) {
        Map<String, String> data = new LinkedHashMap<>();
        objects.stream()
                .filter(o -> o.path("kind").asText().equals(kind) && o.at("/metadata/name").asText().equals(name))
                .findFirst()
                .ifPresentOrElse(o -> o.path("data").fields().forEachRemaining(e -> data.put(e.getKey(), kind.equals("Secret")
                                ? new String(Base64.getMimeDecoder().decode(e.getValue().asText()), StandardCharsets.UTF_8)
                                : e.getValue().asText())),
                        () -> problems.accept("the pod refers to " + kind + " " + name + ", which this overlay does not generate"));
        return data;
    }
}
