package dev.pageviews.event;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * Encodes views one at a time for one thread, through one generator kept open over one reused buffer: each view
 * is a root-level value of that generator, flushed and copied out exactly. A generator, its write context and a
 * growing builder per view were most of what the edge allocated per event (BENCHMARKS.md, "Why the codec and the
 * encoder are written as they are").
 *
 * <p>Not thread-safe: {@link PageViewCodec#encode} keeps one per thread and drops it after any failure, so a
 * generator left in the middle of an object never writes another view.
 */
final class ThreadViewEncoder {

    private final ReusedBytes out = new ReusedBytes();
    private final JsonGenerator generator;

    ThreadViewEncoder(JsonFactory json) throws IOException {
        generator = json.createGenerator(out, JsonEncoding.UTF8);
        generator.setRootValueSeparator(null); // views are separate documents: nothing between them
    }

    byte[] encode(PageView view) throws IOException {
        out.reset();
        PageViewCodec.write(generator, view);
        generator.flush(); // the generator's own buffer into out
        return out.copy();
    }

    /** A byte sink that keeps its array between views (it grows to the largest view this thread encoded). */
    private static final class ReusedBytes extends OutputStream {

        private byte[] bytes = new byte[512];
        private int size;

        @Override
        public void write(int b) {
            ensure(1);
            bytes[size++] = (byte) b;
        }

        @Override
        public void write(byte[] source, int offset, int length) {
            ensure(length);
            System.arraycopy(source, offset, bytes, size, length);
            size += length;
        }

        private void ensure(int more) {
            if (size + more > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
            }
        }

        void reset() {
            size = 0;
        }

        byte[] copy() {
            return Arrays.copyOf(bytes, size);
        }
    }
}
