package dev.pageviews.job.archive;

import dev.pageviews.job.JobConfig;
import org.apache.flink.configuration.Configuration;

/**
 * The {@code s3.*} keys of Flink's S3 file system (flink-s3-fs-hadoop) for the job's S3 flags. Flink
 * configures file systems once per process, from the cluster configuration, when a JobManager or TaskManager
 * starts: these keys take effect in local clusters built from {@link dev.pageviews.job.PageViewsJob#flinkConfiguration}
 * (local runs, tests); on a real cluster they belong in its Flink configuration. With no keys given, the S3 file
 * system uses the standard AWS credential chain (environment, profile, web identity, instance role).
 */
public final class S3Settings {

    public static final String ENDPOINT = "s3.endpoint";
    public static final String PATH_STYLE_ACCESS = "s3.path.style.access";
    public static final String ACCESS_KEY = "s3.access-key";
    public static final String SECRET_KEY = "s3.secret-key";
    /**
     * Leave S3A's directory markers alone after a write (Hadoop 3.4's default; the plugin's Hadoop 3.3.4 still
     * deletes them): one request less per file, and stores that keep objects as files (S3Proxy) answer such a
     * delete with an error that S3A retries for minutes.
     */
    public static final String DIRECTORY_MARKER_RETENTION = "s3.directory.marker.retention";

    private S3Settings() {}

    public static void addTo(Configuration conf, JobConfig config) {
        conf.setString(DIRECTORY_MARKER_RETENTION, "keep");
        if (!config.s3Endpoint().isEmpty()) {
            conf.setString(ENDPOINT, config.s3Endpoint());
        }
        if (config.s3PathStyle()) {
            conf.setString(PATH_STYLE_ACCESS, "true");
        }
        if (!config.s3AccessKey().isEmpty()) {
            conf.setString(ACCESS_KEY, config.s3AccessKey());
        }
        if (!config.s3SecretKey().isEmpty()) {
            conf.setString(SECRET_KEY, config.s3SecretKey()); // Flink hides keys named *secret* in its UI and logs
        }
    }
}
