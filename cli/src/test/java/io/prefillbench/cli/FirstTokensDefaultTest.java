package io.prefillbench.cli;

import io.prefillbench.engine.FirstTokenWait;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FirstTokensDefaultTest {
    @Test
    void theDefaultSpinBecomesSyncWhereEveryHostSampleIsEventTimed() {
        assertEquals(FirstTokenWait.SPIN, PrefillCommand.resolveFirstTokens(FirstTokenWait.SPIN, false, HostTiming.SEPARATE));
        assertEquals(FirstTokenWait.SYNC, PrefillCommand.resolveFirstTokens(FirstTokenWait.SPIN, false, HostTiming.EVENTS));
        assertEquals(FirstTokenWait.SYNC, PrefillCommand.resolveFirstTokens(FirstTokenWait.SYNC, true, HostTiming.SEPARATE));
    }

    @Test
    void anExplicitSpinWithEventTimingIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PrefillCommand.resolveFirstTokens(FirstTokenWait.SPIN, true, HostTiming.EVENTS));
        assertTrue(e.getMessage().contains("--first-tokens spin has no effect with --host-timing events"), e.getMessage());
    }

    @Test
    void spinIsTheDefault() {
        assertEquals("spin", new PrefillCommand().firstTokens);
    }
}
