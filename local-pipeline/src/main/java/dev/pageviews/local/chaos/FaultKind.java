package dev.pageviews.local.chaos;

/** The faults a chaos run injects, one at a time. */
enum FaultKind {
    KAFKA_KILL("Kafka broker kill -9, restart on its data"),
    REDIS_KILL("Redis kill -9, restart from its AOF"),
    TASK_MANAGER_KILL("TaskManager terminated, new one started"),
    EDGE_KILL("edge kill -9, restart on its port"),
    REDIS_OOM("Redis maxmemory tiny (noeviction)"),
    REDIS_BAD_FIELD("Redis field set to a non-integer");

    private final String description;

    FaultKind(String description) {
        this.description = description;
    }

    String description() {
        return description;
    }
}
