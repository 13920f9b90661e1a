package io.prefillbench.forward;

import io.prefillbench.model.Presets;
import io.prefillbench.plan.CaptureSizes;

import java.util.List;
import java.util.Set;

/** Shared fixtures: lowering of presets, a test-only fused GEMM and an L2 prefetch implementation. */
public final class ForwardTestSupport {
    private ForwardTestSupport() {
    }

    static LoweredForward lower(String preset, String sizes, int maxNumSeqs, int sms, ImplRegistry reg, ImplChoices choices) {
        return LoweredForward.of(ForwardProgram.of(Presets.byName(preset)), CaptureSizes.parse(sizes, CaptureSizes.HARD_CAP),
                maxNumSeqs, 2048, sms, 90, reg, choices);
    }

    static LoweredForward lower(String preset, String sizes) {
        return lower(preset, sizes, 32, 132, ImplRegistry.standard(), ImplChoices.none());
    }

    /** A GEMM with a SiLU*up epilogue (non-linear): never split, only selected through a fusion row (replacing the standard rule). */
    static Impl fusedSilu(boolean linearEpilogue) {
        return new Impl("gemm_silu_test", OpKind.GEMM, "gemm_silu_test", 128, 0, Set.of(Impl.Attr.PDL), "test",
                (op, k) -> true, (op, k, s, d) -> new Grid(Grid.fixed(op.n() / 64), Grid.over(op.rows(), 64), Grid.fixed(s)),
                (op, k) -> 1, linearEpilogue, null, (c, o) -> {
                    throw new UnsupportedOperationException("test implementation");
                });
    }

    static ImplRegistry withFusedSilu(boolean linearEpilogue) {
        return ImplRegistry.standard().with(fusedSilu(linearEpilogue),
                new ImplRegistry.Fusion("silu_into_gate_up", "gate_up", OpKind.SILU_MUL, "gemm_silu_test"));
    }

    static ImplRegistry withPrefetch() {
        return ImplRegistry.standard().with(new Impl("l2_prefetch_test", OpKind.L2_PREFETCH, "l2_prefetch_test", 256, 0, Set.of(),
                "reads weights only", (op, k) -> true, (op, k, s, d) -> Grid.of(Grid.fixed(8)), (op, k) -> 1, true, null, (c, o) -> {
                    throw new UnsupportedOperationException("test implementation");
                }));
    }

    static ImplChoices choices(List<ImplChoices.GemmRow> gemm, List<ImplChoices.FusionRow> fusions, List<ImplChoices.KeyRow> prefetch) {
        return new ImplChoices(new ImplChoices.Provenance("test", "-", "-", "-"), gemm, fusions, prefetch);
    }

    /** Persistent layers switched on at these buckets (any arch), nothing else. */
    static ImplChoices persistentAt(int... sizes) {
        List<ImplChoices.KeyRow> rows = java.util.Arrays.stream(sizes).mapToObj(m -> new ImplChoices.KeyRow(m, 0, "test")).toList();
        return new ImplChoices(new ImplChoices.Provenance("test", "-", "-", "-"), List.of(), List.of(), List.of(), rows);
    }

    /** {@code b} without last_rows rows: the last layer on every row (v78 off). */
    public static ImplChoices withoutLastRows(ImplChoices b) {
        return b.withFusions(b.fusions().stream().filter(r -> !r.fusion().equals(ImplRegistry.LAST_ROWS)).toList());
    }

    /** {@code b} with one last_rows row for sizes {@code m..mMax} (any arch) in place of its own. */
    public static ImplChoices withLastRows(ImplChoices b, int m, int mMax) {
        List<ImplChoices.FusionRow> rows = new java.util.ArrayList<>(withoutLastRows(b).fusions());
        rows.add(new ImplChoices.FusionRow(ImplRegistry.LAST_ROWS, m, 0, "test", mMax, null));
        return b.withFusions(rows);
    }

    /**
     * {@code b} with one more fusion row {@code fusion} for sizes {@code m..mMax} on sm_90, naming no producer: the switches
     * that rewrite a plan rather than fuse a GEMM's epilogue (solo_norms, argmax_into_lm_head).
     */
    public static ImplChoices withSwitchRow(ImplChoices b, String fusion, int m, int mMax) {
        List<ImplChoices.FusionRow> rows = new java.util.ArrayList<>(b.fusions());
        rows.add(new ImplChoices.FusionRow(fusion, m, 90, "test", mMax, null));
        return b.withFusions(rows);
    }

    /** {@code b} without attention_into_o rows. */
    public static ImplChoices withoutAttentionIntoO(ImplChoices b) {
        return b.withFusions(b.fusions().stream().filter(r -> !r.fusion().equals(ImplRegistry.ATTENTION_INTO_O)).toList());
    }

    /**
     * {@code b} with one attention_into_o row at 1..16 (sm_90) in place of its own: for {@code batch} plans (null: every
     * batch kind), the o GEMMs on {@code producer} of shape {@code n} x {@code k} (null: any).
     */
    public static ImplChoices withAttentionIntoO(ImplChoices b, String batch, String producer, Integer n, Integer k) {
        List<ImplChoices.FusionRow> rows = new java.util.ArrayList<>(withoutAttentionIntoO(b).fusions());
        rows.add(new ImplChoices.FusionRow(ImplRegistry.ATTENTION_INTO_O, 1, 90, "test", 16, producer, n, k, batch));
        return b.withFusions(rows);
    }

    /**
     * {@code b} with ERNIE-4.5-0.3B's qkv (1280 x 1024) at 1..16 as before the v75 rows (s34): no row on the 16-column kernel,
     * no rope_into_qkv row for that shape, the half-width tile at split 4 back (the row those replaced). For tests that fold
     * rope elsewhere or read ERNIE's qkv partials; other models' rows stay.
     */
    public static ImplChoices withoutPairTiles(ImplChoices b) {
        List<ImplChoices.GemmRow> gemm = new java.util.ArrayList<>(b.gemm().stream()
                .filter(r -> !(r.n() == 1280 && r.k() == 1024 && r.impl().equals(ImplRegistry.GEMM_STREAM_M16_N16))).toList());
        gemm.add(new ImplChoices.GemmRow(1280, 1024, 1, 90, "gemm_bf16_stream_m16_n32", 4, "the row v75 replaced (s13..s33)", null, 16));
        return b.withGemm(gemm).withFusions(b.fusions().stream()
                .filter(r -> !(r.fusion().equals(ImplRegistry.ROPE_INTO_QKV) && Integer.valueOf(1280).equals(r.n()))).toList());
    }

    /**
     * {@code b} without GEMM rows putting Llama-3.2-1B's o (2048 x 2048) on the 128-deep tile (bundled since s38 for prompt
     * batches): its o back on the plain 16-row kernel at the rule's 8 splits in every graph, the tile the k256 fold (v79) needs.
     */
    public static ImplChoices withPlainLlamaO(ImplChoices b) {
        return b.withGemm(b.gemm().stream()
                .filter(r -> !(r.n() == 2048 && r.k() == 2048 && r.impl().equals(ImplRegistry.GEMM_STREAM_M16K128S4))).toList());
    }
}
