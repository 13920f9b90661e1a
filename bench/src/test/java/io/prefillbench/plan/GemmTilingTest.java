package io.prefillbench.plan;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GemmTilingTest {
    @Test
    void handComputedCasesOfTheErnieShapes() {
        // 16 rows, small tile. qkv n=1280: 20 blocks -> 40 -> 80 -> 160, capped at 8 splits.
        assertEquals(new GemmTiling.Choice(false, 64, 64, 8), GemmTiling.choose(1280, 1024, 16, 132));
        // gate_up n=6144: 96 blocks -> 192 >= 132 SMs after one halving.
        assertEquals(new GemmTiling.Choice(false, 64, 64, 2), GemmTiling.choose(6144, 1024, 16, 132));
        // down k=3072: 16 blocks -> 8 splits (3072/16 = 192 >= 128 per split).
        assertEquals(8, GemmTiling.splits(1024, 3072, 16, 132));
        // 128 rows: gate_up already has 192 blocks.
        assertEquals(new GemmTiling.Choice(false, 64, 64, 1), GemmTiling.choose(6144, 1024, 128, 132));
        // 256 rows: qkv has 1280*256 = 327680 outputs < 512Ki: small tile, 80 blocks -> 2 splits.
        assertEquals(new GemmTiling.Choice(false, 64, 64, 2), GemmTiling.choose(1280, 1024, 256, 132));
        // 256 rows, gate_up: large tile, 48*2 = 96 blocks -> 192 >= 132 after one halving.
        assertEquals(new GemmTiling.Choice(true, 128, 128, 2), GemmTiling.choose(6144, 1024, 256, 132));
        // 512 rows: o-proj 1024*512 = 512Ki outputs: large, 8*4 = 32 blocks -> 4 splits (cap).
        assertEquals(new GemmTiling.Choice(true, 128, 128, 4), GemmTiling.choose(1024, 1024, 512, 132));
        // 512 rows, gate_up: large, 48*4 = 192 blocks already cover the SMs: no split.
        assertEquals(new GemmTiling.Choice(true, 128, 128, 1), GemmTiling.choose(6144, 1024, 512, 132));
        // lm head at 32 sequences: 1616 blocks, no split.
        assertEquals(new GemmTiling.Choice(false, 64, 64, 1), GemmTiling.choose(103424, 1024, 32, 132));
        // k not divisible by 2*32: no split; k too short to split.
        assertEquals(1, GemmTiling.splits(64, 1000, 1, 132));
        assertEquals(1, GemmTiling.splits(64, 192, 1, 132));
        assertEquals(2, GemmTiling.splits(64, 256, 1, 132));
    }

    @Test
    void dependsOnlyOnCapacityAndKeepsWholeSteps() {
        for (int k : new int[] {512, 896, 1024, 3072, 4096, 5120}) {
            for (int n : new int[] {64, 1024, 1280, 3072, 6144}) {
                for (int m = 1; m <= 1024; m++) {
                    GemmTiling.Choice c = GemmTiling.choose(n, k, m, 132);
                    assertEquals(c, GemmTiling.choose(n, k, m, 132), "deterministic");
                    int s = c.splits();
                    assertTrue(Integer.bitCount(s) == 1 && k % (s * GemmTiling.BK) == 0, "whole BK steps per split");
                    assertTrue(s == 1 || k / s >= GemmTiling.MIN_K_PER_SPLIT);
                    assertTrue(s <= (c.large() ? 4 : 8));
                    assertEquals(c.large(), m >= GemmTiling.LARGE_MIN_ROWS && (long) n * m >= GemmTiling.LARGE_MIN_OUTPUTS);
                }
            }
        }
    }

    @Test
    void partialBytes() {
        assertEquals(0, GemmTiling.partialBytes(6144, 1024, 128, 132));
        assertEquals(8L * 64 * 1024 * 4, GemmTiling.partialBytes(1024, 3072, 64, 132));
        assertThrows(IllegalArgumentException.class, () -> GemmTiling.splits(0, 1024, 64, 132));
    }
}
