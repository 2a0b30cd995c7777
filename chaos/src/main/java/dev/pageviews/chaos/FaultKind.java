package dev.pageviews.chaos;

/** The faults a chaos run injects, one at a time. */
enum FaultKind {
    KAFKA_KILL("kafka", "Kafka broker kill -9, restart on its data"),
    REDIS_KILL("redis", "Redis primary kill -9, restart from its AOF"),
    REDIS_FAILOVER("redis-failover", "Redis primary kill -9, replica promoted"),
    TASK_MANAGER_KILL("taskmanager", "TaskManager terminated, new one started"),
    EDGE_KILL("edge", "edge kill -9, restart on its port"),
    REDIS_OOM("redis-oom", "Redis maxmemory tiny (noeviction)"),
    REDIS_BAD_FIELD("redis-bad-field", "Redis field set to a non-integer"),
    REDIS_ACL("redis-acl", "Redis user loses a right, then regains it"),
    URL_FLOOD("url-flood", "one client floods distinct URLs");

    private final String flagName;
    private final String description;

    FaultKind(String flagName, String description) {
        this.flagName = flagName;
        this.description = description;
    }

    /** Its name in {@code --faults}. */
    String flagName() {
        return flagName;
    }

    /** Parses {@code --faults}: comma-separated names, or {@code all}; at least one. */
    static java.util.Set<FaultKind> parseList(String text) {
        String choices = "use all or some of "
                + String.join(",", java.util.Arrays.stream(values()).map(FaultKind::flagName).toList());
        java.util.Set<FaultKind> kinds = java.util.EnumSet.noneOf(FaultKind.class);
        for (String name : text.split(",")) {
            String wanted = name.trim();
            if (wanted.equals("all")) {
                kinds.addAll(java.util.EnumSet.allOf(FaultKind.class));
                continue;
            }
            kinds.add(java.util.Arrays.stream(values()).filter(k -> k.flagName.equals(wanted)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("unknown fault '" + wanted + "'; " + choices)));
        }
        if (kinds.isEmpty()) {
            throw new IllegalArgumentException("'" + text + "' names no fault; " + choices);
        }
        return kinds;
    }

    String description() {
        return description;
    }
}
