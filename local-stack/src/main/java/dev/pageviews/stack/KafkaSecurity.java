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
 * A {@link KafkaBroker} that clients reach only over TLS with a private CA ({@link TestCertificates}) and as a known
 * user, as a managed or Strimzi Kafka is, on either of two listeners: SASL_SSL with SCRAM-SHA-512 (users written into
 * the cluster metadata when the storage is formatted) and mutual TLS (the user is the client certificate's common
 * name: {@link #PRINCIPAL_MAPPING}). The StandardAuthorizer denies whatever no ACL allows, on both listeners alike:
 * a SCRAM user and a certificate of the same name are the same principal. The broker itself and the test's admin
 * client are the super user {@link #ADMIN}; every other user may do only what its ACLs ({@link #edgeAcls},
 * {@link #jobAcls}) grant.
 *
 * @param certificates the broker's certificate (server keystore) and the CA clients trust it by (truststore)
 * @param passwords    SCRAM-SHA-512 users and their passwords, the super user {@link #ADMIN} among them
 */
public record KafkaSecurity(TestCertificates certificates, Map<String, String> passwords) {

    /** The super user: the broker's own inter-broker connections and the admin client of {@link KafkaBroker#admin()}. */
    public static final String ADMIN = "admin";

    public static final String MECHANISM = "SCRAM-SHA-512";

    /** The listener that knows clients by their certificate alone: protocol SSL, client certificates required. */
    static final String MTLS_LISTENER = "MTLS";

    /**
     * The subject of a certificate {@link TestCertificates#issueClients} made ({@code CN=edge,OU=pageviews-clients})
     * is the user {@code User:edge}, so the ACLs written for the SCRAM user {@code edge} hold for its certificate
     * too; any other subject stays the whole distinguished name, a principal no ACL names.
     */
    static final String PRINCIPAL_MAPPING = "RULE:^CN=([^,]+),OU=" + TestCertificates.CLIENT_UNIT + "$/$1/,DEFAULT";

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
        return "KafkaSecurity[SASL_SSL " + MECHANISM + " and mutual TLS, users " + passwords.keySet() + "]";
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

    /**
     * What a Java client sets to connect to the mutual TLS listener with the key and certificate in {@code keystore}
     * (PKCS12, the stores' one password): {@link TestCertificates#clientKeystore(String)} for a user, or any other.
     */
    public Map<String, String> mtlsClientProperties(java.nio.file.Path keystore) {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("security.protocol", "SSL");
        props.put("ssl.keystore.type", "PKCS12");
        props.put("ssl.keystore.location", keystore.toString());
        props.put("ssl.keystore.password", certificates.password());
        props.put("ssl.truststore.type", "PKCS12");
        props.put("ssl.truststore.location", certificates.truststore().toString());
        props.put("ssl.truststore.password", certificates.password());
        return props;
    }

    static String jaas(String user, String password) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user
                + "\" password=\"" + password + "\";";
    }

    /**
     * The broker's settings for the SASL_SSL listener on {@code port} and the mutual TLS listener on {@code mtlsPort};
     * the controller listener stays loopback.
     */
    Map<String, String> serverProperties(int port, int mtlsPort, int controllerPort) {
        Map<String, String> props = new LinkedHashMap<>();
        String listeners = "SASL_SSL://127.0.0.1:" + port + "," + MTLS_LISTENER + "://127.0.0.1:" + mtlsPort
                + ",CONTROLLER://127.0.0.1:" + controllerPort;
        props.put("listeners", listeners);
        props.put("advertised.listeners", listeners);
        props.put("listener.security.protocol.map", "SASL_SSL:SASL_SSL," + MTLS_LISTENER + ":SSL,CONTROLLER:PLAINTEXT");
        // on this listener alone: the SASL_SSL listener authenticates by password and asks for no certificate
        String mtls = "listener.name." + MTLS_LISTENER.toLowerCase(java.util.Locale.ROOT) + ".";
        props.put(mtls + "ssl.client.auth", "required");
        props.put(mtls + "ssl.principal.mapping.rules", PRINCIPAL_MAPPING);
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
        // loopback; every client listener authenticates (a password, or a certificate the CA signed), so no client
        // is ANONYMOUS
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
