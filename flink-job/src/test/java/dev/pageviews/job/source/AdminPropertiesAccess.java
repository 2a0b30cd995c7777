package dev.pageviews.job.source;

import java.util.Properties;

/** Opens {@link AdminPartitionOffsets#adminProperties} to tests outside its package. */
public final class AdminPropertiesAccess {

    private AdminPropertiesAccess() {
    }

    public static Properties of(Properties sourceProperties) {
        return AdminPartitionOffsets.adminProperties(sourceProperties, "test");
    }
}
