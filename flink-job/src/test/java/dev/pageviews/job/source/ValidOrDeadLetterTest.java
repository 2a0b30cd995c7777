package dev.pageviews.job.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.pageviews.event.PageView;
import dev.pageviews.job.OperatorMetrics;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** A Kafka record read by the job: decoded with the contract's rules, then counted on or sent to the dead letters. */
class ValidOrDeadLetterTest {

    @Test
    void aPageUrlOrUserIdThatNoUtf8StoreCouldKeepIsADeadLetterNamingTheField() throws Exception {
        byte[] unpaired = record("u", "/a\\ud800");
        byte[] control = record("u\\u0085", "/b");
        byte[] valid = record("u", "/\\ud83d\\ude00");

        try (var harness = new OneInputStreamOperatorTestHarness<>(new ProcessOperator<>(new ValidOrDeadLetter()))) {
            harness.open();
            for (int offset = 0; offset < 3; offset++) {
                harness.processElement(new StreamRecord<>(read(List.of(unpaired, control, valid).get(offset), offset), 0L));
            }

            assertThat(harness.extractOutputValues()).extracting(PageView::pageUrl).containsExactly("/\ud83d\ude00");
            assertThat(harness.getSideOutput(ValidOrDeadLetter.DEAD_LETTERS)).extracting(StreamRecord::getValue)
                    .extracting(DeadLetter::reason, DeadLetter::offset, DeadLetter::raw)
                    .containsExactly(
                            tuple("page_url: must be Unicode text: found an unpaired UTF-16 "
                                    + "surrogate at index 2 (a \\uD800-\\uDFFF escape without its other half)", 0L, unpaired),
                            tuple("user_id: must not contain control characters (found one at "
                                    + "index 1)", 1L, control));
        }
    }

    /** The job's documented metrics of validation: views let through, and records sent to the dead letters instead. */
    @Test
    void countsTheViewsItPassesAndTheRecordsItDeadLetters() throws Exception {
        OperatorMetrics metrics = new OperatorMetrics(128, 1, 0);
        try (var harness = new OneInputStreamOperatorTestHarness<>(new ProcessOperator<>(new ValidOrDeadLetter()),
                metrics.environment())) {
            harness.open();
            harness.processElement(new StreamRecord<>(read(record("u", "/a"), 0), 0L));
            harness.processElement(new StreamRecord<>(read(record("u", "/b"), 1), 0L));
            harness.processElement(new StreamRecord<>(read(record("u", "/c\\ud800"), 2), 0L));

            assertThat(metrics.count("eventsIn")).isEqualTo(2);
            assertThat(metrics.count("eventsDeadLettered")).isEqualTo(1);
        }
    }

    /** A view as another producer than the edge could write it: JSON escapes as given. */
    private static byte[] record(String userIdJson, String pageUrlJson) {
        return ("{\"user_id\":\"" + userIdJson + "\",\"page_url\":\"" + pageUrlJson + "\",\"timestamp\":1730814562}")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static RawView read(byte[] value, long offset) throws Exception {
        List<RawView> out = new ArrayList<>();
        new RawViewDeserializer().deserialize(new ConsumerRecord<>("views", 0, offset, null, value), new Collector<>() {
            @Override
            public void collect(RawView record) {
                out.add(record);
            }

            @Override
            public void close() {}
        });
        return out.get(0);
    }
}
