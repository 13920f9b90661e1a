package io.prefillbench.report;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Run labels in the report say which timing options a run turned off. */
class RunComparisonLabelTest {
    @Test
    void labelsNameTheOptionsARunTurnedOff() {
        Path f = Path.of("results/prefill-ernie-4.5-0.3b-h200-20261129-223742-b.json");
        assertEquals("ernie-4.5-0.3b-h200-b", RunComparison.label(f, List.of("prefill", "--sizes", "16")));
        assertEquals("ernie-4.5-0.3b-h200-b (--no-library-edges)", RunComparison.label(f, List.of("prefill", "--no-library-edges")));
        assertEquals("ernie-4.5-0.3b-h200-b (--no-pdl) (--no-library-edges)",
                RunComparison.label(f, List.of("prefill", "--no-pdl", "--no-library-edges")));
        assertEquals("ernie-4.5-0.3b-h200-b", RunComparison.label(f, null));
    }
}
