package dev.pageviews.read.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Admission of queries: as many as there are slots, each slot free again as soon as its query's work is done. */
class QuerySlotsTest {

    @Test
    void refusesAQueryOnlyWhileEverySlotRunsOne() throws Exception {
        List<Runnable> handedOver = new ArrayList<>(); // threads that have not come back yet: the tasks wait here
        QuerySlots slots = new QuerySlots(2, handedOver::add);
        List<String> ran = new ArrayList<>();
        slots.execute(() -> ran.add("a"));
        slots.execute(() -> ran.add("b"));
        assertThatThrownBy(() -> slots.execute(() -> ran.add("c"))).isInstanceOf(RejectedExecutionException.class);

        handedOver.get(0).run(); // query a is done; its thread is not back yet
        slots.execute(() -> ran.add("d"));
        handedOver.get(1).run();
        handedOver.get(2).run();
        assertThat(ran).containsExactly("a", "b", "d");
    }

    @Test
    void aSlotIsFreedWhenTheQueryFailsAndWhenTheThreadsRefuseIt() throws Exception {
        QuerySlots failing = new QuerySlots(1, Runnable::run);
        assertThatThrownBy(() -> failing.execute(() -> { throw new IllegalStateException("boom"); }))
                .isInstanceOf(IllegalStateException.class);
        CountDownLatch ran = new CountDownLatch(1);
        failing.execute(ran::countDown);
        assertThat(ran.await(1, TimeUnit.SECONDS)).isTrue();

        QuerySlots refused = new QuerySlots(1, task -> { throw new RejectedExecutionException("shut down"); });
        assertThatThrownBy(() -> refused.execute(() -> { })).hasMessage("shut down");
        assertThatThrownBy(() -> refused.execute(() -> { })).as("the slot was given back").hasMessage("shut down");
    }
}
