package dev.pageviews.chaos;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** Chaos's packages ({@code dev.pageviews.chaos} and any below it) do not depend on each other in a circle. */
@AnalyzeClasses(packages = "dev.pageviews.chaos", importOptions = ImportOption.DoNotIncludeTests.class)
class ChaosArchitectureTest {

    /** Each package is a slice, the root package too: a cycle between any two fails. */
    @ArchTest
    static final ArchRule noPackageCycles = slices().matching("dev.pageviews.(**)").should().beFreeOfCycles();
}
