package dev.pageviews.edge.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The shared budget for bodies being received, through the decoder, the budget and the aggregator of several
 * connections (one {@link EmbeddedChannel} each, one pool). Leak detection is paranoid in this module's tests, and
 * every request read here must end released.
 */
class BodyMemoryBudgetTest {

    private static final int MAX_BODY = 1 << 20;
    private final BodyMemoryBudget.Pool pool = new BodyMemoryBudget.Pool(256 * 1024); // large bodies: 128 KiB together
    private final List<EmbeddedChannel> channels = new ArrayList<>();
    private final List<FullHttpRequest> read = new ArrayList<>();

    @AfterEach
    void closeAndRelease() {
        channels.forEach(BodyMemoryBudgetTest::closeMidBody);
        read.forEach(r -> r.release(r.refCnt()));
        assertThat(pool.used()).as("nothing reserved once every connection is closed").isZero();
    }

    @Test
    void aDeclaredBodyReservesItsLengthUntilItHasArrivedInFull() {
        EmbeddedChannel a = connection();

        write(a, head(100_000) + "x".repeat(40_000));
        long whileArriving = pool.used();
        write(a, "x".repeat(60_000));

        assertThat(whileArriving).isEqualTo(100_000);
        FullHttpRequest request = only(a);
        assertThat(request.decoderResult().isSuccess()).isTrue();
        assertThat(request.content().readableBytes()).isEqualTo(100_000);
        assertThat(pool.used()).isZero();
    }

    @Test
    void largeBodiesThatDoNotFitTheirHalfAreRefusedWhileSmallOnesStillGetThrough() {
        EmbeddedChannel slowLarge = connection();
        EmbeddedChannel secondLarge = connection();
        EmbeddedChannel small = connection();

        write(slowLarge, head(100_000) + "x".repeat(1_000)); // holds 100,000 of the 131,072 large bodies may use
        write(secondLarge, head(100_000));
        write(small, head(500) + "y".repeat(500));

        assertThat(only(secondLarge).decoderResult().cause()).isInstanceOf(BodyMemoryBudget.BodyMemoryFull.class);
        assertThat(only(small).decoderResult().isSuccess()).isTrue();
        assertThat(slowLarge.inboundMessages()).isEmpty(); // still arriving
        assertThat(pool.used()).isEqualTo(100_000);
        write(secondLarge, "z".repeat(100_000)); // the refused body's bytes are dropped, not aggregated
        assertThat(secondLarge.inboundMessages()).isEmpty();
        assertThat(pool.used()).isEqualTo(100_000);
    }

    @Test
    void smallBodiesTogetherMayUseTheWholeBudgetAndNoMore() {
        List<EmbeddedChannel> open = new ArrayList<>();
        for (int i = 0; i < 5; i++) { // 5 x 60,000 = 300,000 > 262,144: the fifth does not fit
            EmbeddedChannel c = connection();
            write(c, head(60_000) + "s".repeat(100));
            open.add(c);
        }
        assertThat(open.subList(0, 4)).allSatisfy(c -> assertThat(c.inboundMessages()).isEmpty());
        assertThat(only(open.get(4)).decoderResult().cause()).isInstanceOf(BodyMemoryBudget.BodyMemoryFull.class);
        assertThat(pool.used()).isEqualTo(240_000);
    }

    @Test
    void aChunkedBodyReservesAsItGrowsAndIsRefusedWhenItNoLongerFits() {
        EmbeddedChannel chunked = connection();

        write(chunked, "POST /api/v1/track/batch HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-ndjson\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n");
        write(chunked, chunk(60_000));
        long small = pool.used();
        write(chunked, chunk(60_000)); // 120,000: now large, still within 131,072
        long large = pool.used();
        write(chunked, chunk(20_000)); // 140,000: over the large half

        assertThat(small).isEqualTo(60_000);
        assertThat(large).isEqualTo(120_000);
        FullHttpRequest refused = only(chunked);
        assertThat(refused.decoderResult().cause()).isInstanceOf(BodyMemoryBudget.BodyMemoryFull.class);
        assertThat(pool.used()).isZero();
        write(chunked, chunk(10) + "0\r\n\r\n"); // the rest of the refused body is dropped
        assertThat(chunked.inboundMessages()).isEmpty();
    }

    @Test
    void aConnectionClosedMidBodyGivesItsReservationBack() {
        EmbeddedChannel a = connection();
        write(a, head(100_000) + "x".repeat(10));
        assertThat(pool.used()).isEqualTo(100_000);

        closeMidBody(a);

        assertThat(pool.used()).isZero();
    }

    @Test
    void aBodyOverTheMaximumSizeIsLeftToTheAggregatorsAnswerAndReservesNothing() {
        EmbeddedChannel a = connection();

        write(a, head(MAX_BODY + 1));

        assertThat(pool.used()).isZero();
        assertThat(only(a).decoderResult().cause()).isNotInstanceOf(BodyMemoryBudget.BodyMemoryFull.class);
    }

    /** Closes the connection; the aggregator reports a body cut short, as it does in the edge. */
    private static void closeMidBody(EmbeddedChannel channel) {
        try {
            channel.finishAndReleaseAll();
        } catch (PrematureChannelClosureException expected) {
            channel.releaseInbound();
        }
    }

    private EmbeddedChannel connection() {
        EmbeddedChannel channel = new EmbeddedChannel(new HttpRequestDecoder(), new BodyMemoryBudget(pool, MAX_BODY),
                new BodyAggregator(MAX_BODY));
        channels.add(channel);
        return channel;
    }

    private static String head(int length) {
        return "POST /api/v1/track/batch HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-ndjson\r\nContent-Length: "
                + length + "\r\n\r\n";
    }

    private static String chunk(int size) {
        return Integer.toHexString(size) + "\r\n" + "c".repeat(size) + "\r\n";
    }

    private static void write(EmbeddedChannel channel, String bytes) {
        channel.writeInbound(Unpooled.copiedBuffer(bytes, StandardCharsets.US_ASCII));
    }

    private FullHttpRequest only(EmbeddedChannel channel) {
        assertThat(channel.inboundMessages()).hasSize(1);
        FullHttpRequest request = channel.readInbound();
        read.add(request);
        return request;
    }
}
