package io.prefillbench.plan;

import org.junit.jupiter.api.Test;

import static io.prefillbench.plan.PaddingGuard.Mode.EAGER;
import static io.prefillbench.plan.PaddingGuard.Mode.GRAPH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PaddingGuardTest {
    private final PaddingGuard guard = PaddingGuard.DEFAULT;

    @Test
    void smallBatchesStayOnGraphsWithinSlack() {
        var d = guard.decide(1, 8);
        assertEquals(GRAPH, d.mode());
        assertEquals(8, d.paddedTokens());
        assertTrue(d.reason().contains("slack"), d.reason());
        assertEquals(GRAPH, guard.decide(1, 65).mode()); // 64 padded tokens = slack
        assertEquals(EAGER, guard.decide(1, 66).mode());
    }

    @Test
    void largePaddingFallsBackToEagerWithReason() {
        var d = guard.decide(65, 512);
        assertEquals(EAGER, d.mode());
        assertEquals(65, d.paddedTokens());
        assertTrue(d.reason().contains("65 -> graph 512") && d.reason().contains("eager"), d.reason());
        assertEquals(0.0, d.wastePercent());
    }

    @Test
    void ratioBoundaryIsInclusive() {
        assertEquals(GRAPH, guard.decide(100, 200).mode()); // exactly 2.0x
        assertEquals(EAGER, guard.decide(100, 201).mode());
        var d = guard.decide(200, 256);
        assertEquals(GRAPH, d.mode());
        assertEquals(100.0 * 56 / 256, d.wastePercent(), 1e-9);
    }

    @Test
    void noBucketIsEager() {
        var d = guard.decide(600, CaptureSizes.parse("16,64,512", 4096));
        assertEquals(EAGER, d.mode());
        assertTrue(d.reason().contains("largest 512"), d.reason());
        assertEquals(GRAPH, guard.decide(40, CaptureSizes.parse("16,64,512", 4096)).mode());
    }

    @Test
    void stricterGuard() {
        var strict = new PaddingGuard(1.25, 0);
        assertEquals(EAGER, strict.decide(1, 2).mode());
        assertEquals(GRAPH, strict.decide(4, 5).mode());
    }

    @Test
    void rejectsBadSettingsAndInputs() {
        assertThrows(IllegalArgumentException.class, () -> new PaddingGuard(0.9, 64));
        assertThrows(IllegalArgumentException.class, () -> new PaddingGuard(Double.NaN, 64));
        assertThrows(IllegalArgumentException.class, () -> new PaddingGuard(2.0, -1));
        assertThrows(IllegalArgumentException.class, () -> guard.decide(10, 9));
        assertThrows(IllegalArgumentException.class, () -> guard.decide(0, 9));
    }
}
