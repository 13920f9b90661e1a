package io.prefillbench.plan;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TileMapCpuTest {
    @Test
    void knownBatchListsTilesSequenceBySequence() {
        // group 5, 64 rows: len 1 -> 1 tile, 13 -> 2 (65 rows), 100 -> 8 (500 rows)
        var map = TileMapCpu.build(new int[] {1, 13, 100}, 5, 64, 14);
        assertEquals(11, map.numBlocks());
        assertArrayEquals(new int[] {0, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, -1, -1, -1}, map.batchIds());
        assertArrayEquals(new int[] {0, 0, 1, 0, 1, 2, 3, 4, 5, 6, 7, -1, -1, -1}, map.tileIds());
    }

    @Test
    void emptySequenceHasNoTiles() {
        var map = TileMapCpu.build(new int[] {3, 0, 3}, 8, 16);
        assertArrayEquals(new int[] {0, 0, 2, 2}, map.batchIds());
        assertArrayEquals(new int[] {0, 1, 0, 1}, map.tileIds());
    }

    @Test
    void overCapacityIsRefused() {
        // The heuristic capacity for T=26, S=2, group 5 is 3 tiles; the split [13, 13] needs 4.
        int heuristicCapacity = TileMath.heuristicTiles(26, 2, 5, 64);
        assertThrows(IllegalStateException.class, () -> TileMapCpu.build(new int[] {13, 13}, 5, 64, heuristicCapacity));
        int exactCapacity = TileMath.exactWorstCaseTiles(26, 2, 5, 64);
        assertEquals(4, TileMapCpu.build(new int[] {13, 13}, 5, 64, exactCapacity).numBlocks());
    }

    @Test
    void tilesCoverEveryAttentionRowExactlyOnce() {
        SplittableRandom rnd = new SplittableRandom(7);
        for (int trial = 0; trial < 200; trial++) {
            int group = 1 + rnd.nextInt(12);
            int rows = new int[] {16, 64}[rnd.nextInt(2)];
            int[] lens = new int[1 + rnd.nextInt(8)];
            for (int i = 0; i < lens.length; i++) {
                lens[i] = 1 + rnd.nextInt(150);
            }
            var map = TileMapCpu.build(lens, group, rows);
            int[][] seen = new int[lens.length][];
            for (int s = 0; s < lens.length; s++) {
                seen[s] = new int[lens[s] * group];
            }
            for (int b = 0; b < map.numBlocks(); b++) {
                // Kernel rows of tile: tile*rows + r, r in [0, rows); rows past len*group are idle.
                for (int r = 0; r < rows; r++) {
                    int row = map.tileIds()[b] * rows + r;
                    if (row < seen[map.batchIds()[b]].length) {
                        seen[map.batchIds()[b]][row]++;
                    }
                }
            }
            for (int s = 0; s < lens.length; s++) {
                for (int row = 0; row < seen[s].length; row++) {
                    assertEquals(1, seen[s][row], "seq " + s + " row " + row);
                }
            }
        }
    }

    @Test
    void fromQueryStartMatchesLens() {
        var byStart = TileMapCpu.fromQueryStart(new int[] {0, 1, 14, 114, 999}, 3, 5, 64, 11);
        var byLens = TileMapCpu.build(new int[] {1, 13, 100}, 5, 64, 11);
        assertArrayEquals(byLens.batchIds(), byStart.batchIds());
        assertArrayEquals(byLens.tileIds(), byStart.tileIds());
        assertThrows(IllegalArgumentException.class, () -> TileMapCpu.fromQueryStart(new int[] {0, 5, 3}, 2, 5, 64, 9));
        assertThrows(IllegalArgumentException.class, () -> TileMapCpu.fromQueryStart(new int[] {0, 5}, 2, 5, 64, 9));
    }
}
