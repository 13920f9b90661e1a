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
 * @param batch        which of a size's graphs: {@link Batch#PLAIN}, the one every batch may replay; {@link Batch#DECODE},
 *                     the one batches of only decode steps (every sequence one new token after a cached prefix) replay,
 *                     lowered with the decode rows; {@link Batch#FRESH}, the one batches of only fresh prompts (no
 *                     sequence with a cached prefix) replay, lowered with the fresh rows; same capacities and buffers
 * @param tileRows     rows per attention tile of the plan's attention kernel (the tile map's rows_per_tile):
 *                     {@link KernelConstants#ROWS_PER_TILE} but for a half-tile form ({@link ImplRegistry#tileRows});
 *                     {@code tileCapacity} is counted in these tiles
 */
public record CaptureKey(int size, int seqCapacity, int tileCapacity, int smCount, int arch, Batch batch, int tileRows) {
    /** The batches a size's graph serves: see {@link CaptureKey#batch}. */
    public enum Batch { PLAIN, DECODE, FRESH }

    public CaptureKey {
        java.util.Objects.requireNonNull(batch, "batch");
        if (size < 1 || seqCapacity < 1 || tileCapacity < 1 || smCount < 1 || tileRows < 1)
            throw new IllegalArgumentException("capture key needs positive counts: " + size + "/" + seqCapacity + "/" + tileCapacity + "/" + smCount
                    + "/" + tileRows);
    }

    /** The size's plain key with the kernels' standard attention tiles: the graph any batch may replay. */
    public CaptureKey(int size, int seqCapacity, int tileCapacity, int smCount, int arch) {
        this(size, seqCapacity, tileCapacity, smCount, arch, Batch.PLAIN, KernelConstants.ROWS_PER_TILE);
    }

    /** Whether this is a size's decode graph (uniform-decode batches). */
    public boolean uniformDecode() {
        return batch == Batch.DECODE;
    }

    /** Whether this is a size's fresh-prompt graph (batches without a cached prefix). */
    public boolean fresh() {
        return batch == Batch.FRESH;
    }

    /** This key's twin for another of the size's graphs (the same tiles: {@link #withTileRows} sets that plan's own). */
    public CaptureKey forBatch(Batch b) {
        return new CaptureKey(size, seqCapacity, tileCapacity, smCount, arch, b, tileRows);
    }

    /** This key's decode-graph twin. */
    public CaptureKey forDecode() {
        return forBatch(Batch.DECODE);
    }

    /** This key with attention tiles of {@code rows} rows, its tile capacity the exact worst case over all splits in them. */
    public CaptureKey withTileRows(int rows, int group) {
        int tiles = Math.max(1, io.prefillbench.plan.TileMath.exactWorstCaseTiles(size, seqCapacity, group, rows));
        return new CaptureKey(size, seqCapacity, tiles, smCount, arch, batch, rows);
    }

    /** Capacity of a count. */
    public int capacity(Count c) {
        return c.of(size, seqCapacity, tileCapacity);
    }
}
