package dev.pageviews.job;

import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What an IT that runs jobs needs: a MiniCluster for its class ({@link FlinkCluster#extension()}), started before its
 * first test and closed after its last, and {@link #flink} to drive it. After each test the jobs it left running are
 * cancelled: the extension cancels them only when the class ends, so a test that failed mid-job would keep slots the
 * next test needs.
 */
abstract class OnFlinkCluster {

    @RegisterExtension
    static final MiniClusterExtension FLINK = FlinkCluster.extension();
    static FlinkCluster flink;

    @BeforeAll
    static void connect(@InjectMiniCluster MiniCluster cluster) throws Exception {
        flink = new FlinkCluster(cluster);
    }

    @AfterEach
    void cancelJobsLeftRunning() throws Exception {
        flink.cancelJobsLeftRunning();
    }
}
