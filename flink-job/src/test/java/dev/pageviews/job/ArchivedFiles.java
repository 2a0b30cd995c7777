package dev.pageviews.job;

import dev.pageviews.event.DecodeResult;
import dev.pageviews.event.PageView;
import dev.pageviews.event.PageViewCodec;
import dev.pageviews.stack.S3Api;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.schema.MessageType;

/**
 * Reads an archive back as its readers would (Athena, Spark and DuckDB skip names starting with {@code _} or
 * {@code .}): the finished part files, each with its path and its views decoded from JSON, gzip JSON or Parquet.
 */
final class ArchivedFiles {

    /** A finished part file: its path under the archive root, e.g. {@code format=json/dt=2024-11-05/hour=09/views-....json}. */
    record PartFile(String path, byte[] content) {
        String partition() {
            return path.substring(0, path.lastIndexOf('/'));
        }

        String name() {
            return path.substring(path.lastIndexOf('/') + 1);
        }
    }

    /** One archived view and the part file it is in. */
    record Archived(PartFile file, PageView view) {}

    static final Pattern PART_FILE = Pattern.compile(
            "format=(json|parquet)/dt=\\d{4}-\\d{2}-\\d{2}/hour=\\d{2}/views-[0-9a-f-]{36}-\\d+\\.(json|json\\.gz|parquet)");

    private ArchivedFiles() {}

    /**
     * Every object under {@code s3://bucket/prefix/}, finished or not, except directory markers ({@code .../hour=11/},
     * which S3A writes and S3Proxy's file store lists for a folder that is momentarily empty): no reader takes those as files.
     */
    static List<String> allKeys(S3Api s3, String bucket, String prefix) {
        return s3.list(bucket, prefix + "/").stream().map(o -> o.key().substring(prefix.length() + 1))
                .filter(key -> !key.endsWith("/"))
                .toList();
    }

    /** The finished part files under {@code s3://bucket/prefix/}. */
    static List<PartFile> finished(S3Api s3, String bucket, String prefix) {
        return allKeys(s3, bucket, prefix).stream()
                .filter(ArchivedFiles::isFinished)
                .map(path -> new PartFile(path, s3.get(bucket, prefix + "/" + path)))
                .toList();
    }

    /** The finished part files under a local archive directory. */
    static List<PartFile> finished(Path root) {
        if (!Files.exists(root)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(root)) {
            List<PartFile> parts = new ArrayList<>();
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String path = root.relativize(file).toString();
                if (isFinished(path)) {
                    parts.add(new PartFile(path, Files.readAllBytes(file)));
                }
            }
            return parts;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Hidden (in progress, pending, or a temporary object of an open S3 upload) unless no segment starts with _ or .. */
    static boolean isFinished(String path) {
        return Stream.of(path.split("/")).noneMatch(s -> s.startsWith("_") || s.startsWith("."));
    }

    static List<Archived> views(List<PartFile> files) {
        List<Archived> views = new ArrayList<>();
        for (PartFile file : files) {
            for (PageView view : file.name().endsWith(".parquet") ? parquet(file.content()) : jsonLines(file)) {
                views.add(new Archived(file, view));
            }
        }
        return views;
    }

    private static List<PageView> jsonLines(PartFile file) {
        try {
            byte[] bytes = file.name().endsWith(".gz")
                    ? new GZIPInputStream(new ByteArrayInputStream(file.content())).readAllBytes() : file.content();
            List<PageView> views = new ArrayList<>();
            for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
                if (line.isEmpty()) {
                    continue;
                }
                DecodeResult decoded = PageViewCodec.decode(line.getBytes(StandardCharsets.UTF_8));
                if (!(decoded instanceof DecodeResult.Valid valid)) {
                    throw new AssertionError(file.path() + " holds a line that is not a valid view: " + line);
                }
                views.add(valid.view());
            }
            return views;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The Parquet footer's schema. */
    static MessageType parquetSchema(byte[] parquet) {
        return readParquet(parquet, reader -> reader.getFooter().getFileMetaData().getSchema());
    }

    private static List<PageView> parquet(byte[] content) {
        return readParquet(content, reader -> {
            List<PageView> views = new ArrayList<>();
            MessageType schema = reader.getFooter().getFileMetaData().getSchema();
            PageReadStore rowGroup;
            while ((rowGroup = reader.readNextRowGroup()) != null) {
                RecordReader<Group> records = new ColumnIOFactory().getColumnIO(schema)
                        .getRecordReader(rowGroup, new GroupRecordConverter(schema));
                for (long i = 0; i < rowGroup.getRowCount(); i++) {
                    Group row = records.read();
                    views.add(new PageView(row.getString("user_id", 0), row.getString("page_url", 0),
                            Math.floorDiv(row.getLong("timestamp", 0), 1000L),
                            row.getFieldRepetitionCount("event_id") == 0 ? null : row.getString("event_id", 0),
                            row.getFieldRepetitionCount("received_at") == 0
                                    ? PageView.UNKNOWN_RECEIVE_TIME : row.getLong("received_at", 0),
                            row.getBoolean("event_id_from_client", 0)));
                }
            }
            return views;
        });
    }

    private interface ParquetRead<T> {
        T apply(ParquetFileReader reader) throws IOException;
    }

    /** parquet-hadoop reads files, not bytes: through a temporary copy. */
    private static <T> T readParquet(byte[] content, ParquetRead<T> read) {
        try {
            Path file = Files.createTempFile("archived-", ".parquet");
            try {
                Files.write(file, content);
                try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(file))) {
                    return read.apply(reader);
                }
            } finally {
                Files.delete(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
