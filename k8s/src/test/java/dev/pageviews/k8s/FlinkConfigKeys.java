package dev.pageviews.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarFile;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.FallbackKey;

/**
 * flinkConfiguration keys must be real Flink 2.x options: the keys declared by flink-core's
 * {@code *Options} classes, not their deprecated 1.x names (Flink would still read some of them, but
 * they are gone in the next major). Keys owned by others are checked against short explicit lists.
 */
final class FlinkConfigKeys {

    /** Flink Kubernetes Operator 1.15 options (KubernetesOperatorConfigOptions) a FlinkDeployment may set. */
    static final Set<String> OPERATOR_KEYS = Set.of(
            "kubernetes.operator.periodic.savepoint.interval",
            "kubernetes.operator.periodic.checkpoint.interval",
            "kubernetes.operator.savepoint.history.max.age",
            "kubernetes.operator.savepoint.history.max.count",
            "kubernetes.operator.savepoint.format.type",
            "kubernetes.operator.savepoint.trigger.grace-period",
            "kubernetes.operator.savepoint.dispose-on-delete",
            "kubernetes.operator.savepoint.cleanup.enabled",
            "kubernetes.operator.snapshot.resource.enabled",
            "kubernetes.operator.job.upgrade.last-state-fallback.enabled",
            "kubernetes.operator.job.upgrade.last-state.max.allowed.checkpoint.age",
            "kubernetes.operator.job.upgrade.ignore-pending-savepoint",
            "kubernetes.operator.job.upgrade.inplace-scaling.enabled",
            "kubernetes.operator.job.restart.failed",
            "kubernetes.operator.job.savepoint-on-deletion",
            "kubernetes.operator.deployment.rollback.enabled",
            "kubernetes.operator.deployment.readiness.timeout",
            "kubernetes.operator.jm-deployment-recovery.enabled",
            "kubernetes.operator.cluster.health-check.enabled",
            "kubernetes.operator.cluster.health-check.restarts.window",
            "kubernetes.operator.cluster.health-check.restarts.threshold",
            "kubernetes.operator.cluster.health-check.checkpoint-progress.enabled",
            "kubernetes.operator.cluster.health-check.checkpoint-progress.window");

    /** s3.* is handed to the S3 filesystem plugin (as fs.s3a.*); these are the ones we use. */
    static final Set<String> S3_KEYS = Set.of("s3.endpoint", "s3.path.style.access", "s3.endpoint.region");

    /** Options of the Prometheus reporter plugin (flink-metrics-prometheus), after metrics.reporter.<name>. */
    static final Set<String> PROMETHEUS_REPORTER_KEYS = Set.of("port", "filterLabelValueCharacters");

    /** A key Flink reads, the option it belongs to, and whether the key is a deprecated name. */
    record Known(ConfigOption<?> option, boolean deprecated) {
    }

    private static Map<String, Known> flinkKeys;

    private FlinkConfigKeys() {
    }

    static List<String> check(JsonNode flinkConfiguration) {
        List<String> errors = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> fields = flinkConfiguration.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            String problem = problem(field.getKey());
            if (problem == null) {
                problem = valueProblem(field.getKey(), field.getValue().asText());
            }
            if (problem != null) {
                errors.add(".spec.flinkConfiguration." + field.getKey() + ": " + problem);
            }
        }
        return errors;
    }

    /** Why a key is not acceptable, or null. */
    static String problem(String key) {
        if (key.startsWith("kubernetes.operator.")) {
            return OPERATOR_KEYS.contains(key) ? null : "not a Flink Kubernetes Operator 1.15 option known here";
        }
        if (key.startsWith("s3.")) {
            return S3_KEYS.contains(key) ? null : "not an S3 option known here (" + S3_KEYS + ")";
        }
        if (key.startsWith("metrics.reporter.")) {
            return reporterProblem(key.substring("metrics.reporter.".length()));
        }
        Known known = flinkKeys().get(key);
        if (known == null) {
            return "not a Flink " + flinkVersion() + " configuration option";
        }
        return known.deprecated() ? "deprecated Flink 1.x key; use " + known.option().key() : null;
    }

    /** Whether Flink can read the value as its option's type (duration, enum, number...), or why not. */
    static String valueProblem(String key, String value) {
        Known known = flinkKeys().get(key);
        if (known == null) {
            return null;
        }
        try {
            Configuration.fromMap(Map.of(key, value)).get(known.option());
            return null;
        } catch (IllegalArgumentException e) {
            return "Flink cannot read '" + value + "': " + e.getMessage();
        }
    }

    /** metrics.reporter.<name>.<option>: MetricOptions declares the generic options by their suffix ("factory.class"). */
    private static String reporterProblem(String nameAndOption) {
        int dot = nameAndOption.indexOf('.');
        String option = dot < 0 ? "" : nameAndOption.substring(dot + 1);
        Known generic = flinkKeys().get(option);
        if (PROMETHEUS_REPORTER_KEYS.contains(option) || (generic != null && !generic.deprecated())) {
            return null;
        }
        return "'" + option + "' is not a metric reporter option";
    }

    private static String flinkVersion() {
        return ConfigOption.class.getPackage().getImplementationVersion() == null
                ? "2.x" : ConfigOption.class.getPackage().getImplementationVersion();
    }

    /** Every key declared by a public static ConfigOption in flink-core's org.apache.flink.configuration. */
    static synchronized Map<String, Known> flinkKeys() {
        if (flinkKeys != null) {
            return flinkKeys;
        }
        Map<String, Known> keys = new HashMap<>();
        try (JarFile jar = new JarFile(flinkCoreJar().toFile())) {
            for (String entry : jar.stream().map(e -> e.getName()).toList()) {
                if (entry.startsWith("org/apache/flink/configuration/") && entry.endsWith("Options.class")
                        && !entry.contains("$")) {
                    addOptions(entry.substring(0, entry.length() - ".class".length()).replace('/', '.'), keys);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (keys.size() < 100) {
            throw new IllegalStateException("found only " + keys.size() + " Flink options in " + flinkCoreJar());
        }
        flinkKeys = keys;
        return keys;
    }

    private static void addOptions(String className, Map<String, Known> keys) {
        Class<?> options;
        try {
            options = Class.forName(className);
        } catch (ClassNotFoundException | LinkageError e) {
            throw new IllegalStateException("cannot load " + className + " to read its options", e);
        }
        for (Field field : options.getFields()) {
            if (Modifier.isStatic(field.getModifiers()) && ConfigOption.class.isAssignableFrom(field.getType())) {
                try {
                    ConfigOption<?> option = (ConfigOption<?>) field.get(null);
                    boolean deprecated = field.isAnnotationPresent(Deprecated.class);
                    keys.merge(option.key(), new Known(option, deprecated), (a, b) -> a.deprecated() ? b : a);
                    for (FallbackKey fallback : option.fallbackKeys()) {
                        keys.putIfAbsent(fallback.getKey(), new Known(option, fallback.isDeprecated()));
                    }
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
    }

    private static Path flinkCoreJar() {
        try {
            return Path.of(ConfigOption.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
