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
 */
public record CaptureKey(int size, int seqCapacity, int tileCapacity, int smCount, int arch) {
    public CaptureKey {
        if (size < 1 || seqCapacity < 1 || tileCapacity < 1 || smCount < 1)
            throw new IllegalArgumentException("capture key needs positive counts: " + size + "/" + seqCapacity + "/" + tileCapacity + "/" + smCount);
    }

    /** Capacity of a count. */
    public int capacity(Count c) {
        return c.of(size, seqCapacity, tileCapacity);
    }
}
