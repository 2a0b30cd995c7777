package dev.pageviews.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pageviews.job.JobConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The FlinkDeployment agrees with the job's flags, sets the cluster's settings once (in flinkConfiguration), and fits its platform. */
class FlinkDeploymentTest {

    private static ObjectNode deployment(Overlay overlay) {
        return overlay.find("FlinkDeployment", "pageviews-job");
    }

    /** The deployment with the arg starting with {@code prefix} replaced. */
    private static ObjectNode replaceArg(ObjectNode deployment, String prefix, String arg) {
        List<String> args = FlinkJobConsistency.args(deployment);
        int index = args.stream().filter(a -> a.startsWith(prefix)).findFirst().map(args::indexOf)
                .orElseThrow(() -> new IllegalArgumentException("no arg " + prefix));
        return Edit.set(deployment, "/spec/job/args/" + index, arg);
    }

    private static List<String> problems(Overlay overlay, ObjectNode deployment) {
        return FlinkJobConsistency.check(deployment, overlay.objects(), overlay.platform().objects());
    }

    @ParameterizedTest
    @EnumSource(value = Overlay.class, names = {"FLINK_MINIKUBE", "FLINK_CLOUD"})
    void agreesWithTheJobAndThePlatform(Overlay overlay) {
        assertThat(problems(overlay, deployment(overlay))).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(value = Overlay.class, names = {"FLINK_MINIKUBE", "FLINK_CLOUD"})
    void runsTheJobJarInApplicationMode(Overlay overlay) {
        ObjectNode spec = (ObjectNode) deployment(overlay).path("spec");

        assertThat(spec.path("flinkVersion").asText()).isEqualTo("v2_2");
        assertThat(spec.path("job").path("jarURI").asText()).isEqualTo("local:///opt/flink/usrlib/pageviews-job.jar");
        assertThat(spec.path("job").path("entryClass").asText()).isEqualTo(Dockerfiles.jobMainClass())
                .isEqualTo("dev.pageviews.job.PageViewsJob");
        assertThat(spec.path("job").path("state").asText()).isEqualTo("running");
    }

    @Test
    void eachEnvironmentSetsItsStateBackendInFlinkConfiguration() {
        JsonNode minikube = deployment(Overlay.FLINK_MINIKUBE).path("spec").path("flinkConfiguration");
        JsonNode cloud = deployment(Overlay.FLINK_CLOUD).path("spec").path("flinkConfiguration");

        assertThat(minikube.path("state.backend.type").asText()).isEqualTo("hashmap");
        assertThat(cloud.path("state.backend.type").asText()).isEqualTo("rocksdb");
        assertThat(cloud.path("execution.checkpointing.incremental").asText()).isEqualTo("true");
    }

    @Test
    void bothReadRedisWithItsPasswordFromASecret() {
        assertThat(FlinkJobConsistency.args(deployment(Overlay.FLINK_MINIKUBE))).noneMatch(a -> a.startsWith("--redis="));
        assertThat(FlinkJobConsistency.args(deployment(Overlay.FLINK_CLOUD))).noneMatch(a -> a.startsWith("--redis="));
        assertThat(JobConfig.REDIS.envName()).isEqualTo("PAGEVIEWS_REDIS");
        assertThat(deployment(Overlay.FLINK_MINIKUBE).at("/spec/podTemplate/spec/containers/0/env").toString())
                .contains("\"value\":\"redis://default:$(REDIS_PASSWORD)@redis:6379\"", "\"secretKeyRef\"");
        assertThat(Overlay.FLINK_CLOUD.all("Secret")).anySatisfy(s -> assertThat(s.path("data").has("PAGEVIEWS_REDIS")).isTrue());
    }

    // --- teeth: each broken copy is caught

    @Test
    void aFlagTheJobDoesNotKnow() {
        ObjectNode broken = Edit.append(deployment(Overlay.FLINK_MINIKUBE), "/spec/job/args", "--windoww=1s");
        assertThat(problems(Overlay.FLINK_MINIKUBE, broken)).anySatisfy(p -> assertThat(p).contains("--windoww"));
    }

    @Test
    void aValueTheJobRejects() {
        ObjectNode broken = replaceArg(deployment(Overlay.FLINK_MINIKUBE), "--window=", "--window=one second");
        assertThat(problems(Overlay.FLINK_MINIKUBE, broken)).anySatisfy(p -> assertThat(p).contains("--window"));
    }

    /** Each flag with the very value flinkConfiguration has: the repetition alone is the problem. */
    @ParameterizedTest
    @CsvSource({
            "--checkpoint-dir=s3://pageviews-prod/checkpoints, execution.checkpointing.dir",
            "--savepoint-dir=s3://pageviews-prod/savepoints, execution.checkpointing.savepoint-dir",
            "--state-backend=rocksdb, state.backend.type",
            "--checkpoint-interval=5s, execution.checkpointing.interval"})
    void aClusterSettingPassedAsAJobFlag(String arg, String key) {
        ObjectNode broken = Edit.append(deployment(Overlay.FLINK_CLOUD), "/spec/job/args", arg);
        String flag = arg.substring(0, arg.indexOf('='));
        assertThat(problems(Overlay.FLINK_CLOUD, broken))
                .contains(flag + " repeats a cluster setting: set " + key + " in flinkConfiguration only");
    }

    @Test
    void aClusterSettingPassedAsAJobVariable() {
        ObjectNode broken = Edit.set(deployment(Overlay.FLINK_MINIKUBE), "/spec/podTemplate/spec/containers/0/env",
                List.of(Map.of("name", "PAGEVIEWS_CHECKPOINT_DIR", "value", "s3://pageviews/checkpoints")));
        assertThat(problems(Overlay.FLINK_MINIKUBE, broken)).contains("environment variable PAGEVIEWS_CHECKPOINT_DIR "
                + "repeats a cluster setting: set execution.checkpointing.dir in flinkConfiguration only");
    }


    @ParameterizedTest
    @ValueSource(strings = {"high-availability.storageDir", "execution.checkpointing.dir", "execution.checkpointing.savepoint-dir"})
    void stateOnLocalDisk(String key) {
        ObjectNode broken = Edit.set(deployment(Overlay.FLINK_MINIKUBE), "/spec/flinkConfiguration/" + key, "file:///tmp/state");
        assertThat(problems(Overlay.FLINK_MINIKUBE, broken)).anySatisfy(p -> assertThat(p).contains(key).contains("not on S3"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"state.backend.type", "execution.checkpointing.interval", "execution.checkpointing.dir",
            "execution.checkpointing.savepoint-dir"})
    void aClusterSettingLeftOpen(String key) {
        // the job would fall back to its defaults (hashmap, 2 s) or, without a checkpoint directory, not start
        ObjectNode broken = Edit.remove(deployment(Overlay.FLINK_CLOUD), "/spec/flinkConfiguration/" + key);
        assertThat(problems(Overlay.FLINK_CLOUD, broken)).anySatisfy(p -> assertThat(p).startsWith(key + " is not set"));
    }

    @Test
    void moreParallelismThanPartitions() {
        ObjectNode broken = Edit.set(deployment(Overlay.FLINK_MINIKUBE), "/spec/job/parallelism", 5);
        assertThat(problems(Overlay.FLINK_MINIKUBE, broken)).anySatisfy(p -> assertThat(p).contains("4 partitions"));
    }

    @Test
    void parallelismPassedAsAFlag() {
        ObjectNode broken = Edit.append(deployment(Overlay.FLINK_MINIKUBE), "/spec/job/args", "--parallelism=2");
        assertThat(problems(Overlay.FLINK_MINIKUBE, broken)).anySatisfy(p -> assertThat(p).contains("--parallelism"));
    }

    @Test
    void aFlagGivenTwice() {
        ObjectNode broken = Edit.append(deployment(Overlay.FLINK_MINIKUBE), "/spec/job/args", "--topic=views");
        assertThat(problems(Overlay.FLINK_MINIKUBE, broken)).anySatisfy(p -> assertThat(p).contains("twice"));
    }

    @Test
    void aTopicTheClusterDoesNotHave() {
        ObjectNode broken = replaceArg(deployment(Overlay.FLINK_MINIKUBE), "--topic=", "--topic=pageviews");
        assertThat(problems(Overlay.FLINK_MINIKUBE, broken)).anySatisfy(p -> assertThat(p).contains("pageviews has no KafkaTopic"));
    }

    @Test
    void aRedisServiceThatDoesNotExist() {
        ObjectNode broken = Edit.append(deployment(Overlay.FLINK_MINIKUBE), "/spec/job/args", "--redis=redis://valkey:6379");
        assertThat(problems(Overlay.FLINK_MINIKUBE, broken)).anySatisfy(p -> assertThat(p).contains("valkey:6379"));
    }

    @Test
    void statelessUpgrades() {
        ObjectNode broken = Edit.set(deployment(Overlay.FLINK_CLOUD), "/spec/job/upgradeMode", "stateless");
        assertThat(problems(Overlay.FLINK_CLOUD, broken)).anySatisfy(p -> assertThat(p).contains("upgradeMode"));
    }

    @Test
    void noPeriodicSavepoints() {
        ObjectNode broken = Edit.remove(deployment(Overlay.FLINK_CLOUD), "/spec/flinkConfiguration/kubernetes.operator.periodic.savepoint.interval");
        assertThat(problems(Overlay.FLINK_CLOUD, broken)).anySatisfy(p -> assertThat(p).contains("periodic"));
    }
}
