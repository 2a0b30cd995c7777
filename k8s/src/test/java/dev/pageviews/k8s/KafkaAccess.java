package dev.pageviews.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclPermissionType;

/**
 * How the Strimzi Kafka is secured and how each client reaches it: the listeners take TLS and an authenticated user
 * only, the cluster authorizes, the User Operator runs, each client is a KafkaUser of its own with exactly the ACLs
 * the secured broker of local-stack grants it, and each client's Kafka properties (as its own parser reads them) use
 * SASL_SSL with SCRAM-SHA-512, its own user's Secret through a mounted file and the cluster CA as its truststore.
 */
final class KafkaAccess {

    static final String DIRECTORY_PROVIDER = "org.apache.kafka.common.config.provider.DirectoryConfigProvider";

    /** ${dir:/path:key}: Kafka's DirectoryConfigProvider reads the file /path/key. */
    private static final Pattern DIR_REFERENCE = Pattern.compile("\\$\\{dir:([^:}]+):([^}]+)}");

    private KafkaAccess() {
    }

    /** A listener clients could use without TLS or without authenticating, authorization off, no User Operator. */
    static List<String> clusterProblems(ObjectNode kafka) {
        List<String> problems = new ArrayList<>();
        for (JsonNode listener : kafka.at("/spec/kafka/listeners")) {
            String name = "listener " + listener.path("name").asText() + " (" + listener.path("port").asText() + ")";
            if (!listener.path("tls").asBoolean(false)) {
                problems.add(name + " has no TLS: credentials and views would cross the network in clear");
            }
            String authentication = listener.at("/authentication/type").asText();
            if (!Set.of("scram-sha-512", "tls").contains(authentication)) {
                problems.add(name + " does not authenticate its clients (authentication.type '" + authentication
                        + "'): any pod that reaches it is anonymous, and with ACLs on it can do what User:ANONYMOUS may");
            }
            if (listener.path("networkPolicyPeers").isEmpty()) {
                problems.add(name + " names no networkPolicyPeers: Strimzi's NetworkPolicy then opens it to every pod");
            }
        }
        if (!kafka.at("/spec/kafka/authorization/type").asText().equals("simple")) {
            problems.add("spec.kafka.authorization.type is not simple: without an authorizer every user may do anything");
        }
        if (!kafka.at("/spec/kafka/authorization/superUsers").isMissingNode()) {
            problems.add("spec.kafka.authorization.superUsers: no client needs to bypass the ACLs (Strimzi's own components are super users already)");
        }
        if (!kafka.at("/spec/entityOperator/userOperator").isObject()) {
            problems.add("spec.entityOperator.userOperator is missing: no KafkaUser would get credentials or ACLs");
        }
        return problems;
    }

    /** A KafkaUser's ACLs, one entry per operation: "allow topic:views(literal) Write from *". */
    static Set<String> acls(ObjectNode user) {
        Set<String> acls = new TreeSet<>();
        for (JsonNode acl : user.at("/spec/authorization/acls")) {
            JsonNode resource = acl.path("resource");
            for (JsonNode operation : acl.path("operations")) {
                acls.add(acl.path("type").asText("allow") + " " + resource.path("type").asText() + ":" + resource.path("name").asText()
                        + "(" + resource.path("patternType").asText("literal") + ") " + operation.asText() + " from " + acl.path("host").asText("*"));
            }
        }
        return acls;
    }

    /** Kafka's ACL bindings of {@code principal} in the same form (TOPIC -> topic, WRITE -> Write). */
    static Set<String> acls(Collection<AclBinding> bindings, String principal) {
        Set<String> acls = new TreeSet<>();
        for (AclBinding binding : bindings) {
            if (!binding.entry().principal().equals("User:" + principal)) {
                throw new IllegalArgumentException(binding + " is not for User:" + principal);
            }
            String type = binding.pattern().resourceType().name().toLowerCase(Locale.ROOT).replace("transactional_id", "transactionalId");
            acls.add((binding.entry().permissionType() == AclPermissionType.ALLOW ? "allow" : "deny") + " " + type + ":"
                    + binding.pattern().name() + "(" + binding.pattern().patternType().name().toLowerCase(Locale.ROOT) + ") "
                    + camel(binding.entry().operation().name()) + " from " + binding.entry().host());
        }
        return acls;
    }

    private static String camel(String constant) {
        StringBuilder out = new StringBuilder();
        for (String word : constant.split("_")) {
            out.append(word.charAt(0)).append(word.substring(1).toLowerCase(Locale.ROOT));
        }
        return out.toString();
    }

    /**
     * The problems of one client: its bootstrap is the Kafka's authenticated TLS listener, and its Kafka properties
     * use SASL_SSL with SCRAM-SHA-512, read the JAAS config from a mounted Secret of its own KafkaUser and trust the
     * cluster CA from Strimzi's Secret.
     *
     * @param pod the pod spec the client runs in (its volumes)
     * @param container the client's container (its volumeMounts)
     */
    static List<String> clientProblems(String client, String bootstrap, Map<String, String> properties, ObjectNode kafka,
            String user, JsonNode pod, JsonNode container) {
        List<String> problems = new ArrayList<>();
        String kafkaName = kafka.at("/metadata/name").asText();
        Set<String> listenerBootstraps = new TreeSet<>();
        for (JsonNode listener : kafka.at("/spec/kafka/listeners")) {
            if (listener.path("tls").asBoolean(false) && listener.at("/authentication/type").asText().equals("scram-sha-512")) {
                listenerBootstraps.add(kafkaName + "-kafka-bootstrap:" + listener.path("port").asText());
            }
        }
        if (!listenerBootstraps.contains(bootstrap)) {
            problems.add(client + ": bootstrap " + bootstrap + " is not Kafka's TLS + SCRAM listener " + listenerBootstraps);
        }
        expect(properties, "security.protocol", "SASL_SSL", client, problems);
        expect(properties, "sasl.mechanism", "SCRAM-SHA-512", client, problems);

        String jaas = properties.getOrDefault("sasl.jaas.config", "");
        Matcher reference = DIR_REFERENCE.matcher(jaas);
        if (!reference.matches()) {
            problems.add(client + ": sasl.jaas.config is '" + mask(jaas) + "', expected ${dir:/mounted/secret:sasl.jaas.config}"
                    + " (the password from a file, never in the properties)");
        } else {
            if (!properties.getOrDefault("config.providers", "").matches("(.*,)?dir(,.*)?")
                    || !DIRECTORY_PROVIDER.equals(properties.get("config.providers.dir.class"))) {
                problems.add(client + ": sasl.jaas.config refers to the dir provider, but config.providers does not define dir as " + DIRECTORY_PROVIDER);
            }
            String secret = mountedSecret(pod, container, reference.group(1), reference.group(2));
            if (!(user + "/sasl.jaas.config").equals(secret)) {
                problems.add(client + ": sasl.jaas.config comes from " + reference.group(1) + "/" + reference.group(2) + ", which is "
                        + (secret == null ? "no mounted Secret" : "Secret key " + secret) + ", not key sasl.jaas.config of the Secret"
                        + " of its KafkaUser " + user);
            }
        }

        expect(properties, "ssl.truststore.type", "PEM", client, problems);
        String location = properties.getOrDefault("ssl.truststore.location", "");
        int slash = location.lastIndexOf('/');
        String truststore = slash < 1 ? null : mountedSecret(pod, container, location.substring(0, slash), location.substring(slash + 1));
        String caSecret = kafkaName + "-cluster-ca-cert";
        if (!(caSecret + "/ca.crt").equals(truststore)) {
            problems.add(client + ": ssl.truststore.location '" + location + "' is not key ca.crt of the mounted Secret " + caSecret
                    + " (the cluster CA that signs the brokers' certificates)");
        }
        return problems;
    }

    /** Which Secret key the file {@code dir/file} of {@code container} is, as "secret/key"; null when it is none. */
    static String mountedSecret(JsonNode pod, JsonNode container, String dir, String file) {
        for (JsonNode mount : container.path("volumeMounts")) {
            if (!mount.path("mountPath").asText().replaceFirst("/$", "").equals(dir) || mount.has("subPath")) {
                continue;
            }
            for (JsonNode volume : pod.path("volumes")) {
                if (!volume.path("name").asText().equals(mount.path("name").asText()) || !volume.has("secret")) {
                    continue;
                }
                JsonNode secret = volume.path("secret");
                if (!secret.has("items")) {
                    return secret.path("secretName").asText() + "/" + file;
                }
                for (JsonNode item : secret.path("items")) {
                    if (item.path("path").asText().equals(file)) {
                        return secret.path("secretName").asText() + "/" + item.path("key").asText();
                    }
                }
            }
        }
        return null;
    }

    /** Values of secret-bearing Kafka properties that are written out instead of read through a config provider. */
    static List<String> literalSecrets(String client, Map<String, String> properties) {
        List<String> problems = new ArrayList<>();
        properties.forEach((key, value) -> {
            boolean secret = key.equals("sasl.jaas.config") || key.endsWith(".password") || key.endsWith(".key")
                    || key.endsWith("client.secret");
            if (secret && !value.isEmpty() && !value.matches("\\$\\{[a-z]+:[^}]+}")) {
                problems.add(client + ": Kafka property " + key + " has a literal value; read it with a config provider"
                        + " (${dir:...} from a mounted Secret, or ${env:...})");
            }
        });
        return problems;
    }

    private static void expect(Map<String, String> properties, String key, String expected, String client, List<String> problems) {
        if (!expected.equals(properties.get(key))) {
            problems.add(client + ": " + key + " is '" + properties.get(key) + "', expected '" + expected + "'");
        }
    }

    private static String mask(String value) {
        return value.length() > 20 ? value.substring(0, 20) + "..." : value;
    }
}
