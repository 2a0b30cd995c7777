package dev.pageviews.job.archive;

import static org.apache.parquet.schema.LogicalTypeAnnotation.stringType;
import static org.apache.parquet.schema.LogicalTypeAnnotation.timestampType;
import static org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.BINARY;
import static org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.BOOLEAN;
import static org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.INT64;

import dev.pageviews.event.PageViewCodec;
import org.apache.parquet.schema.LogicalTypeAnnotation.TimeUnit;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Types;

/**
 * The archive's Parquet schema: the JSON field names, with times as UTC-adjusted millisecond timestamps so
 * Athena, Spark, DuckDB and pandas read them as timestamps, not numbers.
 *
 * <pre>
 * message page_view {
 *   required binary user_id (STRING);
 *   required binary page_url (STRING);
 *   required int64 timestamp (TIMESTAMP(MILLIS,true));
 *   optional binary event_id (STRING);
 *   optional int64 received_at (TIMESTAMP(MILLIS,true));
 *   required boolean event_id_from_client;
 * }
 * </pre>
 *
 * {@code event_id_from_client} is true when {@code event_id} is the client's own (the view was counted once per
 * id), false when the edge assigned it or there is none.
 */
public final class ParquetSchema {

    public static final MessageType PAGE_VIEW = Types.buildMessage()
            .required(BINARY).as(stringType()).named(PageViewCodec.USER_ID)
            .required(BINARY).as(stringType()).named(PageViewCodec.PAGE_URL)
            .required(INT64).as(timestampType(true, TimeUnit.MILLIS)).named(PageViewCodec.TIMESTAMP)
            .optional(BINARY).as(stringType()).named(PageViewCodec.EVENT_ID)
            .optional(INT64).as(timestampType(true, TimeUnit.MILLIS)).named(PageViewCodec.RECEIVED_AT)
            .required(BOOLEAN).named(PageViewCodec.EVENT_ID_FROM_CLIENT)
            .named("page_view");

    private ParquetSchema() {}
}
