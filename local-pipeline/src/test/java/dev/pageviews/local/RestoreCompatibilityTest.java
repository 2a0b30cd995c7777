package dev.pageviews.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.DataOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.runtime.OperatorIDPair;
import org.apache.flink.runtime.checkpoint.Checkpoints;
import org.apache.flink.runtime.checkpoint.OperatorState;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.checkpoint.metadata.CheckpointMetadata;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobgraph.JobVertex;
import org.apache.flink.runtime.jobgraph.JobVertexID;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.state.KeyGroupRangeOffsets;
import org.apache.flink.runtime.state.KeyGroupsStateHandle;
import org.apache.flink.runtime.state.memory.ByteStreamStateHandle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RestoreCompatibilityTest {

    private static final String DEDUP = "count-once-per-event-id";
    private static final String REDIS_SINK = "Sink Committer: redis-page-views";
    private static final String ARCHIVE = "archive-json";

    @TempDir
    Path dir;

    private final UpConfig config = UpConfig.parse(new String[] {"--data-dir", "/tmp/data", "--archive-path", "none"}, Map.of());

    @Test
    void knowsTheArchiveOperatorsByTheUidsFlinkRecords() {
        // as a Flink 2.2 savepoint names them (writer: the sink's uid; committer: derived from it)
        assertThat(RestoreCompatibility.isArchive("archive-json")).isTrue();
        assertThat(RestoreCompatibility.isArchive("Sink Committer: archive-json")).isTrue();
        assertThat(RestoreCompatibility.isArchive("archive-parquet")).isTrue();
        assertThat(RestoreCompatibility.isArchive("Sink Committer: archive-parquet")).isTrue();
        assertThat(RestoreCompatibility.isArchive("archive-batch-by-hour")).isTrue();

        assertThat(RestoreCompatibility.isArchive("redis-page-views")).isFalse();
        assertThat(RestoreCompatibility.isArchive("Sink Committer: redis-page-views")).isFalse();
        assertThat(RestoreCompatibility.isArchive("count-per-window")).isFalse();
        assertThat(RestoreCompatibility.isArchive("archive-jsonx")).isFalse();
        assertThat(RestoreCompatibility.isArchive("")).isFalse();
    }

    @Test
    void knowsTheDedupOperatorByItsUid() {
        assertThat(RestoreCompatibility.isDedup(DEDUP)).isTrue();
        assertThat(RestoreCompatibility.isArchive(DEDUP)).isFalse();

        assertThat(RestoreCompatibility.isDedup("count-once-per-event-idx")).isFalse();
        assertThat(RestoreCompatibility.isDedup("count-per-window")).isFalse();
        assertThat(RestoreCompatibility.isDedup("redis-page-views")).isFalse();
        assertThat(RestoreCompatibility.isDedup("")).isFalse();
    }

    @Test
    void withDedupOffTheRememberedIdsAreDroppedAndTheWarningSaysCopiesAreCountedNow() throws Exception {
        OperatorID redis = new OperatorID();
        Path point = restorePoint(Map.of(DEDUP, new OperatorID(), REDIS_SINK, redis));

        RestoreCompatibility.Decision decision = RestoreCompatibility.check(point, jobWith(redis), true);

        assertThat(decision.allowNonRestoredState()).isTrue();
        assertThat(decision.dropped()).extracting(RestoreCompatibility.Dropped::uid).containsExactly(DEDUP);
        assertThat(decision.warnings(config)).singleElement().asString()
                .contains("'" + DEDUP + "'").contains("--dedup-window is 0").contains("forgotten")
                .contains("every copy of a view is counted");
    }

    @Test
    void whileDedupIsOnItsStateIsNeverDropped() throws Exception {
        // the job deduplicates, yet has no operator of that uid: a code change; dropping the ids would count copies again
        OperatorID redis = new OperatorID();
        Path point = restorePoint(Map.of(DEDUP, new OperatorID(), REDIS_SINK, redis));

        assertThatThrownBy(() -> RestoreCompatibility.check(point, jobWith(redis), false))
                .isInstanceOf(RestoreCompatibility.Unrestorable.class)
                .hasMessageContaining("'" + DEDUP + "'").hasMessageContaining("--fresh");
    }

    @Test
    void withDedupOffOtherStateStillRefuses() throws Exception {
        Path point = restorePoint(Map.of(DEDUP, new OperatorID(), REDIS_SINK, new OperatorID()));

        assertThatThrownBy(() -> RestoreCompatibility.check(point, jobWith(new OperatorID()), true))
                .isInstanceOf(RestoreCompatibility.Unrestorable.class)
                .hasMessageContaining("'" + REDIS_SINK + "'").hasMessageContaining("--delivery")
                .hasMessageNotContaining("'" + DEDUP + "'"); // it names only what cannot be dropped
    }

    @Test
    void archiveAndDedupStateAreDroppedTogetherEachWithItsWarning() throws Exception {
        Path point = restorePoint(Map.of(DEDUP, new OperatorID(), ARCHIVE, new OperatorID()));

        RestoreCompatibility.Decision decision = RestoreCompatibility.check(point, jobWith(new OperatorID()), true);

        assertThat(decision.dropped()).extracting(RestoreCompatibility.Dropped::uid).containsExactlyInAnyOrder(DEDUP, ARCHIVE);
        assertThat(decision.warnings(config)).hasSize(2)
                .anySatisfy(w -> assertThat(w).contains(ARCHIVE).contains("--archive-path none").contains("counts are not affected"))
                .anySatisfy(w -> assertThat(w).contains(DEDUP).contains("forgotten"));
    }

    @Test
    void anOperatorPresentInTheJobOrWithoutStateIsNotDropped() throws Exception {
        OperatorID dedup = new OperatorID();
        Path point = restorePoint(Map.of(DEDUP, dedup, REDIS_SINK, new OperatorID()), REDIS_SINK);

        // dedup on and its operator there: nothing to drop; the Redis sink left no state (nothing pending)
        RestoreCompatibility.Decision decision = RestoreCompatibility.check(point, jobWith(dedup), false);

        assertThat(decision.allowNonRestoredState()).isFalse();
        assertThat(decision.warnings(config)).isEmpty();
    }

    /** A job graph holding just these operators. */
    private static JobGraph jobWith(OperatorID... operators) {
        List<OperatorIDPair> pairs = new ArrayList<>();
        for (OperatorID id : operators) {
            pairs.add(OperatorIDPair.generatedIDOnly(id));
        }
        JobGraph graph = new JobGraph("pageviews");
        graph.addVertex(new JobVertex("all", new JobVertexID(), pairs));
        return graph;
    }

    /**
     * Writes a checkpoint's {@code _metadata}, as Flink does, with keyed state for each operator (uid to id) except
     * those named in {@code withoutState}; returns its directory.
     */
    private Path restorePoint(Map<String, OperatorID> operators, String... withoutState) throws Exception {
        List<OperatorState> states = new ArrayList<>();
        for (Map.Entry<String, OperatorID> operator : operators.entrySet()) {
            OperatorState state = new OperatorState(operator.getKey(), operator.getKey(), operator.getValue(), 1, 128);
            if (!List.of(withoutState).contains(operator.getKey())) {
                state.putState(0, OperatorSubtaskState.builder()
                        .setManagedKeyedState(new KeyGroupsStateHandle(new KeyGroupRangeOffsets(0, 127),
                                new ByteStreamStateHandle(operator.getKey(), new byte[] {1, 2, 3})))
                        .build());
            }
            states.add(state);
        }
        Path point = Files.createDirectories(dir.resolve("chk-1"));
        try (OutputStream out = Files.newOutputStream(point.resolve("_metadata"))) {
            Checkpoints.storeCheckpointMetadata(new CheckpointMetadata(1, states, List.of()), new DataOutputStream(out));
        }
        return point;
    }
}
