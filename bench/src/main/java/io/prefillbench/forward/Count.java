package io.prefillbench.forward;

/**
 * What a tensor's rows or a grid axis count. A capture key gives each its capacity; an eager run
 * gives the real counts, which kernels also read from device memory (blocks past them exit).
 */
public enum Count {
    TOKENS, SEQS, TILES, ONE;

    /** This count under the given token, sequence and tile counts. */
    public int of(int tokens, int seqs, int tiles) {
        return switch (this) {
            case TOKENS -> tokens;
            case SEQS -> seqs;
            case TILES -> tiles;
            case ONE -> 1;
        };
    }
}
