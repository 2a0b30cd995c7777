package dev.pageviews.read;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * What each package of the read service may use: boot ({@link ReadService}, {@link ReadConfig}) → API (server,
 * pipeline, handlers) → query (Plausible's query, parsed and run) and push (the commit feed and its streams) → store
 * (Redis). The store knows none of the others, so the API and the stream read one store the same way.
 */
@AnalyzeClasses(packages = "dev.pageviews.read", importOptions = ImportOption.DoNotIncludeTests.class)
class ReadArchitectureTest {

    /** Each package is a slice, the root package too: a cycle between any two fails. */
    @ArchTest
    static final ArchRule noPackageCycles = slices().matching("dev.pageviews.(**)").should().beFreeOfCycles();

    @ArchTest
    static final ArchRule dataPathOneWay = layeredArchitecture().consideringOnlyDependenciesInLayers()
            .layer("Boot").definedBy("dev.pageviews.read")
            .layer("Api").definedBy("dev.pageviews.read.api..")
            .layer("Query").definedBy("dev.pageviews.read.query..")
            .layer("Push").definedBy("dev.pageviews.read.push..")
            .layer("Store").definedBy("dev.pageviews.read.store..")
            .whereLayer("Boot").mayNotBeAccessedByAnyLayer()
            .whereLayer("Api").mayOnlyBeAccessedByLayers("Boot")
            .whereLayer("Query").mayOnlyAccessLayers("Store")
            .whereLayer("Push").mayOnlyAccessLayers("Store")
            .whereLayer("Store").mayNotAccessAnyLayer();
}
