package io.prefillbench;

import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherFactory;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectPackage;
import static org.junit.platform.launcher.TagFilter.includeTags;
import static org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder.request;

/**
 * The README promises that without a GPU the GPU tests are counted as skipped. A class-level skip (an assumption in
 * {@code @BeforeAll}) breaks that: Surefire then reports "Tests run: 0" for the class. So, without a GPU, every
 * gpu-tagged test must be skipped on its own and no test class may be skipped or aborted as a whole.
 */
class GpuTestsSkipPerTestTest {
    @Test
    void everyGpuTestIsSkippedOnItsOwn() {
        assumeFalse(GpuAssumptions.available(), "this machine runs the GPU tests for real");
        LauncherDiscoveryRequest req = request().selectors(selectPackage("io.prefillbench")).filters(includeTags("gpu")).build();
        Launcher launcher = LauncherFactory.create();
        List<String> skippedTests = new ArrayList<>(), ranTests = new ArrayList<>(), wholeClasses = new ArrayList<>();
        launcher.execute(req, new TestExecutionListener() {
            @Override
            public void executionSkipped(TestIdentifier id, String reason) {
                (id.isTest() ? skippedTests : wholeClasses).add(id.getDisplayName() + ": " + reason);
            }

            @Override
            public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                boolean aborted = result.getStatus() == TestExecutionResult.Status.ABORTED; // a failed assumption
                if (id.isTest()) (aborted ? skippedTests : ranTests).add(id.getDisplayName());
                else if (aborted) wholeClasses.add(id.getDisplayName() + ": " + result.getThrowable().map(Throwable::getMessage).orElse(""));
            }
        });
        assertEquals(List.of(), wholeClasses, "test classes skipped as a whole (Surefire counts their tests as not run)");
        assertEquals(List.of(), ranTests, "gpu tests that neither skipped nor needed a GPU");
        assertTrue(skippedTests.size() >= 5, skippedTests.toString());
    }
}
