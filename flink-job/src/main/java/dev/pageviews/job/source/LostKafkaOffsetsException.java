package dev.pageviews.job.source;

/**
 * The job cannot continue reading a Kafka partition where its state says without re-reading or skipping views: the
 * message names each partition, the offsets and the operator's choices ({@link LostOffsets#FLAG}).
 */
public final class LostKafkaOffsetsException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    LostKafkaOffsetsException(String message) {
        super(message);
    }

    LostKafkaOffsetsException(String message, Throwable cause) {
        super(message, cause);
    }
}
