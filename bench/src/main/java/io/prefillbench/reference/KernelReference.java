package io.prefillbench.reference;

import static io.prefillbench.model.WeightInit.roundBf16;

import io.prefillbench.forward.WeightLayout;
import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * CPU versions of the kernels of {@code prefill_kernels.h}, one static method per kernel, on float
 * arrays that hold bf16 values (convert with {@link io.prefillbench.model.WeightInit#toFloats}).
 * Every output a kernel stores as bf16 is rounded to bf16 here at the same point.
 *
 * <p>Numerics: GEMM and attention dot products accumulate in double and round once (double to
 * float to bf16); RMSNorm sums squares in double, then scales in float; SiLU, bias add and RoPE
 * use float, each operation rounded (no fma). The kernels accumulate in fp32 in their own order, so
 * GPU results agree with these to within bf16 rounding (one bf16 ulp for most elements), not
 * always bit for bit; the exceptions are embed and argmax, which are exact.
 */
public final class KernelReference {

    /** Tokens per KV cache page ({@code PREFILL_PAGE_SIZE}). */
    public static final int PAGE_SIZE = io.prefillbench.forward.KernelConstants.PAGE_SIZE;
    /** Rows per attention tile ({@code PREFILL_ATTN_ROWS_PER_TILE}). */
    public static final int ROWS_PER_TILE = io.prefillbench.forward.KernelConstants.ROWS_PER_TILE;

    /** GEMMs at least this large (m*n*k) run on several threads; results do not depend on it. */
    private static final long PARALLEL_WORK = 1L << 21;

    private KernelReference() {}

    // ---------------------------------------------------------------- embed_gather

    /** {@code out[t, :] = table[ids[t], :]} for {@code t < numTokens}. Returns {@code [numTokens, hidden]}. */
    public static float[] embed(int[] ids, int numTokens, float[] table, int vocab, int hidden) {
        float[] out = new float[numTokens * hidden];
        for (int t = 0; t < numTokens; t++) {
            int id = ids[t];
            if (id < 0 || id >= vocab) {
                throw new IllegalArgumentException("token id " + id + " outside vocab [0, " + vocab + ")");
            }
            System.arraycopy(table, id * hidden, out, t * hidden, hidden);
        }
        return out;
    }

    // ---------------------------------------------------------------- add_rmsnorm

    /**
     * add_rmsnorm: if {@code x != null}, {@code residual[r] = bf16(residual[r] + x[r])} (in place);
     * then {@code out[r] = bf16(rmsnorm(residual[r]) * weight)} for {@code r < rows}.
     *
     * @param x        {@code [rows, hidden]} or null
     * @param residual {@code [rows, hidden]}, updated in place
     * @return {@code [rows, hidden]}
     */
    public static float[] addRmsNorm(float[] x, float[] residual, float[] weight, int rows, int hidden, float eps) {
        if (x != null) {
            for (int i = 0; i < rows * hidden; i++) {
                residual[i] = roundBf16(residual[i] + x[i]);
            }
        }
        return rmsNorm(residual, weight, rows, hidden, eps);
    }

    /** {@code out[r] = bf16(x[r] * rsqrt(mean(x[r]^2) + eps) * weight)}; {@code x} is {@code [rows, hidden]}. */
    public static float[] rmsNorm(float[] x, float[] weight, int rows, int hidden, float eps) {
        float[] out = new float[rows * hidden];
        for (int r = 0; r < rows; r++) {
            rmsNormRow(x, r * hidden, weight, hidden, eps, out, r * hidden);
        }
        return out;
    }

    /** One row: sum of squares in double, {@code inv = (float) (1 / sqrt(mean + eps))}, then {@code bf16((x * inv) * w)} in float. */
    public static void rmsNormRow(float[] x, int xOff, float[] weight, int hidden, float eps, float[] out, int outOff) {
        double ss = 0;
        for (int j = 0; j < hidden; j++) {
            double v = x[xOff + j];
            ss += v * v;
        }
        float inv = (float) (1.0 / Math.sqrt(ss / hidden + eps));
        for (int j = 0; j < hidden; j++) {
            out[outOff + j] = roundBf16(x[xOff + j] * inv * weight[j]);
        }
    }

    // ---------------------------------------------------------------- rope_kv_write

    /**
     * rope_kv_write for {@code t < numTokens}: adds {@code bias} (if not null) to q, k and v in float;
     * rotates q and k at {@code positions[t]} with the {@code [maxPositions, headDim]} table
     * {@code cosSin}; writes bf16(q) and bf16(k) back into {@code qkv} (v in {@code qkv} is left as
     * is); writes bf16(k) and bf16(v) into the caches at {@code slotMapping[t]} unless it is negative.
     *
     * @param qkv    {@code [tokens, (qHeads + 2 kvHeads) * headDim]}, q and k updated in place
     * @param bias   {@code [(qHeads + 2 kvHeads) * headDim]} or null
     * @param kCache {@code [pages * PAGE_SIZE, kvHeads, headDim]} (may be null when every slot is negative)
     */
    public static void ropeKv(float[] qkv, float[] bias, float[] cosSin, int[] positions, int[] slotMapping,
            float[] kCache, float[] vCache, int numTokens, int qHeads, int kvHeads, int headDim) {
        int width = (qHeads + 2 * kvHeads) * headDim;
        int kvDim = kvHeads * headDim;
        int maxPositions = cosSin.length / headDim;
        float[] row = new float[width];
        for (int t = 0; t < numTokens; t++) {
            int pos = positions[t];
            if (pos < 0 || pos >= maxPositions) {
                throw new IllegalArgumentException("position " + pos + " outside rope table [0, " + maxPositions + ")");
            }
            int off = t * width;
            for (int j = 0; j < width; j++) {
                row[j] = bias == null ? qkv[off + j] : qkv[off + j] + bias[j];
            }
            for (int h = 0; h < qHeads + kvHeads; h++) { // q heads then k heads
                io.prefillbench.model.RopeTable.rotate(cosSin, headDim, row, h * headDim, pos);
            }
            for (int j = 0; j < width; j++) {
                row[j] = roundBf16(row[j]);
            }
            System.arraycopy(row, 0, qkv, off, (qHeads + kvHeads) * headDim);
            int slot = slotMapping[t];
            if (slot >= 0) {
                System.arraycopy(row, qHeads * headDim, kCache, slot * kvDim, kvDim);
                System.arraycopy(row, (qHeads + kvHeads) * headDim, vCache, slot * kvDim, kvDim);
            }
        }
    }

    // ---------------------------------------------------------------- build_tile_map

    /** Output of build_tile_map: {@code batchIds/tileIds} of length {@code maxTiles}, -1 past {@code numBlocks}. */
    public record TileMap(int[] batchIds, int[] tileIds, int numBlocks) {}

    /** build_tile_map: sequence s gets {@code ceil(len_s * group / rowsPerTile)} tiles, listed in order. */
    public static TileMap tileMap(int[] queryStart, int numSeqs, int group, int rowsPerTile, int maxTiles) {
        int[] batch = new int[maxTiles];
        int[] tile = new int[maxTiles];
        Arrays.fill(batch, -1);
        Arrays.fill(tile, -1);
        int b = 0;
        for (int s = 0; s < numSeqs; s++) {
            long rows = (long) (queryStart[s + 1] - queryStart[s]) * group;
            int tiles = (int) ((rows + rowsPerTile - 1) / rowsPerTile);
            for (int i = 0; i < tiles; i++, b++) {
                if (b >= maxTiles) {
                    throw new IllegalArgumentException("more than " + maxTiles + " attention tiles");
                }
                batch[b] = s;
                tile[b] = i;
            }
        }
        return new TileMap(batch, tile, b);
    }

    // ---------------------------------------------------------------- attention_prefill

    /**
     * attention_prefill: varlen causal GQA attention over a paged KV cache. Query {@code i} of
     * sequence {@code s} (query length {@code L = queryStart[s+1] - queryStart[s]}, kv length
     * {@code K = kvLens[s]}) sits at position {@code K - L + i} and attends to keys
     * {@code [0, K - L + i]}; q head {@code h} reads kv head {@code h / (qHeads / kvHeads)}. Key
     * {@code j} lives at cache row {@code blockTables[s * maxPagesPerSeq + j / 64] * 64 + j % 64}.
     * Scores, softmax and the weighted sum are in double; the output is rounded to bf16.
     *
     * @param q      {@code [tokens, qStride]}, q head h at column {@code h * headDim}
     * @param kCache {@code [pages * PAGE_SIZE, kvHeads, headDim]}
     * @return {@code [tokens, qHeads * headDim]}, tokens = {@code queryStart[numSeqs]}
     */
    public static float[] attention(float[] q, int qStride, float[] kCache, float[] vCache, int[] queryStart,
            int[] kvLens, int[] blockTables, int maxPagesPerSeq, int numSeqs, int qHeads, int kvHeads,
            int headDim, float scale) {
        int group = qHeads / kvHeads;
        int kvDim = kvHeads * headDim;
        int tokens = queryStart[numSeqs];
        float[] out = new float[tokens * qHeads * headDim];
        double[] acc = new double[headDim];
        for (int s = 0; s < numSeqs; s++) {
            int q0 = queryStart[s];
            int len = queryStart[s + 1] - q0;
            int kvLen = kvLens[s];
            if (len < 0 || kvLen < len) {
                throw new IllegalArgumentException("sequence " + s + ": query length " + len + " > kv length " + kvLen);
            }
            // cache row of every key of this sequence
            int[] rows = new int[kvLen];
            for (int j = 0; j < kvLen; j++) {
                rows[j] = blockTables[s * maxPagesPerSeq + j / PAGE_SIZE] * PAGE_SIZE + j % PAGE_SIZE;
            }
            double[] scores = new double[kvLen];
            for (int i = 0; i < len; i++) {
                int t = q0 + i;
                int visible = kvLen - len + i + 1;
                for (int h = 0; h < qHeads; h++) {
                    int qOff = t * qStride + h * headDim;
                    int kvCol = (h / group) * headDim;
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < visible; j++) {
                        int kOff = rows[j] * kvDim + kvCol;
                        double dot = 0;
                        for (int d = 0; d < headDim; d++) {
                            dot += (double) q[qOff + d] * kCache[kOff + d];
                        }
                        scores[j] = dot * scale;
                        max = Math.max(max, scores[j]);
                    }
                    Arrays.fill(acc, 0);
                    double sum = 0;
                    for (int j = 0; j < visible; j++) {
                        double p = Math.exp(scores[j] - max);
                        sum += p;
                        int vOff = rows[j] * kvDim + kvCol;
                        for (int d = 0; d < headDim; d++) {
                            acc[d] += p * vCache[vOff + d];
                        }
                    }
                    int oOff = (t * qHeads + h) * headDim;
                    for (int d = 0; d < headDim; d++) {
                        out[oOff + d] = roundBf16((float) (acc[d] / sum));
                    }
                }
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- gemm_bf16 (+ splitk_reduce)

    /**
     * gemm_bf16: {@code C[m, n] = bf16(A[m, k] * B[n, k]^T)}, products summed in double
     * ({@link #dot}), rounded double to float to bf16. The split-k
     * variants compute the same function (only their fp32 rounding differs).
     */
    public static float[] gemm(float[] a, float[] b, int m, int n, int k) {
        float[] c = new float[m * n];
        // tiles of 16 rows x 64 columns: a weight row is reused from cache by 16 activation rows
        int rowBlock = 16;
        int colBlock = 64;
        int rowBlocks = (m + rowBlock - 1) / rowBlock;
        int colBlocks = (n + colBlock - 1) / colBlock;
        IntStream tasks = IntStream.range(0, rowBlocks * colBlocks);
        if ((long) m * n * k >= PARALLEL_WORK) {
            tasks = tasks.parallel();
        }
        tasks.forEach(task -> {
            int r0 = (task / colBlocks) * rowBlock;
            int r1 = Math.min(m, r0 + rowBlock);
            int c0 = (task % colBlocks) * colBlock;
            int c1 = Math.min(n, c0 + colBlock);
            for (int col = c0; col < c1; col++) {
                for (int row = r0; row < r1; row++) {
                    c[row * n + col] = roundBf16((float) dot(a, row * k, b, col * k, k));
                }
            }
        });
        return c;
    }

    /**
     * Dot product in double over four interleaved partial sums (k = 0 mod 4, 1 mod 4, ...), added
     * at the end in a fixed order: deterministic, and four independent add chains run about three
     * times faster than one. bf16 * bf16 products are exact, so only the additions round.
     */
    static double dot(float[] a, int aOff, float[] b, int bOff, int k) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int kk = 0;
        for (; kk + 3 < k; kk += 4) {
            s0 += (double) a[aOff + kk] * b[bOff + kk];
            s1 += (double) a[aOff + kk + 1] * b[bOff + kk + 1];
            s2 += (double) a[aOff + kk + 2] * b[bOff + kk + 2];
            s3 += (double) a[aOff + kk + 3] * b[bOff + kk + 3];
        }
        for (; kk < k; kk++) {
            s0 += (double) a[aOff + kk] * b[bOff + kk];
        }
        return (s0 + s1) + (s2 + s3);
    }

    // ---------------------------------------------------------------- silu_mul

    /** silu_mul: {@code out[t, j] = bf16(silu(g) * u)}, {@code g = gateUp[t, j]}, {@code u = gateUp[t, ffn + j]}, silu(x) = x / (1 + exp(-x)) in float. */
    public static float[] siluMul(float[] gateUp, int tokens, int ffn) {
        float[] out = new float[tokens * ffn];
        for (int t = 0; t < tokens; t++) {
            int in = t * 2 * ffn;
            for (int j = 0; j < ffn; j++) {
                out[t * ffn + j] = roundBf16(silu(gateUp[in + j]) * gateUp[in + ffn + j]);
            }
        }
        return out;
    }

    /**
     * gemm_bf16_silu: the gate/up GEMM with the SiLU * up epilogue on device-layout weights
     * ({@code wDevice} = the natural {@code [2 ffn, k]} weight with its rows interleaved by {@code layout}):
     * {@code gu = gemm(a, wDevice)}, then {@code out[t, j] = bf16(silu(g) * u)} with g and u the columns of
     * {@code gu} holding gate row j and up row j. The same math as {@link #gemm} then {@link #siluMul} on the
     * natural weights (the CPU reference runs it that way).
     */
    public static float[] gemmSiluMul(float[] a, float[] wDevice, int rows, int k, WeightLayout.RowInterleave layout) {
        int ffn = layout.half(), n = layout.rows();
        float[] gu = gemm(a, wDevice, rows, n, k);
        float[] out = new float[rows * ffn];
        for (int t = 0; t < rows; t++) {
            for (int j = 0; j < ffn; j++) {
                float g = gu[t * n + layout.deviceRow(j)], u = gu[t * n + layout.deviceRow(ffn + j)];
                out[t * ffn + j] = roundBf16(silu(g) * u);
            }
        }
        return out;
    }

    public static float silu(float x) {
        return x / (1.0f + (float) Math.exp(-x));
    }

    // ---------------------------------------------------------------- final_norm_gather

    /**
     * final_norm_gather: for each sequence s, row = {@code queryStart[s+1] - 1}:
     * {@code r = bf16(residual[row] + x[row])}, {@code out[s] = bf16(rmsnorm(r) * weight)}.
     * Neither input is modified. Returns {@code [numSeqs, hidden]}.
     */
    public static float[] finalNormGather(float[] x, float[] residual, float[] weight, int[] queryStart,
            int numSeqs, int hidden, float eps) {
        float[] out = new float[numSeqs * hidden];
        float[] r = new float[hidden];
        for (int s = 0; s < numSeqs; s++) {
            int row = queryStart[s + 1] - 1;
            for (int j = 0; j < hidden; j++) {
                r[j] = roundBf16(residual[row * hidden + j] + x[row * hidden + j]);
            }
            rmsNormRow(r, 0, weight, hidden, eps, out, s * hidden);
        }
        return out;
    }

    // ---------------------------------------------------------------- gather_last_rows

    /**
     * gather_last_rows, one of its two tensors: row s of the result is row {@code queryStart[s+1] - 1} of {@code src}
     * ({@code [tokens, cols]}), for s < numSeqs. Returns {@code [numSeqs, cols]}, the same values.
     */
    public static float[] gatherLastRows(float[] src, int cols, int[] queryStart, int numSeqs) {
        float[] out = new float[numSeqs * cols];
        for (int s = 0; s < numSeqs; s++) System.arraycopy(src, (queryStart[s + 1] - 1) * cols, out, s * cols, cols);
        return out;
    }

    // ---------------------------------------------------------------- argmax_rows

    /** argmax_rows: index of the largest of {@code logits[s, :]}, the lowest index on ties. */
    public static int[] argmax(float[] logits, int seqs, int vocab) {
        int[] out = new int[seqs];
        for (int s = 0; s < seqs; s++) {
            int best = 0;
            float bestValue = logits[s * vocab];
            for (int j = 1; j < vocab; j++) {
                float v = logits[s * vocab + j];
                if (v > bestValue) {
                    best = j;
                    bestValue = v;
                }
            }
            out[s] = best;
        }
        return out;
    }
}
