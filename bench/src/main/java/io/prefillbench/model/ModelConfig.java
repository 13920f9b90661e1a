package io.prefillbench.model;

import io.prefillbench.BenchException;

import java.util.function.UnaryOperator;

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

    /** Widest hidden, FFN or attention dimension accepted: far above any real model, low enough that no size overflows. */
    public static final int MAX_WIDTH = 1 << 18;
    /** Largest vocabulary accepted (real ones reach ~256k). */
    public static final int MAX_VOCAB = 1 << 21;
    /** Most decoder layers accepted. */
    public static final int MAX_LAYERS = 1024;

    /** Keys of {@link #validate(String, UnaryOperator)}'s label function: the fields under their neutral names. */
    public static final String HIDDEN = "hidden", LAYERS = "layers", Q_HEADS = "q heads", KV_HEADS = "kv heads",
            HEAD_DIM = "head dim", FFN = "ffn", VOCAB = "vocab", MAX_POSITIONS = "max positions", ROPE_THETA = "rope theta",
            RMS_NORM_EPS = "rms norm eps";

    /**
     * Checks that the kernels support this shape, naming fields by their neutral names (a preset's).
     *
     * @return this, for chaining
     * @throws BenchException (exit 2) naming the offending field
     */
    public ModelConfig validate() {
        return validate("model " + (name == null ? "?" : name), UnaryOperator.identity());
    }

    /**
     * The kernels' limits, in one place: plan and prefill both call this, so plan never plans a shape prefill
     * refuses.
     *
     * @param where what each message starts with: the preset, or the config file
     * @param label the user's name for each field (a config.json key, a command-line flag), given its neutral name
     * @return this, for chaining
     * @throws BenchException (exit 2) naming the offending field
     */
    public ModelConfig validate(String where, UnaryOperator<String> label) {
        String n = where + ": ";
        positive(n, label.apply(HIDDEN), hidden);
        positive(n, label.apply(LAYERS), layers);
        positive(n, label.apply(Q_HEADS), qHeads);
        positive(n, label.apply(KV_HEADS), kvHeads);
        positive(n, label.apply(HEAD_DIM), headDim);
        positive(n, label.apply(FFN), ffn);
        positive(n, label.apply(VOCAB), vocab);
        positive(n, label.apply(MAX_POSITIONS), maxPositions);
        atMost(n, label.apply(HIDDEN), hidden, MAX_WIDTH);
        atMost(n, label.apply(FFN), ffn, MAX_WIDTH);
        atMost(n, label.apply(VOCAB), vocab, MAX_VOCAB);
        atMost(n, label.apply(LAYERS), layers, MAX_LAYERS);
        if (!(ropeTheta > 0) || Double.isInfinite(ropeTheta)) {
            throw new BenchException(n + label.apply(ROPE_THETA) + " must be positive, got " + ropeTheta);
        }
        if (!(rmsNormEps > 0) || Float.isInfinite(rmsNormEps)) {
            throw new BenchException(n + label.apply(RMS_NORM_EPS) + " must be positive, got " + rmsNormEps);
        }
        if (headDim != 64 && headDim != 128) {
            throw new BenchException(n + label.apply(HEAD_DIM) + " " + headDim + " unsupported (kernels support 64 or 128)");
        }
        if (qHeads % kvHeads != 0) {
            throw new BenchException(n + label.apply(Q_HEADS) + " " + qHeads + " not divisible by " + label.apply(KV_HEADS)
                    + " " + kvHeads);
        }
        if (group() > ALIGN) {
            throw new BenchException(n + "GQA group " + group() + " (" + label.apply(Q_HEADS) + " " + qHeads + " / "
                    + label.apply(KV_HEADS) + " " + kvHeads + ") exceeds " + ALIGN + " (one attention tile holds 64 rows)");
        }
        multipleOf64(n, label.apply(HIDDEN), hidden);
        multipleOf64(n, label.apply(FFN), ffn);
        multipleOf64(n, label.apply(VOCAB), vocab);
        // long: heads * headDim can overflow int for absurd configs; the check must still fire
        String q = label.apply(Q_HEADS), kv = label.apply(KV_HEADS), hd = label.apply(HEAD_DIM);
        multipleOf64(n, "qkv dim (" + q + " + 2 " + kv + ") * " + hd, (long) (qHeads + 2L * kvHeads) * headDim);
        multipleOf64(n, "attention dim " + q + " * " + hd, (long) qHeads * headDim);
        atMost(n, "qkv dim (" + q + " + 2 " + kv + ") * " + hd, (long) (qHeads + 2L * kvHeads) * headDim, MAX_WIDTH);
        return this;
    }

    private static void atMost(String prefix, String field, long v, int max) {
        if (v > max) {
            throw new BenchException(prefix + field + " = " + v + " is above the limit " + max);
        }
    }

    private static void positive(String prefix, String field, int v) {
        if (v <= 0) {
            throw new BenchException(prefix + field + " must be positive, got " + v);
        }
    }

    private static void multipleOf64(String prefix, String field, long v) {
        if (v % ALIGN != 0) {
            throw new BenchException(prefix + field + " = " + v + " is not a multiple of " + ALIGN
                    + " (kernel tiles are 64 wide)");
        }
    }
}
