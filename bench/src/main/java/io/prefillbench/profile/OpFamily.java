package io.prefillbench.profile;

import io.prefillbench.forward.LoweredOp;

/**
 * What a lowered op is counted as when GPU time is summed per family. A split-K reduce counts to its GEMM's
 * family (it finishes that GEMM); the tile map and L2 prefetch are "other"; a fused op counts as the op it was
 * fused into (e.g. gate_up GEMM + silu_mul counts as gate_up GEMM, an attention that took over its layer's rope_kv
 * (attention_prefill_wg_early_t32_rope) as attention: rope+kv then has no time of its own; an o GEMM that took over its
 * attention, gemm_bf16_stream_m16_n32_attn, as o GEMM: attention then has none); a persistent layer (one kernel for a whole
 * decoder layer) is "layer": its norms, GEMMs and attention have no time of their own. Where the last layer runs on each
 * sequence's last row (ForwardProgram.lastLayerOnLastRows), its row gather and the add_rmsnorm named final_norm count as
 * "final norm+gather".
 */
public enum OpFamily {
    EMBED("embed"), NORM("norm"), QKV_GEMM("qkv GEMM"), ROPE_KV("rope+kv"), ATTENTION("attention"), O_GEMM("o GEMM"),
    GATE_UP_GEMM("gate_up GEMM"), ACT("act"), DOWN_GEMM("down GEMM"), LAYER("layer"), FINAL_NORM("final norm+gather"), LM_HEAD("LM head"),
    ARGMAX("argmax"), OTHER("other");

    private final String label;

    OpFamily(String label) {
        this.label = label;
    }

    /** The name printed and stored in the results JSON. */
    public String label() {
        return label;
    }

    public static OpFamily of(LoweredOp op) {
        // a default branch, not an exhaustive switch: an op kind added later counts as "other" until named here
        return switch (op.op().kind()) {
            case EMBED -> EMBED;
            case ADD_RMSNORM -> op.op().name().equals("final_norm") ? FINAL_NORM : NORM; // the last rows' final norm (lastLayerOnLastRows)
            case GEMM, SPLITK_REDUCE -> gemmFamily(op.op().name());
            case ROPE_KV -> ROPE_KV;
            case ATTENTION -> ATTENTION;
            case SILU_MUL -> ACT;
            case FINAL_NORM_GATHER, GATHER_LAST_ROWS -> FINAL_NORM;
            case ARGMAX -> ARGMAX;
            case LAYER -> LAYER;
            default -> OTHER;
        };
    }

    /** {@code "L3.qkv"}, {@code "L3.qkv.reduce"} -> QKV_GEMM; {@code "lm_head"} -> LM_HEAD. */
    static OpFamily gemmFamily(String opName) {
        String s = opName;
        if (s.startsWith("L")) {
            int dot = s.indexOf('.');
            if (dot > 0) s = s.substring(dot + 1);
        }
        if (s.endsWith(".reduce")) s = s.substring(0, s.length() - ".reduce".length());
        return switch (s) {
            case "qkv" -> QKV_GEMM;
            case "o" -> O_GEMM;
            case "gate_up" -> GATE_UP_GEMM;
            case "down" -> DOWN_GEMM;
            case "lm_head" -> LM_HEAD;
            default -> OTHER;
        };
    }
}
