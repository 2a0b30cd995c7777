package dev.pageviews.edge.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The leak check of the handler tests can fail: a buffer dropped without release() is reported. */
class NoLeaksTest {

    @Test
    void aBufferDroppedWithoutReleaseIsReported() throws InterruptedException {
        new NoLeaks().beforeAll(null);
        drop(ByteBufAllocator.DEFAULT.directBuffer(3).writeBytes(new byte[] {1, 2, 3}));

        List<String> leaks = new ArrayList<>();
        for (int round = 0; round < 20 && leaks.isEmpty(); round++) {
            System.gc();
            Thread.sleep(10);
            ByteBufAllocator.DEFAULT.directBuffer(1).release();
            leaks.addAll(RecordingLeakDetector.takeLeaks());
        }

        assertThat(ResourceLeakDetector.getLevel()).isEqualTo(ResourceLeakDetector.Level.PARANOID);
        assertThat(leaks).hasSize(1);
        assertThat(leaks.get(0)).contains("ByteBuf.release() was not called", "NoLeaksTest.aBufferDroppedWithoutReleaseIsReported");
    }

    private static void drop(ByteBuf buffer) {
        buffer.readByte(); // recorded, with where it happened
    }
}
