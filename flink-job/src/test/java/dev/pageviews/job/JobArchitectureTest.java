package dev.pageviews.job;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * What each package of the job may use, so the data path reads one way: the topology (flags → {@link JobConfig} →
 * {@link PageViewsTopology}) wires source → dedup → counting (per page, and the older builds' windows) → sinks (Redis,
 * archive). No stage knows the topology or its config: each is handed the values it needs.
 */
@AnalyzeClasses(packages = "dev.pageviews.job", importOptions = ImportOption.DoNotIncludeTests.class)
class JobArchitectureTest {

    /** Each package is a slice, the root package too: a cycle between any two fails. */
    @ArchTest
    static final ArchRule noPackageCycles = slices().matching("dev.pageviews.(**)").should().beFreeOfCycles();

    @ArchTest
    static final ArchRule dataPathOneWay = layeredArchitecture().consideringOnlyDependenciesInLayers()
            .layer("Topology").definedBy("dev.pageviews.job")
            .layer("Source").definedBy("dev.pageviews.job.source..")
            .layer("Dedup").definedBy("dev.pageviews.job.dedup..")
            .layer("Counting").definedBy("dev.pageviews.job.count..", "dev.pageviews.job.window..")
            .layer("Sinks").definedBy("dev.pageviews.job.redis..", "dev.pageviews.job.archive..")
            .layer("Support").definedBy("dev.pageviews.job.hashing..", "dev.pageviews.job.types..")
            .whereLayer("Topology").mayNotBeAccessedByAnyLayer()
            .whereLayer("Source").mayOnlyAccessLayers("Support")
            .whereLayer("Dedup").mayOnlyAccessLayers("Support")
            // the first visits of the day remember visitors with dedup's per-bucket id sets
            .whereLayer("Counting").mayOnlyAccessLayers("Dedup", "Support")
            .whereLayer("Sinks").mayOnlyAccessLayers("Counting", "Support")
            .whereLayer("Sinks").mayOnlyBeAccessedByLayers("Topology")
            .whereLayer("Support").mayNotAccessAnyLayer();
}
