package io.prefillbench.plan;

import io.prefillbench.BenchException;

/**
 * The model dimensions the planner needs (a decoder-only transformer with GQA attention and a
 * gated FFN). Kept separate from the model presets so planning math has no model dependency.
 *
 * @param tiedEmbeddings the LM head reuses the embedding table (no separate weights)
 */
public record PlanShape(int qHeads, int kvHeads, int headDim, int hidden, int layers, int ffn, int vocab,
                        boolean tiedEmbeddings) {
    public PlanShape {
        positive("q heads", qHeads);
        positive("kv heads", kvHeads);
        positive("head dim", headDim);
        positive("hidden", hidden);
        positive("layers", layers);
        positive("ffn", ffn);
        positive("vocab", vocab);
        if (qHeads % kvHeads != 0) {
            throw new BenchException("model shape: q heads " + qHeads + " is not a multiple of kv heads " + kvHeads);
        }
    }

    /** The shape of a model config (biases and positions do not change the plan). */
    public static PlanShape of(io.prefillbench.model.ModelConfig m) {
        return new PlanShape(m.qHeads(), m.kvHeads(), m.headDim(), m.hidden(), m.layers(), m.ffn(), m.vocab(), m.tieWordEmbeddings());
    }

    /** ERNIE-4.5-0.3B: hidden 1024, 18 layers, 16 q / 2 kv heads of 64, FFN 3072, vocab 103424, tied. */
    public static PlanShape ernie45_03b() {
        return new PlanShape(16, 2, 64, 1024, 18, 3072, 103424, true);
    }

    /** q heads per kv head. */
    public int group() {
        return qHeads / kvHeads;
    }

    /** Width of the fused q|k|v projection output: {@code (q + 2 kv) * headDim}. */
    public int qkvWidth() {
        return (qHeads + 2 * kvHeads) * headDim;
    }

    /** Width of the attention output: {@code qHeads * headDim}. */
    public int attnWidth() {
        return qHeads * headDim;
    }

    /**
     * Parameter count: embedding, per layer qkv + o + gate_up + down projections and two norms,
     * the final norm, and the LM head unless tied. Biases are not counted (< 0.1% where present).
     */
    public long params() {
        long perLayer = (long) hidden * qkvWidth() + (long) attnWidth() * hidden
                + 3L * ffn * hidden + 2L * hidden;
        long embed = (long) vocab * hidden;
        return embed + layers * perLayer + hidden + (tiedEmbeddings ? 0 : embed);
    }

    /** bf16 weight bytes: 2 per parameter. */
    public long weightBytes() {
        return 2 * params();
    }

    /** {@code "q 16 / kv 2 (group 8), head dim 64, hidden 1024, ..."}, for reports. */
    public String describe() {
        return "q heads " + qHeads + " / kv heads " + kvHeads + " (group " + group() + "), head dim " + headDim
                + ", hidden " + hidden + ", layers " + layers + ", ffn " + ffn + ", vocab " + vocab
                + (tiedEmbeddings ? ", tied embeddings" : "");
    }

    private static void positive(String what, int v) {
        if (v < 1) {
            throw new BenchException("model shape: " + what + " must be >= 1, got " + v);
        }
    }
}
