package dev.pageviews.job.source;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pageviews.event.PageView;
import dev.pageviews.job.JobConfig;
import dev.pageviews.job.PageViewsTopology;
import java.util.Map;
import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;

/**
 * Flink's serializer checks for views as they cross the dedup shuffle, over every combination of optional fields, and
 * that the job's stream of views uses this serializer rather than Flink's reflective one for records.
 */
class PageViewSerializerTest extends SerializerTestBase<PageView> {

    @Override
    protected TypeSerializer<PageView> createSerializer() {
        return PageViewSerializer.INSTANCE;
    }

    @Override
    protected int getLength() {
        return -1;
    }

    @Override
    protected Class<PageView> getTypeClass() {
        return PageView.class;
    }

    @Override
    protected PageView[] getTestData() {
        return new PageView[] {
                new PageView("u1", "/home", 1_730_814_562L, "3f2b8c1e-9d4a-4e5b-8c7d-1a2b3c4d5e6f", 1_730_814_562_123L, true),
                new PageView("u2", "/a?b=c", 1_730_814_563L, "edge-id", 1_730_814_563_001L, false),
                new PageView("u3", "/no-receive-time", 946_684_800L, "id", PageView.UNKNOWN_RECEIVE_TIME, true),
                new PageView("u4", "/no-id", 4_102_444_799L, null, 1_730_814_562_000L),
                PageView.of("", "", 0L),
                PageView.of("ünïcødé 😀", "/päge/€" + "x".repeat(3000), -1L)};
    }

    @Test
    void theJobsViewsAreSerializedWithIt() {
        JobConfig config = JobConfig.parse(new String[0], Map.of()); // the defaults: dedup on, so views cross a shuffle
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        assertThat(PageViewsTopology.build(env, config).getType()).isEqualTo(PageViewSerializer.TYPE);
        assertThat(PageViewSerializer.TYPE.createSerializer(env.getConfig().getSerializerConfig()))
                .isSameAs(PageViewSerializer.INSTANCE);
    }
}
