package io.prefillbench.forward;

/**
 * What one lowering is for: a capture bucket and the device. Every choice lowering makes (kernel,
 * tile, split-K, fusion, grid) is a function of this key and the weight shapes, never of a real
 * token count: eager and graph runs of one bucket execute the same arithmetic.
 *
 * @param size         token capacity (the capture size)
 * @param seqCapacity  sequences the bucket serves
 * @param tileCapacity attention tiles the bucket's grid holds (exact worst case over all splits)
 * @param smCount      SMs of the device
 * @param arch         compute capability as major * 10 + minor (90 = sm_90)
 * @param uniformDecode the size's decode graph: the one batches of only decode steps (every sequence one new token after
 *                     a cached prefix) replay, lowered with the decode-only attention rows; same capacities and buffers
 * @param tileRows     rows per attention tile of the plan's attention kernel (the tile map's rows_per_tile):
 *                     {@link KernelConstants#ROWS_PER_TILE} but for a half-tile form ({@link ImplRegistry#tileRows});
 *                     {@code tileCapacity} is counted in these tiles
 */
public record CaptureKey(int size, int seqCapacity, int tileCapacity, int smCount, int arch, boolean uniformDecode, int tileRows) {
    public CaptureKey {
        if (size < 1 || seqCapacity < 1 || tileCapacity < 1 || smCount < 1 || tileRows < 1)
            throw new IllegalArgumentException("capture key needs positive counts: " + size + "/" + seqCapacity + "/" + tileCapacity + "/" + smCount
                    + "/" + tileRows);
    }

    /** A key with the kernels' standard attention tiles. */
    public CaptureKey(int size, int seqCapacity, int tileCapacity, int smCount, int arch, boolean uniformDecode) {
        this(size, seqCapacity, tileCapacity, smCount, arch, uniformDecode, KernelConstants.ROWS_PER_TILE);
    }

    /** The size's plain key: the graph every batch but a uniform-decode one replays. */
    public CaptureKey(int size, int seqCapacity, int tileCapacity, int smCount, int arch) {
        this(size, seqCapacity, tileCapacity, smCount, arch, false);
    }

    /** This key's decode-graph twin (the same tiles: {@link #withTileRows} sets the decode plan's own). */
    public CaptureKey forDecode() {
        return new CaptureKey(size, seqCapacity, tileCapacity, smCount, arch, true, tileRows);
    }

    /** This key with attention tiles of {@code rows} rows, its tile capacity the exact worst case over all splits in them. */
    public CaptureKey withTileRows(int rows, int group) {
        int tiles = Math.max(1, io.prefillbench.plan.TileMath.exactWorstCaseTiles(size, seqCapacity, group, rows));
        return new CaptureKey(size, seqCapacity, tiles, smCount, arch, uniformDecode, rows);
    }

    /** Capacity of a count. */
    public int capacity(Count c) {
        return c.of(size, seqCapacity, tileCapacity);
    }
}
