package io.prefillbench.forward;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * smemCarveout rows (s27): the L1 / shared memory split a plan's kernel launches ask for, by capture size and model (hidden
 * size); the op dump shows it on every kernel line of such a plan and on no library call; a run's identity counts the row.
 */
class SmemCarveoutRowTest {
    private static ImplChoices with(ImplChoices.CarveoutRow... rows) {
        return ImplChoices.bundled().withSmemCarveout(List.of(rows));
    }

    @Test
    void aRowSetsItsSizesAndModelOnly() {
        ImplChoices c = with(new ImplChoices.CarveoutRow(100, 1024, 81, 128, 90, "test"));
        LoweredForward ernie = ForwardTestSupport.lower("ernie-4.5-0.3b", "16,64,80,128,512", 16, 132, ImplRegistry.standard(), c);
        assertEquals(100, ernie.plan(128).smemCarveout());
        for (int size : new int[] {16, 64, 80, 512}) assertEquals(-1, ernie.plan(size).smemCarveout(), "size " + size);
        // the fresh-prompt graph at 128 is a plan of that size too
        assertEquals(100, ernie.freshPlan(128).orElseThrow().smemCarveout());
        LoweredForward llama = ForwardTestSupport.lower("llama-3.2-1b", "128", 16, 132, ImplRegistry.standard(), c);
        assertEquals(-1, llama.plan(128).smemCarveout(), "hidden 2048: not the row's model");
        // the bundled row (s27 call 5): ERNIE at 17..128, not at 16 or 512, not Llama or tiny
        LoweredForward bundled = ForwardTestSupport.lower("ernie-4.5-0.3b", "16,17,128,512", 16, 132, ImplRegistry.standard(), ImplChoices.bundled());
        assertEquals(100, bundled.plan(17).smemCarveout());
        assertEquals(100, bundled.plan(128).smemCarveout());
        assertEquals(-1, bundled.plan(16).smemCarveout());
        assertEquals(-1, bundled.plan(512).smemCarveout());
        for (String other : new String[] {"llama-3.2-1b", "tiny"})
            assertEquals(-1, ForwardTestSupport.lower(other, "128", 16, 132, ImplRegistry.standard(), ImplChoices.bundled()).plan(128).smemCarveout(), other);
    }

    @Test
    void anExactRowWinsOverARangeRow() {
        ImplChoices c = with(new ImplChoices.CarveoutRow(100, 0, 65, 512, 90, "range"), new ImplChoices.CarveoutRow(50, 0, 128, null, 90, "exact"));
        LoweredForward f = ForwardTestSupport.lower("ernie-4.5-0.3b", "96,128", 16, 132, ImplRegistry.standard(), c);
        assertEquals(50, f.plan(128).smemCarveout());
        assertEquals(100, f.plan(96).smemCarveout());
    }

    @Test
    void theDumpShowsItOnKernelLinesOnly() {
        ImplChoices c = with(new ImplChoices.CarveoutRow(100, 0, 512, null, 90, "test"));
        String dump = OpDump.of(ForwardTestSupport.lower("ernie-4.5-0.3b", "16,512", 16, 132, ImplRegistry.standard(), c));
        long kernels512 = 0, carved = 0, library = 0;
        for (String line : dump.split("\n")) {
            if (!line.startsWith("size=512 ")) {
                assertFalse(line.contains("carveout="), line);
                continue;
            }
            boolean lib = line.contains(" kernel=cublasLtMatmul ");
            if (lib) library++;
            else kernels512++;
            if (line.contains(" carveout=100")) carved++;
            if (lib) assertFalse(line.contains("carveout="), "a library call keeps its own split: " + line);
        }
        assertTrue(library > 0 && kernels512 > 0);
        assertEquals(kernels512, carved);
    }

    @Test
    void aRunsIdentityCountsTheRowAndBadRowsAreRefused() {
        ImplChoices c = with(new ImplChoices.CarveoutRow(100, 1024, 81, 128, 90, "test"));
        LoweredForward f = ForwardTestSupport.lower("ernie-4.5-0.3b", "16,128", 16, 132, ImplRegistry.standard(), c);
        assertEquals(1, c.appliedTo(f).smemCarveout().size());
        assertNotEquals(ImplChoices.bundled().appliedTo(f).identity("x"), c.appliedTo(f).identity("x"));
        LoweredForward small = ForwardTestSupport.lower("ernie-4.5-0.3b", "16,64", 16, 132, ImplRegistry.standard(), c);
        assertEquals(0, c.appliedTo(small).smemCarveout().size(), "a row for sizes the run has not changes no identity");
        assertThrows(IllegalArgumentException.class, () -> new ImplChoices.CarveoutRow(101, 0, 1, null, 90, "x"));
        assertThrows(IllegalArgumentException.class, () -> new ImplChoices.CarveoutRow(50, 0, 128, 64, 90, "x"));
        // the JSON form round-trips
        ImplChoices parsed = ImplChoices.parse(c.toJson());
        assertEquals(c.smemCarveout(), parsed.smemCarveout());
    }
}
