package dev.pageviews.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class JobSubmissionTest {

    @Test
    void secretsGivenAsProgramArgumentsAreFoundSoTheJobCanWarnOfThem() {
        String[] args = {"--redis", "redis-sentinel://app:s3%2Ccr%40t@s1#pv", "--redis-sentinel-password=watch",
            "--redis-key", "page_views"};
        assertThat(JobSubmission.secretsInArguments(JobConfig.parse(args, Map.of()), args))
                .containsExactly(JobConfig.REDIS, JobConfig.REDIS_SENTINEL_PASSWORD);
        String[] withoutPassword = {"--redis", "rediss://redis.internal:6379"};
        assertThat(JobSubmission.secretsInArguments(JobConfig.parse(withoutPassword, Map.of()), withoutPassword)).isEmpty();
        String[] none = {"--redis-key", "page_views"};
        JobConfig fromEnvironment = JobConfig.parse(none, Map.of("PAGEVIEWS_REDIS", "rediss://app:s3%2Ccr%40t@redis.internal:6379"));
        assertThat(fromEnvironment.redis().password()).isEqualTo("s3,cr@t");
        assertThat(JobSubmission.secretsInArguments(fromEnvironment, none)).isEmpty();
    }
}
