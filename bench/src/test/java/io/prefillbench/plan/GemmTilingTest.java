package io.prefillbench.plan;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GemmTilingTest {
    @Test
    void handComputedCases() {
        // n=1024, k=1024, m=64: 16 blocks; halves while k/(2s) >= 256: s = 1 -> 2 -> 4.
        assertEquals(4, GemmTiling.splits(1024, 1024, 64, 132));
        // down projection k=3072: 16 blocks -> 2 (1536) -> 4 (768) -> 8 (384); 128 < 132 but 192 < 256 stops.
        assertEquals(8, GemmTiling.splits(1024, 3072, 64, 132));
        // gate_up at 512 rows: 96 * 8 = 768 blocks >= 132 SMs.
        assertEquals(1, GemmTiling.splits(6144, 1024, 512, 132));
        // enough blocks already after one split: 16 * 4 = 64 blocks, 128 >= 100 SMs.
        assertEquals(2, GemmTiling.splits(1024, 4096, 256, 100));
        // k not divisible by 2*32: no split.
        assertEquals(1, GemmTiling.splits(64, 1000, 1, 132));
        // k too short to split.
        assertEquals(1, GemmTiling.splits(64, 448, 1, 132));
        assertEquals(2, GemmTiling.splits(64, 512, 1, 132));
    }

    @Test
    void dependsOnlyOnRowCapacityBlocksAndKeepsWholeSteps() {
        for (int k : new int[] {512, 896, 1024, 3072, 4096, 5120}) {
            for (int n : new int[] {64, 1024, 1280, 3072}) {
                int previous = Integer.MAX_VALUE;
                for (int m = 1; m <= 1024; m++) {
                    int s = GemmTiling.splits(n, k, m, 132);
                    assertEquals(GemmTiling.splits(n, k, ((m + 63) / 64) * 64, 132), s, "rows within one 64-row block agree");
                    assertTrue(s <= previous, "more rows never add splits");
                    assertTrue(Integer.bitCount(s) == 1 && k % (s * GemmTiling.BK) == 0);
                    assertTrue(s == 1 || k / s >= GemmTiling.MIN_K_PER_SPLIT);
                    previous = s;
                }
            }
        }
    }

    @Test
    void partialBytes() {
        assertEquals(0, GemmTiling.partialBytes(6144, 1024, 512, 132));
        assertEquals(8L * 64 * 1024 * 4, GemmTiling.partialBytes(1024, 3072, 64, 132));
        assertThrows(IllegalArgumentException.class, () -> GemmTiling.splits(0, 1024, 64, 132));
    }
}
