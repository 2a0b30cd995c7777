package dev.pageviews.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Image names and tags agree across kustomize, the FlinkDeployment, the Dockerfiles and the docs. */
class ImagesTest {

    private static final String VERSION = Repo.projectVersion();

    private static String jarUri() {
        return Overlay.FLINK_MINIKUBE.find("FlinkDeployment", "pageviews-job").at("/spec/job/jarURI").asText();
    }

    @Test
    void dockerfilesCopyWhatMavenBuildsAndRunWhatTheManifestsExpect() {
        assertThat(Dockerfiles.checkEdge(Repo.read(Dockerfiles.EDGE))).isEmpty();
        assertThat(Dockerfiles.checkReadService(Repo.read(Dockerfiles.READ_SERVICE))).isEmpty();
        assertThat(Dockerfiles.checkFlinkJob(Repo.read(Dockerfiles.FLINK_JOB), jarUri())).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"minikube", "cloud"})
    void bothImagesCarryTheProjectVersionAndComeFromTheSameRegistry(String environment) {
        Overlay platform = environment.equals("minikube") ? Overlay.K8S_MINIKUBE : Overlay.K8S_CLOUD;
        String edge = platform.find("Deployment", "edge-ingest").at("/spec/template/spec/containers/0/image").asText();
        String job = platform.flink().find("FlinkDeployment", "pageviews-job").at("/spec/image").asText();
        String read = platform.find("Deployment", "read-service").at("/spec/template/spec/containers/0/image").asText();

        assertThat(edge).endsWith("pageviews/edge-ingest:" + VERSION);
        assertThat(read).endsWith("pageviews/read-service:" + VERSION);
        assertThat(read.substring(0, read.indexOf("pageviews/"))).isEqualTo(edge.substring(0, edge.indexOf("pageviews/")));
        assertThat(job).endsWith("pageviews/flink-job:" + VERSION);
        assertThat(edge.substring(0, edge.indexOf("pageviews/"))).isEqualTo(job.substring(0, job.indexOf("pageviews/")));
    }

    @Test
    void theDocsBuildAndLoadTheSameImages() {
        String docs = Repo.read("k8s/README.md");
        for (String image : new String[] {"pageviews/edge-ingest:" + VERSION, "pageviews/flink-job:" + VERSION,
                "pageviews/read-service:" + VERSION}) {
            assertThat(docs).contains("minikube image build -t " + image + " -f k8s/images/")
                    .contains("minikube image load " + image);
        }
    }

    // --- teeth

    @Test
    void anEdgeDockerfileCopyingAnotherVersionOrRunningAsRoot() {
        String good = Repo.read(Dockerfiles.EDGE);
        assertThat(Dockerfiles.checkEdge(good.replace("edge-ingest-" + VERSION + ".jar", "edge-ingest-0.0.9.jar")))
                .anySatisfy(p -> assertThat(p).contains("edge-ingest-" + VERSION + ".jar"));
        assertThat(Dockerfiles.checkEdge(good.replace("USER 10001:10001", "USER root"))).anySatisfy(p -> assertThat(p).contains("non-root"));
        assertThat(Dockerfiles.checkEdge(good.replace("dev.pageviews.edge.EdgeMain", "dev.pageviews.edge.Main")))
                .anySatisfy(p -> assertThat(p).contains("dev.pageviews.edge.Main"));
    }

    @Test
    void aReadServiceDockerfileCopyingTheEdgeOrRunningAnotherMain() {
        String good = Repo.read(Dockerfiles.READ_SERVICE);
        assertThat(Dockerfiles.checkReadService(good.replace("read-service/target/lib/", "edge-ingest/target/lib/")))
                .anySatisfy(p -> assertThat(p).contains("read-service/target/lib/"));
        assertThat(Dockerfiles.checkReadService(good.replace("dev.pageviews.read.ReadMain", "dev.pageviews.read.Main")))
                .anySatisfy(p -> assertThat(p).contains("dev.pageviews.read.Main"));
    }

    @Test
    void aJobDockerfileThatMissesTheJarUriOrThePlugin() {
        String good = Repo.read(Dockerfiles.FLINK_JOB);
        assertThat(Dockerfiles.checkFlinkJob(good, "local:///opt/flink/usrlib/job.jar"))
                .anySatisfy(p -> assertThat(p).contains("/opt/flink/usrlib/job.jar"));
        assertThat(Dockerfiles.checkFlinkJob(good.replace("plugins/s3-fs-hadoop/", "lib/"), jarUri()))
                .anySatisfy(p -> assertThat(p).contains("S3 filesystem plugin"));
        assertThat(Dockerfiles.checkFlinkJob(good.replace("FROM flink:2.2.1", "FROM flink:1.20.1"), jarUri()))
                .anySatisfy(p -> assertThat(p).startsWith("missing: FROM flink:"));
    }
}
