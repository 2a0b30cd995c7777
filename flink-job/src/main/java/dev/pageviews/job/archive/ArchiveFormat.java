package dev.pageviews.job.archive;

/** A file format of the archive ({@code --archive-format}): one FileSink each. */
public enum ArchiveFormat { JSON, PARQUET }
