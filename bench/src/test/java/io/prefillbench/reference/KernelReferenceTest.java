package io.prefillbench.reference;

import static io.prefillbench.model.WeightInit.roundBf16;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prefillbench.model.RopeTable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class KernelReferenceTest {

    private static final int PAGE = KernelReference.PAGE_SIZE;

    private static float[] randomBf16(SplittableRandom r, int n, double range) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = roundBf16((float) r.nextDouble(-range, range));
        }
        return a;
    }

    /** A varlen attention case: sequences with prefixes, pages handed out in shuffled order. */
    private record AttnCase(int qHeads, int kvHeads, int headDim, int[] prefix, int[] len, float[] q, int qStride,
            float[] kCache, float[] vCache, int[] queryStart, int[] kvLens, int[] blockTables, int maxPages,
            float[][] kSeq, float[][] vSeq) {}

    private static AttnCase attnCase(long seed, int qHeads, int kvHeads, int headDim, int[] prefix, int[] len) {
        SplittableRandom r = new SplittableRandom(seed);
        int n = prefix.length;
        int kvDim = kvHeads * headDim;
        int qStride = (qHeads + 2 * kvHeads) * headDim; // q lives inside a qkv row, as in the engine
        int[] queryStart = new int[n + 1];
        int[] kvLens = new int[n];
        int maxPages = 0;
        int totalPages = 0;
        for (int s = 0; s < n; s++) {
            queryStart[s + 1] = queryStart[s] + len[s];
            kvLens[s] = prefix[s] + len[s];
            int pages = (kvLens[s] + PAGE - 1) / PAGE;
            maxPages = Math.max(maxPages, pages);
            totalPages += pages;
        }
        List<Integer> free = new ArrayList<>();
        for (int p = 0; p < totalPages + 2; p++) {
            free.add(p);
        }
        Collections.shuffle(free, new java.util.Random(seed));
        int[] blockTables = new int[n * maxPages];
        java.util.Arrays.fill(blockTables, -7); // unused entries must never be read
        // garbage everywhere in the pools: unused slots must not leak into results
        float[] kCache = randomBf16(r, (totalPages + 2) * PAGE * kvDim, 50);
        float[] vCache = randomBf16(r, (totalPages + 2) * PAGE * kvDim, 50);
        float[][] kSeq = new float[n][];
        float[][] vSeq = new float[n][];
        int next = 0;
        for (int s = 0; s < n; s++) {
            int pages = (kvLens[s] + PAGE - 1) / PAGE;
            for (int p = 0; p < pages; p++) {
                blockTables[s * maxPages + p] = free.get(next++);
            }
            kSeq[s] = randomBf16(r, kvLens[s] * kvDim, 2);
            vSeq[s] = randomBf16(r, kvLens[s] * kvDim, 2);
            for (int j = 0; j < kvLens[s]; j++) {
                int row = blockTables[s * maxPages + j / PAGE] * PAGE + j % PAGE;
                System.arraycopy(kSeq[s], j * kvDim, kCache, row * kvDim, kvDim);
                System.arraycopy(vSeq[s], j * kvDim, vCache, row * kvDim, kvDim);
            }
        }
        float[] q = randomBf16(r, queryStart[n] * qStride, 2);
        return new AttnCase(qHeads, kvHeads, headDim, prefix, len, q, qStride, kCache, vCache, queryStart, kvLens,
                blockTables, maxPages, kSeq, vSeq);
    }

    private static float[] run(AttnCase c) {
        return KernelReference.attention(c.q, c.qStride, c.kCache, c.vCache, c.queryStart, c.kvLens, c.blockTables,
                c.maxPages, c.prefix.length, c.qHeads, c.kvHeads, c.headDim, (float) (1 / Math.sqrt(c.headDim)));
    }

    /** Naive attention: contiguous per-sequence K/V, softmax as exp / sum of exp via log-sum-exp. */
    private static float[] naive(AttnCase c) {
        int d = c.headDim;
        int group = c.qHeads / c.kvHeads;
        int kvDim = c.kvHeads * d;
        float[] out = new float[c.queryStart[c.prefix.length] * c.qHeads * d];
        for (int s = 0; s < c.prefix.length; s++) {
            for (int i = 0; i < c.len[s]; i++) {
                int t = c.queryStart[s] + i;
                int pos = c.prefix[s] + i;
                for (int h = 0; h < c.qHeads; h++) {
                    int kvh = h / group;
                    double[] logit = new double[pos + 1];
                    for (int j = 0; j <= pos; j++) {
                        double dot = 0;
                        for (int e = 0; e < d; e++) {
                            dot += c.q[t * c.qStride + h * d + e] * (double) c.kSeq[s][j * kvDim + kvh * d + e];
                        }
                        logit[j] = dot / Math.sqrt(d);
                    }
                    double m = java.util.Arrays.stream(logit).max().orElseThrow();
                    double lse = m + Math.log(java.util.Arrays.stream(logit).map(x -> Math.exp(x - m)).sum());
                    for (int e = 0; e < d; e++) {
                        double o = 0;
                        for (int j = 0; j <= pos; j++) {
                            o += Math.exp(logit[j] - lse) * c.vSeq[s][j * kvDim + kvh * d + e];
                        }
                        out[(t * c.qHeads + h) * d + e] = (float) o;
                    }
                }
            }
        }
        return out;
    }

    private static void assertBf16Close(float[] naive, float[] ref) {
        assertEquals(naive.length, ref.length);
        for (int i = 0; i < ref.length; i++) {
            // the reference is rounded to bf16: within half a bf16 ulp (at most 2^-8 relative) plus double noise
            double tol = Math.abs(naive[i]) * 0x1p-8 + 1e-6;
            assertEquals(naive[i], ref[i], tol, "element " + i);
        }
    }

    @Test
    void attentionMatchesNaiveWithPrefixesAndGqa() {
        // group 2, head dim 64: prefixes crossing page boundaries, one without prefix
        AttnCase a = attnCase(1, 4, 2, 64, new int[] {0, 70, 5}, new int[] {9, 60, 1});
        assertBf16Close(naive(a), run(a));
        // group 5, head dim 128
        AttnCase b = attnCase(2, 10, 2, 128, new int[] {3, 0, 128}, new int[] {20, 66, 7});
        assertBf16Close(naive(b), run(b));
        // group 5 with one kv head, single sequence longer than two pages
        AttnCase c = attnCase(3, 5, 1, 64, new int[] {64}, new int[] {100});
        assertBf16Close(naive(c), run(c));
    }

    @Test
    void attentionIsCausalAndGroupsHeads() {
        AttnCase c = attnCase(4, 10, 2, 64, new int[] {10}, new int[] {6});
        float[] before = run(c);
        int kvDim = 2 * 64;
        // change the key of the last position (10 + 5): only the last query sees it
        int row = c.blockTables[0] * PAGE + 15;
        c.kCache[row * kvDim + 3] += 1.0f;
        float[] after = run(c);
        int perToken = 10 * 64;
        for (int t = 0; t < 5; t++) {
            for (int e = 0; e < perToken; e++) {
                assertEquals(before[t * perToken + e], after[t * perToken + e], "token " + t + " saw a future key");
            }
        }
        // the changed element is in kv head 0: q heads 0..4 of the last token change, heads 5..9 do not
        boolean changed = false;
        for (int h = 0; h < 10; h++) {
            boolean diff = false;
            for (int e = 0; e < 64; e++) {
                diff |= before[5 * perToken + h * 64 + e] != after[5 * perToken + h * 64 + e];
            }
            if (h >= 5) {
                assertTrue(!diff, "head " + h + " read kv head 0");
            }
            changed |= diff;
        }
        assertTrue(changed, "the last token ignored its own key");
    }

    @Test
    void singleVisibleKeyReturnsItsValue() {
        // query 0 without prefix sees only key 0: softmax weight 1, output = v0 exactly
        AttnCase c = attnCase(5, 4, 2, 64, new int[] {0}, new int[] {3});
        float[] out = run(c);
        for (int h = 0; h < 4; h++) {
            for (int e = 0; e < 64; e++) {
                assertEquals(c.vSeq[0][(h / 2) * 64 + e], out[h * 64 + e]);
            }
        }
    }

    @Test
    void rmsNormByHand() {
        float[] w = {1.0f, 2.0f, 0.5f, 1.0f};
        // rms of (2, -2, 2, -2) is 2: normalized to (1, -1, 1, -1) up to eps
        float[] out = KernelReference.rmsNorm(new float[] {2, -2, 2, -2, 3, 4, 0, 0}, w, 2, 4, 1e-5f);
        assertArrayEquals(new float[] {1.0f, -2.0f, 0.5f, -1.0f}, java.util.Arrays.copyOf(out, 4));
        // second row: mean square = 25/4, rms 2.5 -> (1.2, 1.6, 0, 0) * w, rounded to bf16
        float inv = (float) (1 / Math.sqrt(25.0 / 4 + 1e-5));
        assertEquals(roundBf16(3 * inv), out[4]);
        assertEquals(1.203125f, out[4]); // 1.2 in bf16
        assertEquals(roundBf16(4 * inv * 2), out[5]);
        assertEquals(3.203125f, out[5]); // 3.2 in bf16
        assertEquals(0.0f, out[6]);
    }

    @Test
    void addRmsNormRoundsTheResidual() {
        float[] residual = {1.0f, 1.0f, 1.0f, 1.0f};
        float[] x = {0.005f, 0.003f, -0.005f, 0.0f};
        float[] w = {1, 1, 1, 1};
        KernelReference.addRmsNorm(x, residual, w, 1, 4, 1e-6f);
        // bf16 ulp at 1 is 2^-7: 1.005 -> 1 + 2^-7, 1.003 -> 1, 0.995 -> 1 - 2^-8 (ulp below 1 is 2^-8)
        assertArrayEquals(new float[] {1.0078125f, 1.0f, 0.99609375f, 1.0f}, residual);
        // without x the residual is left alone
        float[] copy = residual.clone();
        KernelReference.addRmsNorm(null, residual, w, 1, 4, 1e-6f);
        assertArrayEquals(copy, residual);
    }

    @Test
    void siluMulByHand() {
        // rows: gate (0, 1, -1), up (5, 2, 3)
        float[] gu = {0, 1, -1, 5, 2, 3};
        float[] out = KernelReference.siluMul(gu, 1, 3);
        assertEquals(0.0f, out[0]);
        assertEquals(roundBf16((float) (2 / (1 + Math.exp(-1)))), out[1]);
        assertEquals(1.4609375f, out[1]);
        assertEquals(roundBf16((float) (-3 / (1 + Math.exp(1)))), out[2]);
    }

    @Test
    void gemmMatchesNaive() {
        SplittableRandom r = new SplittableRandom(9);
        int m = 7, n = 130, k = 96;
        float[] a = randomBf16(r, m * k, 1);
        float[] b = randomBf16(r, n * k, 1);
        float[] c = KernelReference.gemm(a, b, m, n, k);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int kk = 0; kk < k; kk++) {
                    s += a[i * k + kk] * b[j * k + kk]; // exact in float: bf16 * bf16
                }
                assertEquals(roundBf16((float) s), c[i * n + j], "C[" + i + "," + j + "]");
            }
        }
        // a large one takes the parallel path and must give the same numbers as row-by-row
        int bm = 40, bn = 256, bk = 256;
        float[] ba = randomBf16(r, bm * bk, 1);
        float[] bb = randomBf16(r, bn * bk, 1);
        float[] big = KernelReference.gemm(ba, bb, bm, bn, bk);
        for (int i = 0; i < bm; i++) {
            float[] row = KernelReference.gemm(java.util.Arrays.copyOfRange(ba, i * bk, (i + 1) * bk), bb, 1, bn, bk);
            assertArrayEquals(row, java.util.Arrays.copyOfRange(big, i * bn, (i + 1) * bn));
        }
    }

    @Test
    void argmaxTakesLowestIndexOnTies() {
        float[] logits = {1, 3, 3, 2, /* row 2 */ -1, -1, -1, -1, /* row 3 */ 0, 0, 0, 0.5f};
        assertArrayEquals(new int[] {1, 0, 3}, KernelReference.argmax(logits, 3, 4));
    }

    @Test
    void embedGathersRows() {
        float[] table = {0, 0, 1, 1, 2, 2};
        assertArrayEquals(new float[] {2, 2, 0, 0, 2, 2}, KernelReference.embed(new int[] {2, 0, 2, 9}, 3, table, 3, 2));
        assertThrows(IllegalArgumentException.class, () -> KernelReference.embed(new int[] {3}, 1, table, 3, 2));
    }

    @Test
    void finalNormGatherUsesLastTokenOfEachSequence() {
        int hidden = 2;
        float[] x = {0, 0, 1, 1, 9, 9, 0.5f, 0.5f};        // 4 tokens
        float[] residual = {5, 5, 1, 1, 9, 9, 0.5f, -1.5f};
        float[] w = {1, 1};
        float[] out = KernelReference.finalNormGather(x, residual, w, new int[] {0, 2, 4}, 2, hidden, 0f);
        // seq 0 last token 1: r = (2, 2) -> (1, 1); seq 1 last token 3: r = (1, -1) -> (1, -1)
        assertArrayEquals(new float[] {1, 1, 1, -1}, out);
        assertArrayEquals(new float[] {5, 5, 1, 1, 9, 9, 0.5f, -1.5f}, residual, "residual must not change");
    }

    @Test
    void tileMapListsTilesPerSequence() {
        // group 5: lengths 12 (60 rows: 1 tile), 13 (65 rows: 2 tiles), 1 (1 tile)
        KernelReference.TileMap m = KernelReference.tileMap(new int[] {0, 12, 25, 26}, 3, 5, 64, 6);
        assertEquals(4, m.numBlocks());
        assertArrayEquals(new int[] {0, 1, 1, 2, -1, -1}, m.batchIds());
        assertArrayEquals(new int[] {0, 0, 1, 0, -1, -1}, m.tileIds());
    }

    @Test
    void ropeKvAddsBiasRotatesAndCaches() {
        int qHeads = 2, kvHeads = 1, d = 64;
        int width = (qHeads + 2 * kvHeads) * d;
        SplittableRandom r = new SplittableRandom(13);
        float[] qkv = randomBf16(r, 2 * width, 1);
        float[] original = qkv.clone();
        float[] bias = randomBf16(r, width, 0.1);
        RopeTable rope = RopeTable.of(10000, d, 16);
        float[] kCache = new float[2 * PAGE * d];
        float[] vCache = new float[2 * PAGE * d];
        KernelReference.ropeKv(qkv, bias, rope.flat(), new int[] {5, 9}, new int[] {PAGE + 3, -1}, kCache, vCache,
                2, qHeads, kvHeads, d);
        for (int t = 0; t < 2; t++) {
            int pos = t == 0 ? 5 : 9;
            for (int h = 0; h < qHeads + kvHeads; h++) {
                float[] expect = new float[d];
                for (int e = 0; e < d; e++) {
                    expect[e] = original[t * width + h * d + e] + bias[h * d + e];
                }
                rope.rotate(expect, 0, pos);
                for (int e = 0; e < d; e++) {
                    assertEquals(roundBf16(expect[e]), qkv[t * width + h * d + e], "t " + t + " head " + h);
                }
            }
            for (int e = 0; e < d; e++) { // v stays as it was in qkv
                assertEquals(original[t * width + 3 * d + e], qkv[t * width + 3 * d + e]);
            }
        }
        // token 0 cached at slot PAGE + 3: rotated k, biased v; token 1 (slot -1) nowhere
        for (int e = 0; e < d; e++) {
            assertEquals(qkv[2 * d + e], kCache[(PAGE + 3) * d + e]);
            assertEquals(roundBf16(original[3 * d + e] + bias[3 * d + e]), vCache[(PAGE + 3) * d + e]);
        }
        int nonZero = 0;
        for (float v : kCache) {
            nonZero += v != 0 ? 1 : 0;
        }
        assertTrue(nonZero <= d && nonZero > d / 2, "only one slot written, got " + nonZero + " values");
        assertThrows(IllegalArgumentException.class, () -> KernelReference.ropeKv(qkv, null, rope.flat(),
                new int[] {16}, new int[] {-1}, kCache, vCache, 1, qHeads, kvHeads, d));
    }
}
