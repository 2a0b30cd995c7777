package dev.pageviews.job;

import java.util.Map;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.metrics.groups.InternalOperatorMetricGroup;
import org.apache.flink.runtime.metrics.util.InterceptingOperatorMetricGroup;
import org.apache.flink.runtime.metrics.util.InterceptingTaskMetricGroup;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.runtime.operators.testutils.MockEnvironmentBuilder;

/** An environment for Flink's operator test harnesses whose operator metrics a test can read back by name. */
public final class OperatorMetrics {

    private final InterceptingOperatorMetricGroup operator = new InterceptingOperatorMetricGroup();
    private final MockEnvironment environment;

    public OperatorMetrics(int maxParallelism, int parallelism, int subtask) {
        InterceptingTaskMetricGroup task = new InterceptingTaskMetricGroup() {
            @Override
            public InternalOperatorMetricGroup getOrAddOperator(OperatorID id, String name, Map<String, String> variables) {
                return operator;
            }
        };
        environment = new MockEnvironmentBuilder().setMaxParallelism(maxParallelism).setParallelism(parallelism)
                .setSubtaskIndex(subtask).setMetricGroup(task).build();
    }

    public MockEnvironment environment() {
        return environment;
    }

    /** The count of the operator's counter {@code name}; fails when the operator registered none. */
    public long count(String name) {
        Counter counter = (Counter) operator.get(name);
        if (counter == null) {
            throw new AssertionError("the operator registered no metric " + name);
        }
        return counter.getCount();
    }
}
