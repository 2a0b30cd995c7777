package dev.pageviews.job.source;

import dev.pageviews.event.PageView;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/**
 * The type of the stream of valid views, so that Flink serializes them with {@link PageViewSerializer} instead of its
 * reflective serializer for records. Given where the stream is made ({@code validate}); every operator downstream
 * keeps it.
 */
public final class PageViewTypeInfo extends TypeInformation<PageView> {

    private static final long serialVersionUID = 1L;

    public static final PageViewTypeInfo INSTANCE = new PageViewTypeInfo();

    private PageViewTypeInfo() {}

    @Override
    public boolean isBasicType() {
        return false;
    }

    @Override
    public boolean isTupleType() {
        return false;
    }

    @Override
    public int getArity() {
        return 1;
    }

    @Override
    public int getTotalFields() {
        return 1;
    }

    @Override
    public Class<PageView> getTypeClass() {
        return PageView.class;
    }

    @Override
    public boolean isKeyType() {
        return false;
    }

    @Override
    public TypeSerializer<PageView> createSerializer(SerializerConfig config) {
        return PageViewSerializer.INSTANCE;
    }

    @Override
    public String toString() {
        return "PageView";
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof PageViewTypeInfo;
    }

    @Override
    public int hashCode() {
        return PageView.class.hashCode();
    }

    @Override
    public boolean canEqual(Object obj) {
        return obj instanceof PageViewTypeInfo;
    }
}
