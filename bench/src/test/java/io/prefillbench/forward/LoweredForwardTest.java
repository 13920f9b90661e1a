package io.prefillbench.forward;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.prefillbench.forward.CaptureKey.Batch.DECODE;
import static io.prefillbench.forward.CaptureKey.Batch.FRESH;
import static io.prefillbench.forward.CaptureKey.Batch.PLAIN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** LoweredForward's plans by batch kind: each kind's plans hold keys of that kind, and a non-plain plan its size's plain plan. */
class LoweredForwardTest {
    @Test
    void aKindsPlanNeedsItsKindsKeyAndItsSizesPlainPlan() {
        // the bundled rows give ERNIE a decode graph at 16 and fresh-prompt graphs at 16 and 128
        LoweredForward f = ForwardTestSupport.lower("ernie-4.5-0.3b", "16,128", 16, 132, ImplRegistry.standard(), ImplChoices.bundled());
        LoweredPlan plain16 = f.plan(16), plain128 = f.plan(128), decode16 = f.decodePlan(16).orElseThrow(), fresh128 = f.freshPlan(128).orElseThrow();
        LoweredPlan fresh16 = f.freshPlan(16).orElseThrow();
        assertEquals(List.of(plain16, plain128, decode16, fresh16, fresh128), f.everyPlan(), "plain, then decode, then fresh-prompt");

        // a kind left out is empty; the same plans make the same forward
        assertEquals(Map.of(), new LoweredForward(f.program(), Map.of(PLAIN, Map.of(16, plain16)), f.layout()).plans(FRESH));
        assertEquals(f, new LoweredForward(f.program(), f.plans(), f.layout()));

        var noPlain = assertThrows(IllegalArgumentException.class, () -> new LoweredForward(f.program(),
                Map.of(PLAIN, Map.of(128, plain128), DECODE, Map.of(16, decode16)), f.layout()));
        assertEquals("decode plan of size 16 without its plain plan", noPlain.getMessage());
        var noFreshPlain = assertThrows(IllegalArgumentException.class, () -> new LoweredForward(f.program(),
                Map.of(PLAIN, Map.of(16, plain16), FRESH, Map.of(128, fresh128)), f.layout()));
        assertEquals("fresh-prompt plan of size 128 without its plain plan", noFreshPlain.getMessage());
        var wrongKind = assertThrows(IllegalArgumentException.class, () -> new LoweredForward(f.program(),
                Map.of(PLAIN, Map.of(16, plain16, 128, plain128), FRESH, Map.of(16, decode16)), f.layout()));
        assertEquals("fresh-prompt plan of size 16 has a decode key", wrongKind.getMessage());
        var notPlain = assertThrows(IllegalArgumentException.class, () -> new LoweredForward(f.program(),
                Map.of(PLAIN, Map.of(16, decode16)), f.layout()));
        assertEquals("plain plan of size 16 has a decode key", notPlain.getMessage());
    }
}
