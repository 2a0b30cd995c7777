package dev.pageviews.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Strimzi resources, checked by structure only: the Strimzi CRDs are not available offline, so this knows
 * the fields these manifests use (kafka.strimzi.io/v1, as served by Strimzi 1.x) and their required ones,
 * and rejects unknown keys at the levels it knows. It is not a full schema validation.
 */
final class StrimziStructure {

    static final String API_VERSION = "kafka.strimzi.io/v1";

    private static final Set<String> KAFKA_SPEC = Set.of("kafka", "entityOperator", "clusterCa", "clientsCa",
            "cruiseControl", "kafkaExporter", "maintenanceTimeWindows");
    private static final Set<String> KAFKA_KAFKA = Set.of("version", "metadataVersion", "image", "listeners", "config",
            "authorization", "rack", "brokerRackInitImage", "livenessProbe", "readinessProbe", "jvmOptions",
            "jmxOptions", "metricsConfig", "logging", "template", "tieredStorage", "quotas");
    private static final Set<String> LISTENER = Set.of("name", "port", "type", "tls", "authentication",
            "configuration", "networkPolicyPeers");
    private static final Set<String> LISTENER_TYPES = Set.of("internal", "route", "tlsroute", "loadbalancer",
            "nodeport", "ingress", "cluster-ip");
    private static final Set<String> LISTENER_AUTHENTICATION = Set.of("type", "sasl", "listenerConfig");
    private static final Set<String> LISTENER_AUTHENTICATION_TYPES = Set.of("tls", "scram-sha-512", "custom");
    private static final Set<String> PEER = Set.of("podSelector", "namespaceSelector", "ipBlock");
    private static final Set<String> AUTHORIZATION = Set.of("type", "superUsers", "authorizerClass", "supportsAdminApi");
    private static final Set<String> ENTITY_OPERATOR = Set.of("topicOperator", "userOperator", "template");
    private static final Set<String> USER_OPERATOR = Set.of("watchedNamespace", "image", "reconciliationIntervalMs",
            "secretPrefix", "livenessProbe", "readinessProbe", "resources", "logging", "jvmOptions");
    private static final Set<String> USER_SPEC = Set.of("authentication", "authorization", "quotas", "template");
    private static final Set<String> USER_AUTHENTICATION = Set.of("type", "password", "validityDays", "renewalDays");
    private static final Set<String> USER_AUTHENTICATION_TYPES = Set.of("tls", "tls-external", "scram-sha-512");
    private static final Set<String> USER_AUTHORIZATION = Set.of("type", "acls");
    private static final Set<String> ACL = Set.of("type", "resource", "host", "operations");
    private static final Set<String> ACL_RESOURCE = Set.of("type", "name", "patternType");
    private static final Set<String> ACL_RESOURCE_TYPES = Set.of("topic", "group", "cluster", "transactionalId");
    private static final Set<String> ACL_OPERATIONS = Set.of("Read", "Write", "Create", "Delete", "Alter", "Describe",
            "ClusterAction", "AlterConfigs", "DescribeConfigs", "IdempotentWrite", "All");
    private static final Set<String> NODE_POOL_SPEC = Set.of("replicas", "storage", "roles", "resources",
            "jvmOptions", "template");
    private static final Set<String> STORAGE = Set.of("type", "volumes", "id", "size", "sizeLimit", "class",
            "deleteClaim", "kraftMetadata", "selector", "volumeAttributesClass");
    private static final Set<String> TOPIC_SPEC = Set.of("topicName", "partitions", "replicas", "config");

    private StrimziStructure() {
    }

    static boolean covers(JsonNode object) {
        return object.path("apiVersion").asText().startsWith("kafka.strimzi.io/");
    }

    static List<String> check(JsonNode object) {
        List<String> errors = new ArrayList<>();
        if (!object.path("apiVersion").asText().equals(API_VERSION)) {
            errors.add(".apiVersion: " + object.path("apiVersion").asText() + " is not served by Strimzi 1.x; use " + API_VERSION);
        }
        errors.addAll(BuiltInSchemas.checkMetadata(object.path("metadata")));
        JsonNode spec = object.path("spec");
        switch (object.path("kind").asText()) {
            case "Kafka" -> kafka(spec, errors);
            case "KafkaNodePool" -> {
                clusterLabel(object, errors);
                nodePool(spec, errors);
            }
            case "KafkaTopic" -> {
                clusterLabel(object, errors);
                topic(spec, errors);
            }
            case "KafkaUser" -> {
                clusterLabel(object, errors);
                user(spec, errors);
            }
            default -> errors.add(".kind: " + object.path("kind").asText() + " is not checked by StrimziStructure");
        }
        return errors;
    }

    private static void kafka(JsonNode spec, List<String> errors) {
        onlyKnown(spec, KAFKA_SPEC, ".spec", errors);
        JsonNode kafka = spec.path("kafka");
        onlyKnown(kafka, KAFKA_KAFKA, ".spec.kafka", errors);
        JsonNode listeners = kafka.path("listeners");
        if (!listeners.isArray() || listeners.isEmpty()) {
            errors.add(".spec.kafka.listeners: required, at least one listener");
        }
        for (int i = 0; i < listeners.size(); i++) {
            JsonNode listener = listeners.get(i);
            String path = ".spec.kafka.listeners[" + i + "]";
            onlyKnown(listener, LISTENER, path, errors);
            if (!listener.path("name").asText().matches("[a-z0-9]{1,11}")) {
                errors.add(path + ".name: required, 1-11 lower-case letters or digits");
            }
            if (!listener.path("port").isInt()) {
                errors.add(path + ".port: required integer");
            }
            if (!LISTENER_TYPES.contains(listener.path("type").asText())) {
                errors.add(path + ".type: one of " + LISTENER_TYPES);
            }
            if (!listener.path("tls").isBoolean()) {
                errors.add(path + ".tls: required boolean");
            }
            JsonNode authentication = listener.path("authentication");
            onlyKnown(authentication, LISTENER_AUTHENTICATION, path + ".authentication", errors);
            if (!authentication.isMissingNode() && !LISTENER_AUTHENTICATION_TYPES.contains(authentication.path("type").asText())) {
                errors.add(path + ".authentication.type: required, one of " + LISTENER_AUTHENTICATION_TYPES);
            }
            JsonNode peers = listener.path("networkPolicyPeers");
            if (!peers.isMissingNode() && !peers.isArray()) {
                errors.add(path + ".networkPolicyPeers: must be a list");
            }
            for (int p = 0; p < peers.size(); p++) {
                onlyKnown(peers.get(p), PEER, path + ".networkPolicyPeers[" + p + "]", errors);
            }
        }
        JsonNode authorization = kafka.path("authorization");
        onlyKnown(authorization, AUTHORIZATION, ".spec.kafka.authorization", errors);
        if (!authorization.isMissingNode() && !Set.of("simple", "custom").contains(authorization.path("type").asText())) {
            errors.add(".spec.kafka.authorization.type: required, simple or custom");
        }
        onlyKnown(spec.path("entityOperator"), ENTITY_OPERATOR, ".spec.entityOperator", errors);
        onlyKnown(spec.path("entityOperator").path("userOperator"), USER_OPERATOR, ".spec.entityOperator.userOperator", errors);
    }

    /** KafkaUser as Strimzi 1.2's CRD (044-Crd-kafkauser.yaml) has it: authorization.acls with operations, not operation. */
    private static void user(JsonNode spec, List<String> errors) {
        onlyKnown(spec, USER_SPEC, ".spec", errors);
        JsonNode authentication = spec.path("authentication");
        onlyKnown(authentication, USER_AUTHENTICATION, ".spec.authentication", errors);
        if (!authentication.isMissingNode() && !USER_AUTHENTICATION_TYPES.contains(authentication.path("type").asText())) {
            errors.add(".spec.authentication.type: required, one of " + USER_AUTHENTICATION_TYPES);
        }
        JsonNode authorization = spec.path("authorization");
        if (authorization.isMissingNode()) {
            return;
        }
        onlyKnown(authorization, USER_AUTHORIZATION, ".spec.authorization", errors);
        if (!authorization.path("type").asText().equals("simple")) {
            errors.add(".spec.authorization.type: required, simple");
        }
        JsonNode acls = authorization.path("acls");
        if (!acls.isArray()) {
            errors.add(".spec.authorization.acls: required list");
        }
        for (int i = 0; i < acls.size(); i++) {
            JsonNode acl = acls.get(i);
            String path = ".spec.authorization.acls[" + i + "]";
            onlyKnown(acl, ACL, path, errors);
            if (acl.has("type") && !Set.of("allow", "deny").contains(acl.path("type").asText())) {
                errors.add(path + ".type: allow or deny");
            }
            onlyKnown(acl.path("resource"), ACL_RESOURCE, path + ".resource", errors);
            if (!ACL_RESOURCE_TYPES.contains(acl.path("resource").path("type").asText())) {
                errors.add(path + ".resource.type: required, one of " + ACL_RESOURCE_TYPES);
            }
            if (acl.path("resource").has("patternType") && !Set.of("literal", "prefix").contains(acl.path("resource").path("patternType").asText())) {
                errors.add(path + ".resource.patternType: literal or prefix");
            }
            JsonNode operations = acl.path("operations");
            if (!operations.isArray() || operations.isEmpty()) {
                errors.add(path + ".operations: required, a list of " + ACL_OPERATIONS);
            }
            for (JsonNode operation : operations) {
                if (!ACL_OPERATIONS.contains(operation.asText())) {
                    errors.add(path + ".operations: " + operation + " is not one of " + ACL_OPERATIONS);
                }
            }
        }
    }

    private static void nodePool(JsonNode spec, List<String> errors) {
        onlyKnown(spec, NODE_POOL_SPEC, ".spec", errors);
        positiveInt(spec.path("replicas"), ".spec.replicas", errors);
        JsonNode roles = spec.path("roles");
        if (!roles.isArray() || roles.isEmpty()) {
            errors.add(".spec.roles: required, controller and/or broker");
        }
        for (JsonNode role : roles) {
            if (!Set.of("controller", "broker").contains(role.asText())) {
                errors.add(".spec.roles: " + role + " is not controller or broker");
            }
        }
        JsonNode storage = spec.path("storage");
        onlyKnown(storage, STORAGE, ".spec.storage", errors);
        if (!Set.of("jbod", "persistent-claim", "ephemeral").contains(storage.path("type").asText())) {
            errors.add(".spec.storage.type: required, jbod, persistent-claim or ephemeral");
        }
        for (int i = 0; i < storage.path("volumes").size(); i++) {
            JsonNode volume = storage.path("volumes").get(i);
            onlyKnown(volume, STORAGE, ".spec.storage.volumes[" + i + "]", errors);
            if (!Set.of("persistent-claim", "ephemeral").contains(volume.path("type").asText())) {
                errors.add(".spec.storage.volumes[" + i + "].type: persistent-claim or ephemeral");
            }
        }
    }

    private static void topic(JsonNode spec, List<String> errors) {
        onlyKnown(spec, TOPIC_SPEC, ".spec", errors);
        positiveInt(spec.path("partitions"), ".spec.partitions", errors);
        positiveInt(spec.path("replicas"), ".spec.replicas", errors);
        for (Iterator<JsonNode> values = spec.path("config").elements(); values.hasNext(); ) {
            if (!values.next().isValueNode()) {
                errors.add(".spec.config: values must be scalars");
            }
        }
    }

    private static void clusterLabel(JsonNode object, List<String> errors) {
        if (object.path("metadata").path("labels").path("strimzi.io/cluster").asText().isEmpty()) {
            errors.add(".metadata.labels.strimzi.io/cluster: required, names the Kafka cluster");
        }
    }

    private static void positiveInt(JsonNode value, String path, List<String> errors) {
        if (!value.isInt() || value.asInt() < 1) {
            errors.add(path + ": required integer >= 1, got " + value);
        }
    }

    private static void onlyKnown(JsonNode object, Set<String> known, String path, List<String> errors) {
        if (object.isMissingNode()) {
            return;
        }
        if (!object.isObject()) {
            errors.add(path + ": must be an object");
            return;
        }
        for (Iterator<String> keys = object.fieldNames(); keys.hasNext(); ) {
            String key = keys.next();
            if (!known.contains(key)) {
                errors.add(path + "." + key + ": unknown field");
            }
        }
    }
}
