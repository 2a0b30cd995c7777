package dev.pageviews.stack;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * A {@link KafkaBroker} that clients reach only over SASL_SSL with SCRAM-SHA-512, as a managed or Strimzi Kafka
 * is: TLS with a private CA ({@link TestCertificates}), SCRAM users written into the cluster metadata when the
 * storage is formatted, and the StandardAuthorizer, which denies whatever no ACL allows. The broker itself and the
 * test's admin client are the super user {@link #ADMIN}; every other user may do only what {@link #acls} grants.
 *
 * @param certificates the broker's certificate (server keystore) and the CA clients trust it by (truststore)
 * @param passwords    SCRAM-SHA-512 users and their passwords, the super user {@link #ADMIN} among them
 */
public record KafkaSecurity(TestCertificates certificates, Map<String, String> passwords) {

    /** The super user: the broker's own inter-broker connections and the admin client of {@link KafkaBroker#admin()}. */
    public static final String ADMIN = "admin";

    public static final String MECHANISM = "SCRAM-SHA-512";

    /** A broker with the super user and these users (each with a random password). */
    public static KafkaSecurity withUsers(TestCertificates certificates, String... users) {
        Map<String, String> passwords = new LinkedHashMap<>();
        passwords.put(ADMIN, UUID.randomUUID().toString());
        for (String user : users) {
            passwords.put(user, UUID.randomUUID().toString());
        }
        return new KafkaSecurity(certificates, Map.copyOf(passwords));
    }

    /** The users, without their passwords. */
    @Override
    public String toString() {
        return "KafkaSecurity[SASL_SSL " + MECHANISM + ", users " + passwords.keySet() + "]";
    }

    public String password(String user) {
        String password = passwords.get(user);
        if (password == null) {
            throw new IllegalArgumentException("no Kafka user " + user + "; there are " + passwords.keySet());
        }
        return password;
    }

    /** What a Java client sets to connect as {@code user} with {@code password} (right or wrong). */
    public Map<String, String> clientProperties(String user, String password) {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("security.protocol", "SASL_SSL");
        props.put("sasl.mechanism", MECHANISM);
        props.put("sasl.jaas.config", jaas(user, password));
        props.put("ssl.truststore.type", "PKCS12");
        props.put("ssl.truststore.location", certificates.truststore().toString());
        props.put("ssl.truststore.password", certificates.password());
        return props;
    }

    /** What a Java client sets to connect as {@code user}. */
    public Map<String, String> clientProperties(String user) {
        return clientProperties(user, password(user));
    }

    static String jaas(String user, String password) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user
                + "\" password=\"" + password + "\";";
    }

    /** The broker's settings for the SASL_SSL listener on {@code port}; the controller listener stays loopback. */
    Map<String, String> serverProperties(int port, int controllerPort) {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("listeners", "SASL_SSL://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        props.put("advertised.listeners", "SASL_SSL://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        props.put("listener.security.protocol.map", "SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT");
        props.put("inter.broker.listener.name", "SASL_SSL");
        props.put("sasl.enabled.mechanisms", MECHANISM);
        props.put("sasl.mechanism.inter.broker.protocol", MECHANISM);
        props.put("listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config", jaas(ADMIN, password(ADMIN)));
        props.put("ssl.keystore.type", "PKCS12");
        props.put("ssl.keystore.location", certificates.serverKeystore().toString());
        props.put("ssl.keystore.password", certificates.password());
        props.put("ssl.key.password", certificates.password());
        props.put("ssl.truststore.type", "PKCS12");
        props.put("ssl.truststore.location", certificates.truststore().toString());
        props.put("ssl.truststore.password", certificates.password());
        props.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        // ANONYMOUS: the broker's own requests to its controller, over the PLAINTEXT controller listener bound to
        // loopback; every client listener authenticates, so no client is ANONYMOUS
        props.put("super.users", "User:" + ADMIN + ";User:ANONYMOUS");
        props.put("allow.everyone.if.no.acl.found", "false");
        return props;
    }

    /** {@code kafka-storage format} arguments that write the SCRAM users into the cluster metadata. */
    List<String> formatArguments() {
        return passwords.entrySet().stream()
                .flatMap(user -> java.util.stream.Stream.of("--add-scram",
                        MECHANISM + "=[name=" + user.getKey() + ",password=" + user.getValue() + "]"))
                .toList();
    }

    /** Allows {@code user} {@code operation} on the resource of {@code type} named {@code name} (literal). */
    public static AclBinding allow(String user, AclOperation operation, ResourceType type, String name) {
        return new AclBinding(new ResourcePattern(type, name, PatternType.LITERAL),
                new AccessControlEntry("User:" + user, "*", operation, AclPermissionType.ALLOW));
    }

    /**
     * What the edge needs: WRITE on its topic (which implies DESCRIBE, for metadata and the health check, and, since
     * Kafka 3.2, idempotent writes: no cluster-wide IDEMPOTENT_WRITE).
     */
    public static List<AclBinding> edgeAcls(String user, String topic) {
        return List.of(allow(user, AclOperation.WRITE, ResourceType.TOPIC, topic));
    }

    /**
     * What the job needs: READ on its topic and consumer group (offsets committed on checkpoints and read at start;
     * READ implies DESCRIBE, which the split enumerator and the offsets check ask for), and WRITE on the dead-letter
     * topic (an at-least-once producer: no transactional ids).
     */
    public static List<AclBinding> jobAcls(String user, String topic, String group, String deadLetterTopic) {
        return List.of(allow(user, AclOperation.READ, ResourceType.TOPIC, topic),
                allow(user, AclOperation.READ, ResourceType.GROUP, group),
                allow(user, AclOperation.WRITE, ResourceType.TOPIC, deadLetterTopic));
    }
}
