package io.prefillbench.cli;

import io.prefillbench.engine.PrefillRunner;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which forward each sample of a timed iteration comes from, and the ABBA order, without a GPU. */
class PairTimingTest {
    /** A fake engine: each forward logs its mode and whether the GPU events were on; its host time is its index + 1 (ns). */
    private static final class FakeEngine {
        final List<String> log = new ArrayList<>();
        boolean events = true;
        int failAt = -1;

        PairTiming.Sample run(PrefillRunner.Mode mode) {
            int i = log.size();
            log.add((mode == PrefillRunner.Mode.EAGER ? "E" : "G") + (events ? "+" : "-"));
            if (i == failAt) throw new IllegalStateException("planted");
            return new PairTiming.Sample(i + 1, events ? (i + 1) / 1e3 : Double.NaN); // gpu ms = index + 1 us
        }

        void iteration(HostTiming t, int it, boolean eager, boolean graph, long[] eh, long[] gh, long[] eg, long[] gg) {
            PairTiming.iteration(t, on -> events = on, this::run, it, eager, graph, eh, gh, eg, gg, 0);
        }
    }

    @Test
    void separateTakesHostSamplesFromForwardsWithoutEventsAndGpuSamplesFromTheTimedOnes() {
        FakeEngine f = new FakeEngine();
        long[] eh = {-1}, gh = {-1}, eg = {-1}, gg = {-1};
        f.iteration(HostTiming.SEPARATE, 0, true, true, eh, gh, eg, gg);
        assertEquals(List.of("E-", "G-", "E+", "G+"), f.log); // even iteration: eager first, in both passes
        assertArrayEquals(new long[]{1}, eh); // forward 0: eager, no events
        assertArrayEquals(new long[]{2}, gh);
        assertArrayEquals(new long[]{3000}, eg); // forward 2 (eager, events): 3 us
        assertArrayEquals(new long[]{4000}, gg);
        assertTrue(f.events, "the events are left on");
        f.log.clear();
        f.iteration(HostTiming.SEPARATE, 1, true, true, eh, gh, eg, gg);
        assertEquals(List.of("G-", "E-", "G+", "E+"), f.log); // odd iteration: graph first
        assertArrayEquals(new long[]{2}, eh); // the log restarted: eager ran second without events
        assertArrayEquals(new long[]{1}, gh);
        assertArrayEquals(new long[]{3000}, gg); // graph first in the timed pass too
        assertArrayEquals(new long[]{4000}, eg);
    }

    @Test
    void eventsTakesBothSamplesFromTheSameTimedForwards() {
        FakeEngine f = new FakeEngine();
        long[] eh = {-1}, gh = {-1}, eg = {-1}, gg = {-1};
        f.iteration(HostTiming.EVENTS, 0, true, true, eh, gh, eg, gg);
        assertEquals(List.of("E+", "G+"), f.log);
        assertArrayEquals(new long[]{1}, eh);
        assertArrayEquals(new long[]{1000}, eg);
        assertArrayEquals(new long[]{2}, gh);
        assertArrayEquals(new long[]{2000}, gg);
    }

    @Test
    void warmUpRecordsNothingAndRunsOnePass() {
        FakeEngine f = new FakeEngine();
        f.iteration(HostTiming.SEPARATE, 0, true, true, null, null, null, null);
        assertEquals(List.of("E+", "G+"), f.log);
    }

    @Test
    void oneModeOnlyRunsThatMode() {
        FakeEngine f = new FakeEngine();
        long[] eh = {-1}, gh = {-1}, eg = {-1}, gg = {-1};
        f.iteration(HostTiming.SEPARATE, 0, false, true, eh, gh, eg, gg);
        assertEquals(List.of("G-", "G+"), f.log);
        assertArrayEquals(new long[]{-1}, eh);
        assertArrayEquals(new long[]{1}, gh);
        assertArrayEquals(new long[]{2000}, gg);
    }

    @Test
    void aFailingUntimedForwardLeavesTheEventsOn() {
        FakeEngine f = new FakeEngine();
        f.failAt = 1;
        long[] a = {0}, b = {0}, c = {0}, d = {0};
        assertThrows(IllegalStateException.class, () -> f.iteration(HostTiming.SEPARATE, 0, true, true, a, b, c, d));
        assertTrue(f.events, "a later forward must be timed again");
    }

    @Test
    void parseTakesBothNamesInAnyCaseAndRefusesTheRest() {
        assertEquals(HostTiming.SEPARATE, HostTiming.parse("separate"));
        assertEquals(HostTiming.EVENTS, HostTiming.parse(" EVENTS "));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HostTiming.parse("both"));
        assertEquals("--host-timing takes separate or events, not 'both'", e.getMessage());
        assertTrue(HostTiming.SEPARATE.recorded().startsWith("separate: "));
        assertTrue(HostTiming.EVENTS.recorded().startsWith("events: "));
    }
}
