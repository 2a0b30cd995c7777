package dev.pageviews.job.redis;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A job's history (its lineage) and the guard that keeps a restore from going back behind what Redis has counted.
 *
 * <p>A job restored from checkpoint K re-reads from Kafka everything after K. If Redis has already applied the
 * commits of a later checkpoint, their views are counted a second time (their commit markers have other ids). So
 * every commit records, in the hash {@link RedisSinkSettings#lineageKey()}, the lineage it belongs to and the
 * newest checkpoint of that lineage Redis has applied; and a writer restored from checkpoint K refuses to start when
 * that record is ahead of K, or names another lineage (a job started without state since, which Redis followed).
 * That covers a wrong {@code -s} path, a checkpoint directory restored from a backup, and a data dir copied back.
 *
 * <p>A lineage begins when a job starts without state (named after that job's id) and is carried in the writers'
 * state from checkpoint to checkpoint. Checkpoint ids grow along a lineage (a job restored from checkpoint K
 * continues at K + 1). A committable carries a lower bound of its checkpoint id, the id of the last checkpoint whose
 * barrier passed its writer plus one: any completed checkpoint at or after the real one is at least that, so the
 * guard never refuses a restore that is not behind.
 */
final class Lineage {

    private static final Logger LOG = LoggerFactory.getLogger(Lineage.class);

    /** What Redis records: the lineage that committed last and its newest applied checkpoint. */
    record Record(String lineage, long checkpoint) {}

    /** Redis has counted past the restore point; the message says what happened and what to do. */
    static final class RestoreBehindRedis extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        RestoreBehindRedis(String message) {
            super(message);
        }
    }

    private Lineage() {}

    /** The lineage a job started now continues (or begins), after checking that its restore point is not behind Redis. */
    static String resolve(OptionalLong restoredCheckpoint, Collection<String> restoredLineages, String newLineage,
            Optional<Record> inRedis, boolean allowBehind, String hashKey) {
        if (restoredCheckpoint.isEmpty()) {
            inRedis.ifPresent(record -> LOG.info("Hash '{}' was last committed to by lineage {} (checkpoint {}); this job "
                    + "starts without state and begins lineage {}", hashKey, record.lineage(), record.checkpoint(), newLineage));
            return newLineage;
        }
        long restored = restoredCheckpoint.getAsLong();
        Set<String> distinct = new LinkedHashSet<>(restoredLineages);
        String mine = distinct.size() == 1 ? distinct.iterator().next() : null;
        if (distinct.size() > 1) {
            LOG.warn("The restored state names several lineages {}; comparing checkpoint ids only", distinct);
        }
        if (inRedis.isEmpty()) {
            return mine != null ? mine : newLineage;
        }
        Record record = inRedis.get();
        boolean otherLineage = mine != null && !mine.equals(record.lineage());
        if (!otherLineage && record.checkpoint() <= restored) {
            return mine != null ? mine : record.lineage();
        }
        String what = otherLineage
                ? "Redis hash '" + hashKey + "' has since been counted into by another job history (lineage "
                        + record.lineage() + ", up to its checkpoint " + record.checkpoint() + ") than the one restored (lineage "
                        + mine + ", checkpoint " + restored + ")"
                : "Redis hash '" + hashKey + "' has already applied the commits of checkpoint " + record.checkpoint()
                        + " of this job's history, and the job was restored from checkpoint " + restored;
        if (allowBehind) {
            LOG.warn("{}: the views read after checkpoint {} that Redis had counted are counted again, as "
                    + "--allow-restore-behind-redis says. From here on this job is lineage {}", what, restored, newLineage);
            return newLineage;
        }
        throw new RestoreBehindRedis(what + ": the restore point is older than what Redis has counted, and restoring it "
                + "would count the views in between twice. This happens when an older checkpoint or savepoint is restored "
                + "(a wrong -s path, a checkpoint directory restored from a backup, a data dir copied back). Restore the "
                + "newest checkpoint or savepoint (checkpoint " + record.checkpoint() + " or later), or accept the double "
                + "counts with --allow-restore-behind-redis.");
    }
}
