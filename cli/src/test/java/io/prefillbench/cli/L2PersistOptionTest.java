package io.prefillbench.cli;

import io.prefillbench.BenchException;
import io.prefillbench.results.Floor;
import io.prefillbench.results.Results;
import io.prefillbench.results.RunConfig;
import io.prefillbench.results.SyntheticRuns;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** prefill --l2-persist (kernels/NOTES-forward.md v88): parsed to bytes, recorded as a run condition, said beside the floor. */
class L2PersistOptionTest {
    private static final long MIB = 1 << 20;

    @Test
    void mibOrMaxParseToBytesAndNothingElseParses() {
        assertEquals(0, PrefillCommand.l2PersistBytes(null), "none by default");
        assertEquals(0, PrefillCommand.l2PersistBytes("0"));
        assertEquals(45 * MIB, PrefillCommand.l2PersistBytes("45"));
        assertEquals(MIB / 2, PrefillCommand.l2PersistBytes("0.5"));
        assertEquals(Long.MAX_VALUE, PrefillCommand.l2PersistBytes("max"), "the engine clamps to the device's most");
        for (String bad : new String[] {"-1", "lots", "NaN", "2e9"}) {
            BenchException e = assertThrows(BenchException.class, () -> PrefillCommand.l2PersistBytes(bad), bad);
            assertTrue(e.getMessage().contains("--l2-persist"), e.getMessage());
        }
        PrefillCommand cmd = new PrefillCommand();
        new CommandLine(cmd).parseArgs("--l2-persist", "max");
        assertEquals("max", cmd.l2Persist);
        assertNull(new PrefillCommand().l2Persist);
        assertEquals(45 * MIB, PrefillCommand.engineOptions(null, 0, true).withL2Persist(45 * MIB).l2PersistBytes());
        assertEquals(0, PrefillCommand.engineOptions(null, 0, true).l2PersistBytes());
    }

    @Test
    void aRunThatHeldL2IsAnotherRunConditionAndAnOlderFileHeldNone() {
        RunConfig c = SyntheticRuns.config(RunConfig.FIRST_TOKENS_SYNC);
        assertNull(c.l2PersistBytes(), "a file written before the field");
        assertEquals(0L, c.conditions().get("l2PersistBytes"));
        assertEquals(c.conditions(), withL2(c, 0L).conditions(), "0 written is the same condition as absent");
        assertNotEquals(c.conditions(), withL2(c, 45 * MIB).conditions(), "the gate tells a run with L2 held apart");
    }

    @Test
    void theFloorLineSaysWhatStayedInTheL2() {
        Results r = SyntheticRuns.run(1, 50, 1.0);
        Floor f = new Floor(4.2, 636_600_000L, Floor.streamMs(636_600_000L, 4.2), 1L << 30, "copy");
        Results none = new Results(r.schema(), r.complete(), r.meta(), r.devices(), withL2(r.config(), 0L), r.captures(), r.workloads(), r.throttling(), f);
        Results held = new Results(r.schema(), r.complete(), r.meta(), r.devices(), withL2(r.config(), 45 * MIB), r.captures(), r.workloads(), r.throttling(), f);
        assertFalse(ProfileMarkdown.floorAndLaunches(none).contains("--l2-persist"));
        String md = ProfileMarkdown.floorAndLaunches(held);
        assertTrue(md.contains("--l2-persist: 45.0 MiB"), md);
        assertTrue(md.contains(String.format(java.util.Locale.ROOT, "%.3f ms for the bytes read from DRAM", Floor.streamMs(636_600_000L - 45 * MIB, 4.2))), md);
    }

    private static RunConfig withL2(RunConfig c, Long bytes) {
        return new RunConfig(c.model(), c.modelShape(), c.sizes(), c.maxNumSeqs(), c.warmup(), c.iterations(), c.seed(), c.gemm(),
                c.maxModelLen(), c.timedBy(), c.pdl(), c.padRatio(), c.padSlack(), c.modeOrder(), c.slowdownCycles(), c.implChoices(),
                c.libraryEdges(), c.hostTiming(), c.firstTokens(), c.warmupMs(), c.primeMs(), c.layoutWith(), bytes);
    }
}
