package io.prefillbench.cli;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The throttle counters are read before and after each timed window; only what grew in between is reported. */
class ThrottleTest {
    @Test
    void countersParseAndUnsupportedFieldsMeanNoCounters() {
        assertArrayEquals(new long[] {711320, 0, 5, 0}, PrefillCommand.Throttle.parseCounters("711320, 0, 5, 0"));
        assertNull(PrefillCommand.Throttle.parseCounters("[N/A], [N/A], [N/A], [N/A]"));
        assertNull(PrefillCommand.Throttle.parseCounters("0, 0"));
        assertNull(PrefillCommand.Throttle.parseCounters(null)); // nvidia-smi failed: an unknown field on an older driver
    }

    @Test
    void onlyGrowthDuringTheWindowIsReported() {
        // a power cap that was active for days before the run is history, not throttling of this run
        assertNull(PrefillCommand.Throttle.delta("short", new long[] {711320, 0, 0, 0}, new long[] {711320, 0, 0, 0}));
        assertEquals("long: sw_power_cap +1500 us, hw_power_brake_slowdown +20 us during timing",
                PrefillCommand.Throttle.delta("long", new long[] {711320, 0, 0, 0}, new long[] {712820, 0, 0, 20}));
    }
}
