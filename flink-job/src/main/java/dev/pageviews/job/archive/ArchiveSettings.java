package dev.pageviews.job.archive;

import java.time.Duration;
import java.util.Set;

/**
 * What the archive is told by the job's flags: {@code path} ({@code --archive-path}, empty: no archive), the
 * {@code formats} in the order given, {@code jsonGzip} ({@code --archive-json-gzip}), when plain JSON part files
 * roll ({@code rollInterval}), the largest part file ({@code maxPartSizeBytes}), and how late a view may be to be
 * filed under the hour it happened ({@code maxLateness}).
 */
public record ArchiveSettings(String path, Set<ArchiveFormat> formats, boolean jsonGzip, Duration rollInterval,
        long maxPartSizeBytes, Duration maxLateness) {}
