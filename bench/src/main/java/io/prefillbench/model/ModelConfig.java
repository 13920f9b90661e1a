package io.prefillbench.model;

import io.prefillbench.BenchException;

/**
 * Shape of a decoder-only transformer (Llama/Qwen2/ERNIE 4.5 dense family: RMSNorm, GQA attention
 * with NeoX RoPE, SwiGLU FFN). Only shapes matter to the benchmark: weights are synthetic.
 *
 * @param qkvBias           q, k and v projections carry a bias (Qwen2)
 * @param tieWordEmbeddings the LM head reuses the embedding table
 * @param maxPositions      rows of the RoPE table; positions at or past it are rejected
 */
public record ModelConfig(
        String name,
        int hidden,
        int layers,
        int qHeads,
        int kvHeads,
        int headDim,
        int ffn,
        int vocab,
        double ropeTheta,
        float rmsNormEps,
        boolean qkvBias,
        boolean tieWordEmbeddings,
        int maxPositions) {

    /** The kernels tile GEMM dimensions in 64s; attention tiles hold 64 (token, head) rows. */
    public static final int ALIGN = 64;

    /** q heads sharing one kv head. */
    public int group() {
        return qHeads / kvHeads;
    }

    /** Columns of the fused qkv projection output. */
    public int qkvDim() {
        return (qHeads + 2 * kvHeads) * headDim;
    }

    /** Columns of the attention output (input of the o projection). */
    public int attnDim() {
        return qHeads * headDim;
    }

    /** Columns of one token's k (or v) in the cache: kvHeads * headDim. */
    public int kvDim() {
        return kvHeads * headDim;
    }

    /** Parameters of one decoder layer. */
    public long layerParams() {
        long h = hidden;
        return h                                   // input norm
                + (long) qkvDim() * h              // qkv
                + (qkvBias ? qkvDim() : 0)         // qkv bias
                + h * attnDim()                    // o
                + h                                // post-attention norm
                + 2L * ffn * h                     // gate_up
                + h * ffn;                         // down
    }

    /** All parameters, counting a tied embedding once. */
    public long params() {
        long embed = (long) vocab * hidden;
        return embed + (tieWordEmbeddings ? 0 : embed) + hidden + layers * layerParams();
    }

    /** Bytes of all weights in bf16 (without the alignment padding of {@link WeightSpec}). */
    public long weightBytes() {
        return 2 * params();
    }

    /**
     * Checks that the kernels support this shape.
     *
     * @return this, for chaining
     * @throws BenchException (exit 2) naming the offending field
     */
    public ModelConfig validate() {
        String n = "model " + (name == null ? "?" : name) + ": ";
        positive(n, "hidden", hidden);
        positive(n, "layers", layers);
        positive(n, "q heads", qHeads);
        positive(n, "kv heads", kvHeads);
        positive(n, "head dim", headDim);
        positive(n, "ffn", ffn);
        positive(n, "vocab", vocab);
        positive(n, "max positions", maxPositions);
        if (!(ropeTheta > 0) || Double.isInfinite(ropeTheta)) {
            throw new BenchException(n + "rope theta must be positive, got " + ropeTheta);
        }
        if (!(rmsNormEps > 0) || Float.isInfinite(rmsNormEps)) {
            throw new BenchException(n + "rms norm eps must be positive, got " + rmsNormEps);
        }
        if (headDim != 64 && headDim != 128) {
            throw new BenchException(n + "head dim " + headDim + " unsupported (kernels support 64 or 128)");
        }
        if (qHeads % kvHeads != 0) {
            throw new BenchException(n + "heads not divisible by kv heads (" + qHeads + " q heads, "
                    + kvHeads + " kv heads)");
        }
        if (group() > ALIGN) {
            throw new BenchException(n + "GQA group " + group() + " exceeds " + ALIGN
                    + " (one attention tile holds 64 rows)");
        }
        multipleOf64(n, "hidden", hidden);
        multipleOf64(n, "ffn", ffn);
        multipleOf64(n, "vocab", vocab);
        // long: heads * headDim can overflow int for absurd configs; the check must still fire
        multipleOf64(n, "qkv dim (q heads + 2 kv heads) * head dim", (long) (qHeads + 2L * kvHeads) * headDim);
        multipleOf64(n, "attention dim q heads * head dim", (long) qHeads * headDim);
        return this;
    }

    private static void positive(String prefix, String field, int v) {
        if (v <= 0) {
            throw new BenchException(prefix + field + " must be positive, got " + v);
        }
    }

    private static void multipleOf64(String prefix, String field, long v) {
        if (v % ALIGN != 0 || v > Integer.MAX_VALUE) {
            throw new BenchException(prefix + field + " = " + v + " is not a multiple of " + ALIGN
                    + " (kernel tiles are 64 wide)");
        }
    }
}
