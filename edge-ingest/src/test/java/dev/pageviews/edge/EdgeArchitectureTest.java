package dev.pageviews.edge;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * What each package of the edge may use, so the data path reads one way: boot ({@link EdgeServer} and the two
 * initializers that build the pipelines) → handlers ({@code admit}, {@code track}, {@code tracker}) → producer. The
 * {@code http} package holds the pipeline's building blocks and the exchange the handlers answer, and knows none of
 * them; {@code config} is the flags, read by boot and the producer.
 */
@AnalyzeClasses(packages = "dev.pageviews.edge", importOptions = ImportOption.DoNotIncludeTests.class)
class EdgeArchitectureTest {

    /** Each package is a slice, the root package too: a cycle between any two fails. */
    @ArchTest
    static final ArchRule noPackageCycles = slices().matching("dev.pageviews.(**)").should().beFreeOfCycles();

    @ArchTest
    static final ArchRule dataPathOneWay = layeredArchitecture().consideringOnlyDependenciesInLayers()
            .layer("Boot").definedBy("dev.pageviews.edge")
            .layer("Config").definedBy("dev.pageviews.edge.config..")
            .layer("Handlers").definedBy("dev.pageviews.edge.admit..", "dev.pageviews.edge.track..",
                    "dev.pageviews.edge.tracker..")
            .layer("Http").definedBy("dev.pageviews.edge.http..")
            .layer("Producer").definedBy("dev.pageviews.edge.produce..")
            .layer("Metrics").definedBy("dev.pageviews.edge.metrics..")
            .whereLayer("Boot").mayNotBeAccessedByAnyLayer()
            // the config parses the admission's site policy; nothing else reaches the handlers but boot
            .whereLayer("Handlers").mayOnlyBeAccessedByLayers("Boot", "Config")
            .whereLayer("Producer").mayOnlyBeAccessedByLayers("Boot", "Handlers")
            .whereLayer("Producer").mayOnlyAccessLayers("Config", "Http", "Metrics")
            .whereLayer("Config").mayOnlyAccessLayers("Http", "Handlers")
            .whereLayer("Http").mayOnlyAccessLayers("Metrics")
            .whereLayer("Metrics").mayNotAccessAnyLayer();
}
