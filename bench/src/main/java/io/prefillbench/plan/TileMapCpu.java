package io.prefillbench.plan;

import java.util.Arrays;

/**
 * CPU twin of the kernel {@code build_tile_map} ({@code prefill_kernels.h}): lists every
 * attention tile, sequence by sequence and tile 0..n-1 within each, so tests can compare the
 * device map and the planner can size {@code max_tiles}.
 */
public final class TileMapCpu {
    private TileMapCpu() {
    }

    /**
     * The tile map of one batch.
     *
     * @param batchIds  [maxTiles] sequence of block b, -1 from {@code numBlocks} on
     * @param tileIds   [maxTiles] tile index within that sequence, -1 from {@code numBlocks} on
     * @param numBlocks real tile count (what the kernel writes to {@code num_blocks})
     */
    public record TileMap(int[] batchIds, int[] tileIds, int numBlocks) {
    }

    /** The map sized exactly to its tile count. */
    public static TileMap build(int[] queryLens, int group, int rowsPerTile) {
        return build(queryLens, group, rowsPerTile, TileMath.sumTiles(queryLens, group, rowsPerTile));
    }

    /**
     * The map with {@code maxTiles} entries, as the kernel fills a graph's buffers.
     *
     * @throws IllegalStateException when the batch needs more than {@code maxTiles} tiles: the
     *     capture under-sized the grid, and the kernel would drop attention rows
     */
    public static TileMap build(int[] queryLens, int group, int rowsPerTile, int maxTiles) {
        int needed = TileMath.sumTiles(queryLens, group, rowsPerTile);
        if (needed > maxTiles) {
            throw new IllegalStateException("batch " + Arrays.toString(queryLens) + " needs " + needed
                    + " attention tiles but the capacity is " + maxTiles);
        }
        int[] batchIds = new int[maxTiles];
        int[] tileIds = new int[maxTiles];
        Arrays.fill(batchIds, -1);
        Arrays.fill(tileIds, -1);
        int b = 0;
        for (int s = 0; s < queryLens.length; s++) {
            int n = TileMath.tiles(queryLens[s], group, rowsPerTile);
            for (int tile = 0; tile < n; tile++, b++) {
                batchIds[b] = s;
                tileIds[b] = tile;
            }
        }
        return new TileMap(batchIds, tileIds, needed);
    }

    /** The map from the kernel's inputs: cumulative {@code queryStart[numSeqs + 1]}. */
    public static TileMap fromQueryStart(int[] queryStart, int numSeqs, int group, int rowsPerTile, int maxTiles) {
        if (numSeqs < 0 || numSeqs + 1 > queryStart.length) {
            throw new IllegalArgumentException("numSeqs " + numSeqs + " needs query_start of length "
                    + (numSeqs + 1) + ", got " + queryStart.length);
        }
        int[] lens = new int[numSeqs];
        for (int s = 0; s < numSeqs; s++) {
            lens[s] = queryStart[s + 1] - queryStart[s];
            if (lens[s] < 0) {
                throw new IllegalArgumentException("query_start decreases at sequence " + s);
            }
        }
        return build(lens, group, rowsPerTile, maxTiles);
    }
}
