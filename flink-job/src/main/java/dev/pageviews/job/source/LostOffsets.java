package dev.pageviews.job.source;

/**
 * What the job does with a Kafka partition whose offset to continue from (restored from a checkpoint or savepoint,
 * or the consumer group's committed offset) is no longer in the partition's log: before its start (retention or
 * {@code deleteRecords} removed records the job had not read) or past its end (the log lost its tail, or the topic
 * was deleted and recreated). Kafka's own answer, {@code auto.offset.reset}, would re-read or skip views silently.
 */
public enum LostOffsets {

    /** The job fails, naming each partition, its offsets and these choices; it restarts until an operator chooses. */
    FAIL,

    /** Continue at the log start: before it, only records already deleted are missed; past the end, all is read again. */
    EARLIEST,

    /** Continue at the log end: every record still in the partition before it is skipped. */
    LATEST;

    /** The job setting that chooses (its flag), named in every message that asks an operator to choose. */
    public static final String FLAG = "--kafka-lost-offsets";
}
