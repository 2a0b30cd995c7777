package dev.pageviews.k8s;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Dockerfiles, checked as text (no Docker engine here): they copy the files Maven really builds,
 * run the real main class, and put the job jar where the FlinkDeployment's jarURI points.
 */
final class Dockerfiles {

    static final String EDGE = "k8s/images/edge-ingest/Dockerfile";
    static final String FLINK_JOB = "k8s/images/flink-job/Dockerfile";
    static final String READ_SERVICE = "k8s/images/read-service/Dockerfile";

    private Dockerfiles() {
    }

    static List<String> checkEdge(String dockerfile) {
        return checkJavaService(dockerfile, "edge-ingest");
    }

    static List<String> checkReadService(String dockerfile) {
        return checkJavaService(dockerfile, "read-service");
    }

    /** A module's jar and its runtime dependencies on a JRE, as a non-root user, running its main class. */
    private static List<String> checkJavaService(String dockerfile, String module) {
        List<String> problems = new ArrayList<>();
        String version = Repo.projectVersion();
        require(dockerfile, "(?m)^FROM eclipse-temurin:17-jre\\S*$", "FROM eclipse-temurin:17-jre (Java 17, JRE only)", problems);
        require(dockerfile, "(?m)^COPY " + module + "/target/" + module + "-" + Pattern.quote(version) + "\\.jar ",
                "COPY of " + module + "/target/" + module + "-" + version + ".jar (what `mvn package` builds)", problems);
        require(dockerfile, "(?m)^COPY " + module + "/target/lib/ ", "COPY of the runtime dependencies from " + module
                + "/target/lib/", problems);
        Matcher user = Pattern.compile("(?m)^USER (\\S+)").matcher(dockerfile);
        if (!user.find() || user.group(1).startsWith("root") || user.group(1).startsWith("0")) {
            problems.add("no non-root USER");
        }
        Matcher main = Pattern.compile("(?m)^ENTRYPOINT \\[.*\"(dev\\.pageviews\\.[\\w.]+)\"\\]").matcher(dockerfile);
        if (!main.find()) {
            problems.add("no exec-form ENTRYPOINT ending in the main class (java must be PID 1 to get SIGTERM)");
        } else if (!Files.isRegularFile(Repo.path(module + "/src/main/java/" + main.group(1).replace('.', '/') + ".java"))) {
            problems.add("main class " + main.group(1) + " is not in " + module + "/src/main/java");
        }
        require(dockerfile, "-t pageviews/" + module + ":" + Pattern.quote(version) + " ",
                "build instructions tagging pageviews/" + module + ":" + version, problems);
        return problems;
    }

    static List<String> checkFlinkJob(String dockerfile, String jarUri) {
        List<String> problems = new ArrayList<>();
        String version = Repo.projectVersion();
        String flink = Repo.property("flink.version");
        require(dockerfile, "(?m)^FROM flink:" + Pattern.quote(flink) + "-\\S*java17$",
                "FROM flink:" + flink + "-...java17 (the Flink the job is built against)", problems);
        String classifier = shadedClassifier();
        String target = jarUri.replaceFirst("^local://", "");
        require(dockerfile, "(?m)^COPY (--chown=\\S+ )?flink-job/target/flink-job-" + Pattern.quote(version) + "-"
                        + Pattern.quote(classifier) + "\\.jar " + Pattern.quote(target) + "$",
                "COPY flink-job/target/flink-job-" + version + "-" + classifier + ".jar " + target + " (jarURI " + jarUri + ")", problems);
        require(dockerfile, "cp /opt/flink/opt/flink-s3-fs-hadoop-" + Pattern.quote(flink) + "\\.jar /opt/flink/plugins/s3-fs-hadoop/",
                "the S3 filesystem plugin copied from opt/ into plugins/s3-fs-hadoop/", problems);
        require(dockerfile, "-t pageviews/flink-job:" + Pattern.quote(version) + " ",
                "build instructions tagging pageviews/flink-job:" + version, problems);
        return problems;
    }

    /** The classifier of the shaded job jar, from flink-job/pom.xml. */
    static String shadedClassifier() {
        Matcher m = Pattern.compile("<shadedClassifierName>([^<]+)</shadedClassifierName>").matcher(Repo.read("flink-job/pom.xml"));
        if (!m.find()) {
            throw new IllegalStateException("flink-job/pom.xml has no shadedClassifierName");
        }
        return m.group(1);
    }

    /** The Main-Class of the job jar, from flink-job/pom.xml. */
    static String jobMainClass() {
        Matcher m = Pattern.compile("<mainClass>([^<]+)</mainClass>").matcher(Repo.read("flink-job/pom.xml"));
        if (!m.find()) {
            throw new IllegalStateException("flink-job/pom.xml has no mainClass");
        }
        return m.group(1);
    }

    private static void require(String text, String regex, String what, List<String> problems) {
        if (!Pattern.compile(regex).matcher(text).find()) {
            problems.add("missing: " + what);
        }
    }
}
