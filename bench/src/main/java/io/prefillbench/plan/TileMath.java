package io.prefillbench.plan;

import java.util.Arrays;

/**
 * Attention tile counts of the prefill kernel ({@code prefill_kernels.h}): a sequence of
 * {@code len} query tokens in a kv group of {@code group} q heads has {@code len * group} rows,
 * cut into tiles of {@code rowsPerTile} rows, so {@code tiles = ceil(len * group / rowsPerTile)}.
 *
 * <p>A graph captured for T tokens fixes the attention grid, but replays serve every split of T
 * tokens into sequences, so capture must size the grid for the worst split. The common
 * heuristic split {@code [1, ..., 1, rest]} is exact only when {@code group} divides
 * {@code rowsPerTile}; otherwise mid-sized sequences that just overflow a tile (for group 5 and
 * 64 rows: length 13 = 65 rows = 2 tiles) beat it.
 *
 * <h2>Exact worst case, fast</h2>
 * Let {@code d = gcd(group, rows)}, {@code P = rows/d}, {@code Q = group/d}, so
 * {@code tiles(len) = ceil(len*Q/P)} and {@code tiles(len + P) = tiles(len) + Q}. Three facts
 * shrink the search:
 * <ol>
 *   <li>ceil is subadditive, so splitting a sequence never loses tiles: the worst case uses
 *       exactly {@code K = min(maxSeqs, T)} sequences.</li>
 *   <li>Moving tokens a sequence does not need for its tile count onto another sequence never
 *       loses tiles, and moving P tokens between sequences moves exactly Q tiles. So all
 *       sequences but one ("the rest") may be taken at a minimal length
 *       {@code L(t) = floor((t-1)P/Q) + 1} for some {@code t} in {@code 1..Q} tiles.</li>
 *   <li>Hence a DP over (sequences chosen, tokens used) with only Q choices per step:
 *       {@code O(K * min(T, K*P) * Q)} time, e.g. T = 16384, S = 256, group 7: ~3e7 steps.</li>
 * </ol>
 * Unit tests check it against enumeration of every composition and an independent naive DP.
 */
public final class TileMath {
    /** Rows per attention tile of the kernel ({@code PREFILL_ATTN_ROWS_PER_TILE}). */
    public static final int ROWS_PER_TILE = io.prefillbench.forward.KernelConstants.ROWS_PER_TILE;

    private TileMath() {
    }

    /** Tiles of one sequence: {@code ceil(len * group / rowsPerTile)}; 0 for {@code len == 0}. */
    public static int tiles(int len, int group, int rowsPerTile) {
        if (len < 0) {
            throw new IllegalArgumentException("sequence length must be >= 0, got " + len);
        }
        checkShape(group, rowsPerTile);
        long rows = (long) len * group;
        return Math.toIntExact((rows + rowsPerTile - 1) / rowsPerTile);
    }

    /** Sum of {@link #tiles} over the given sequence lengths. */
    public static int sumTiles(int[] lens, int group, int rowsPerTile) {
        long sum = 0;
        for (int len : lens) {
            sum += tiles(len, group, rowsPerTile);
        }
        return Math.toIntExact(sum);
    }

    /**
     * The heuristic capture split {@code [1, ..., 1, rest]}: {@code min(S, T) - 1} ones and the
     * remaining tokens in one sequence (T ones when {@code T < S}).
     */
    public static int[] heuristicSplit(int totalTokens, int maxSeqs) {
        checkBatch(totalTokens, maxSeqs);
        int k = Math.min(maxSeqs, totalTokens);
        int[] lens = new int[k];
        Arrays.fill(lens, 1);
        lens[k - 1] = totalTokens - (k - 1);
        return lens;
    }

    /** Tiles of {@link #heuristicSplit}; a lower bound of {@link #exactWorstCaseTiles}. */
    public static int heuristicTiles(int totalTokens, int maxSeqs, int group, int rowsPerTile) {
        return sumTiles(heuristicSplit(totalTokens, maxSeqs), group, rowsPerTile);
    }

    /**
     * The largest tile count over all splits of {@code totalTokens} tokens into 1 to
     * {@code min(maxSeqs, totalTokens)} sequences of at least one token each.
     */
    public static int exactWorstCaseTiles(int totalTokens, int maxSeqs, int group, int rowsPerTile) {
        return sumTiles(worstCaseSplit(totalTokens, maxSeqs, group, rowsPerTile), group, rowsPerTile);
    }

    /**
     * A split achieving {@link #exactWorstCaseTiles}: {@code min(maxSeqs, totalTokens)} lengths,
     * each >= 1, summing to {@code totalTokens}. The engine captures with this dummy batch so the
     * graph's tile map is as large as any replay can need. The sequence holding the leftover
     * tokens is last.
     */
    public static int[] worstCaseSplit(int totalTokens, int maxSeqs, int group, int rowsPerTile) {
        checkBatch(totalTokens, maxSeqs);
        checkShape(group, rowsPerTile);
        int k = Math.min(maxSeqs, totalTokens);
        if (k == 1) {
            return new int[] {totalTokens};
        }
        int d = gcd(group, rowsPerTile);
        int p = rowsPerTile / d;
        int q = group / d;
        // minLen[t] = fewest tokens giving t tiles, t in 1..q (all <= p).
        int[] minLen = new int[q + 1];
        int maxMinLen = 0;
        for (int t = 1; t <= q; t++) {
            minLen[t] = (int) ((long) (t - 1) * p / q) + 1;
            maxMinLen = Math.max(maxMinLen, minLen[t]);
        }
        int fixed = k - 1; // sequences at a minimal length; the k-th takes the rest (>= 1 token)
        int limit = totalTokens - 1;
        final int neg = Integer.MIN_VALUE / 2;
        int[] prev = new int[limit + 1];
        int[] cur = new int[limit + 1];
        Arrays.fill(prev, neg);
        prev[0] = 0;
        int prevHi = 0;
        short[][] choice = new short[fixed + 1][]; // choice[j][s] = tiles t of the j-th sequence
        for (int j = 1; j <= fixed; j++) {
            // j sequences use >= j tokens; leave one token for each later sequence and the rest.
            int hi = (int) Math.min((long) j * maxMinLen, limit - (fixed - j));
            Arrays.fill(cur, neg);
            short[] pick = new short[hi + 1];
            for (int s = j; s <= hi; s++) {
                int best = neg;
                int bestT = 0;
                for (int t = 1; t <= q; t++) {
                    int from = s - minLen[t];
                    if (from >= 0 && from <= prevHi && prev[from] != neg) {
                        int v = prev[from] + t;
                        if (v > best) {
                            best = v;
                            bestT = t;
                        }
                    }
                }
                cur[s] = best;
                pick[s] = (short) bestT;
            }
            choice[j] = pick;
            prevHi = hi;
            int[] swap = prev;
            prev = cur;
            cur = swap;
        }
        int bestTotal = neg;
        int bestS = -1;
        for (int s = fixed; s <= prevHi; s++) {
            if (prev[s] != neg) {
                int v = prev[s] + tiles(totalTokens - s, group, rowsPerTile);
                if (v > bestTotal) {
                    bestTotal = v;
                    bestS = s;
                }
            }
        }
        int[] lens = new int[k];
        int s = bestS;
        for (int j = fixed; j >= 1; j--) {
            int len = minLen[choice[j][s]];
            lens[j - 1] = len;
            s -= len;
        }
        lens[k - 1] = totalTokens - bestS;
        return lens;
    }

    static int gcd(int a, int b) {
        while (b != 0) {
            int r = a % b;
            a = b;
            b = r;
        }
        return a;
    }

    private static void checkShape(int group, int rowsPerTile) {
        if (group < 1 || rowsPerTile < 1) {
            throw new IllegalArgumentException(
                    "group and rowsPerTile must be >= 1, got group " + group + ", rowsPerTile " + rowsPerTile);
        }
        if (group > Short.MAX_VALUE) {
            throw new IllegalArgumentException("group " + group + " is larger than " + Short.MAX_VALUE);
        }
    }

    private static void checkBatch(int totalTokens, int maxSeqs) {
        if (totalTokens < 1 || maxSeqs < 1) {
            throw new IllegalArgumentException(
                    "totalTokens and maxSeqs must be >= 1, got " + totalTokens + " tokens, " + maxSeqs + " seqs");
        }
    }
}
