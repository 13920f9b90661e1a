package io.prefillbench.forward;

import io.prefillbench.BenchException;
import io.prefillbench.bindings.kernels.AddRmsNormParams;
import io.prefillbench.bindings.kernels.ArgmaxKeysParams;
import io.prefillbench.bindings.kernels.ArgmaxParams;
import io.prefillbench.bindings.kernels.AttnParams;
import io.prefillbench.bindings.kernels.AttnTmaParams;
import io.prefillbench.bindings.kernels.AttnRopeParams;
import io.prefillbench.bindings.kernels.EmbedParams;
import io.prefillbench.bindings.kernels.FinalNormGatherParams;
import io.prefillbench.bindings.kernels.GatherRowsParams;
import io.prefillbench.bindings.kernels.GemmAmaxParams;
import io.prefillbench.bindings.kernels.GemmAttnParams;
import io.prefillbench.bindings.kernels.GemmParams;
import io.prefillbench.bindings.kernels.GemmRopeParams;
import io.prefillbench.bindings.kernels.GemmTmaParams;
import io.prefillbench.bindings.kernels.GemmTmaRopeParams;
import io.prefillbench.bindings.kernels.L2PrefetchParams;
import io.prefillbench.bindings.kernels.L2PrefetchRowsParams;
import io.prefillbench.bindings.kernels.LayerParams;
import io.prefillbench.bindings.kernels.RopeKvParams;
import io.prefillbench.bindings.kernels.SiluMulParams;
import io.prefillbench.bindings.kernels.SplitKReduceParams;
import io.prefillbench.bindings.kernels.TileMapEmbedParams;
import io.prefillbench.bindings.kernels.TileMapParams;
import io.prefillbench.cuda.CublasLtMatmul;
import io.prefillbench.cuda.CudaStream;
import io.prefillbench.cuda.Kernel;
import io.prefillbench.cuda.TensorMapEncoder;
import io.prefillbench.model.WeightSpec;
import io.prefillbench.plan.GemmTiling;
import io.prefillbench.plan.StreamTiling;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Every implementation of every op kind, and the fusion rules, declared once. Adding an
 * implementation = one {@link Impl} entry here (grid, workspace via splits, attributes, invariance,
 * binder) plus its kernel; selecting it per bucket = a row in the measurements file
 * ({@link ImplChoices}).
 */
public final class ImplRegistry {
    /** The wgmma attention form's name (kernel and implementation): an attention row selects it (AttentionWgmma). */
    public static final String ATTENTION_WG = "attention_prefill_wg";
    /** The wg form that reads its tile before the PDL wait (an attention row selects it). */
    public static final String ATTENTION_WG_EARLY = "attention_prefill_wg_early";
    /**
     * The early wg form with its full path's K / V pages brought in by TMA, one issuing thread per key half (v93): the early
     * form's bits, tiles and plan order; an attention row selects it.
     */
    public static final String ATTENTION_WG_EARLY_TMA = "attention_prefill_wg_early_tma";
    /** The early form, except split-path tiles over a long cached prefix, which run the late form (v41). */
    public static final String ATTENTION_WG_EARLY_LP = "attention_prefill_wg_early_lp";
    /** The early wg form over tiles of half the rows: every tile on the split path (attention_wg.cu, s20). */
    public static final String ATTENTION_WG_EARLY_T32 = "attention_prefill_wg_early_t32";
    /** The early wg form with 4 key parts (warpgroups) instead of 2: a long tile's pages over 4 (attention_wg.cu, v69). */
    public static final String ATTENTION_WG_EARLY_Q4 = "attention_prefill_wg_early_q4";
    /**
     * The t32 form with its layer's rope_kv_write inside ({@link Impl.Attr#ROPE_IN}): reads rope's input directly and writes
     * the new tokens' k and v into the caches itself; an attention row selects it at sizes of at most
     * {@link KernelConstants#ATTN_ROPE_MAX_NEW} tokens, and {@link Lowering#foldRopeIntoAttention} folds the rope op in.
     */
    public static final String ATTENTION_WG_EARLY_T32_ROPE = "attention_prefill_wg_early_t32_rope";

    /**
     * Rows per attention tile of an implementation: {@link KernelConstants#ROWS_PER_TILE}, half that for a
     * {@link Impl.Attr#HALF_TILES} form (the t32 kernel's PK_ATTN_T32_ROWS is PREFILL_ATTN_ROWS_PER_TILE / 2 too). A plan's
     * tile map, tile capacity and batch tile counts use its attention's rows ({@link CaptureKey#tileRows}).
     */
    public static int tileRows(Impl impl) {
        return impl.attrs().contains(Impl.Attr.HALF_TILES) ? KernelConstants.ROWS_PER_TILE / 2 : KernelConstants.ROWS_PER_TILE;
    }
    private static final String WG_EARLY_BITS = "attention_prefill_wg's bits (the same arithmetic; only when its loads are issued differs)";

    /**
     * A fusion rewrite: a GEMM ({@code producerGemm}: the op-name suffix, e.g. {@code gate_up})
     * whose only reader is the next op of kind {@code consumer} becomes one op, which writes the
     * consumer's output, run by the fused form of the GEMM's implementation: {@code implByProducer}
     * maps the GEMM's implementation name to it ({@code "*"}: any implementation). {@code fits}: whether the
     * model's shape allows it at all (e.g. whole heads per column tile); where it does not, the GEMM stays unfused.
     */
    public record Fusion(String name, String producerGemm, OpKind consumer, Map<String, String> implByProducer,
                         java.util.function.Predicate<ForwardProgram.Dims> fits) {
        public Fusion {
            implByProducer = Map.copyOf(implByProducer);
        }

        public Fusion(String name, String producerGemm, OpKind consumer, Map<String, String> implByProducer) {
            this(name, producerGemm, consumer, implByProducer, d -> true);
        }

        /** One fused implementation whatever the GEMM's implementation. */
        public Fusion(String name, String producerGemm, OpKind consumer, String impl) {
            this(name, producerGemm, consumer, Map.of(ANY, impl));
        }

        static final String ANY = "*";

        /**
         * The fused implementation replacing {@code producer}; refused when the rule has none for it. {@code ownOnly}: the
         * producer's own fused form, never the rule's generic one — what a measurements row that names its producer fuses
         * into (the row was measured on that producer's own fused kernel; the generic form would run one nobody measured
         * for it, as a jar older than the row's file would).
         */
        public String implFor(Impl producer, boolean ownOnly) {
            String f = implByProducer.getOrDefault(producer.name(), ownOnly ? null : implByProducer.get(ANY));
            if (f == null) {
                String forms = String.valueOf(new java.util.TreeSet<>(implByProducer.keySet()));
                throw new IllegalStateException("fusion " + name + " has no fused form of " + producer.name() + (ownOnly
                        ? " (a row names that producer; this build's forms: " + forms + "): run a jar that has it, or drop the row's "
                                + "producer to accept the generic form"
                        : " (only of " + forms + ")"));
            }
            return f;
        }
    }

    private final List<Impl> impls;
    private final List<Fusion> fusions;

    public ImplRegistry(List<Impl> impls, List<Fusion> fusions) {
        this.impls = List.copyOf(impls);
        this.fusions = List.copyOf(fusions);
    }

    /** This registry plus one implementation (and optionally fusion rules using it, replacing rules of the same name). */
    public ImplRegistry with(Impl impl, Fusion... more) {
        List<Impl> i = new ArrayList<>(impls);
        i.add(impl);
        List<Fusion> f = new ArrayList<>(fusions);
        for (Fusion m : more) f.removeIf(x -> x.name().equals(m.name()));
        f.addAll(List.of(more));
        return new ImplRegistry(i, f);
    }

    public List<Impl> impls() {
        return impls;
    }

    public List<Fusion> fusions() {
        return fusions;
    }

    public Impl byName(String name) {
        for (Impl i : impls) if (i.name().equals(name)) return i;
        throw new IllegalArgumentException("no implementation " + name + " in the registry");
    }

    public Optional<Impl> find(String name) {
        return impls.stream().filter(i -> i.name().equals(name)).findFirst();
    }

    /** Whether {@code impl} is the fused form of some fusion rule (reached through that rule only). */
    public boolean fusionTarget(String impl) {
        return fusions.stream().anyMatch(f -> f.implByProducer().containsValue(impl));
    }

    /** The first implementation of a kind that supports the op, fused forms aside: the rule-based default. */
    public Impl defaultFor(Op op, CaptureKey key) {
        return defaultFor(op, key, null);
    }

    /** The same with the model's dimensions (null: rules that need them do not apply). */
    public Impl defaultFor(Op op, CaptureKey key, ForwardProgram.Dims dims) {
        for (Impl i : impls) {
            if (i.kind() != op.kind() || fusionTarget(i.name())) continue;
            if (dims != null ? i.supports().test(op, key, dims) : i.supports().test(op, key)) return i;
        }
        throw new IllegalStateException("no implementation of " + op.kind() + " supports " + op.name() + " at size " + key.size());
    }

    // ------------------------------------------------------------------ the standard registry

    /** The fusion of silu_mul into the gate/up GEMM's epilogue (switched on per bucket by the measurements file). */
    public static final String SILU_INTO_GATE_UP = "silu_into_gate_up";
    /**
     * embed_gather folded into build_tile_map (Lowering.foldEmbed, kernels/NOTES-forward.md v50): one kernel fewer in a
     * small forward's chain; a fusion row of this name switches it on per bucket.
     */
    public static final String EMBED_INTO_TILE_MAP = "embed_into_tile_map";
    /** build_tile_map with embed_gather's rows (tilemap.cu). */
    static final String TILE_MAP_EMBED = "build_tile_map_embed";
    /** The fusion of rope_kv_write into the qkv GEMM's epilogue (streaming kernels, split-K fixup). */
    public static final String ROPE_INTO_QKV = "rope_into_qkv";
    /**
     * Each layer's attention folded into its o GEMM in fresh-prompt plans ({@link Lowering#foldAttentionIntoO},
     * kernels/NOTES-forward.md v74): a fusion row of this name, scoped {@code "batch": "fresh"}, switches it on per size.
     */
    public static final String ATTENTION_INTO_O = "attention_into_o";
    /**
     * o at <= 16 rows on the half-width streaming tile with the attention of fresh prompts as its prologue (gemm_stream.cu,
     * GemmAttnParams): reached through {@link #ATTENTION_INTO_O} only.
     */
    public static final String GEMM_STREAM_M16_N32_ATTN = "gemm_bf16_stream_m16_n32_attn";
    /**
     * o at <= 16 rows on the plain 16-row kernel's 64-column tile with one k step of four q heads (256 columns) per block and
     * the attention of fresh prompts as its prologue (gemm_stream.cu, v79): reached through {@link #ATTENTION_INTO_O} where o
     * runs {@code gemm_bf16_stream_m16} at k / 256 splits.
     */
    public static final String GEMM_STREAM_M16_K256_ATTN = "gemm_bf16_stream_m16_k256_attn";
    /**
     * The last layer's o and MLP on each sequence's last row ({@link Lowering#lastRowsOnly}, kernels/NOTES-forward.md v78): a
     * fusion row of this name switches it on per size.
     */
    public static final String LAST_ROWS = "last_rows";
    /**
     * The norms on SMs of their own ({@link Lowering#soloNorms}, s39): a fusion row of this name switches it on per size; the
     * norms there run their {@link #SOLO_SUFFIX} twins.
     */
    public static final String SOLO_NORMS = "solo_norms";
    /** Suffix of an add_rmsnorm form's solo twin: the same kernel launched with {@link #SOLO_NORM_SMEM} of unused shared memory. */
    public static final String SOLO_SUFFIX = "_solo";
    /**
     * Dynamic shared memory a solo norm asks for and never touches: an sm_90 SM's {@link #SM_SMEM_BYTES} less this and the
     * block's reserve leaves 72448 bytes, so no block of 71.4 KB or more (the 16-row streaming tiles: 72-80 KB) fits beside it.
     */
    static final int SOLO_NORM_SMEM = 160000;
    /** Shared memory of an sm_90 SM (228 KB) and what the driver reserves per resident block (1 KB). */
    static final int SM_SMEM_BYTES = 233472, BLOCK_SMEM_RESERVE = 1024;
    /** argmax over a cluster per row (act.cu, v77). */
    public static final String ARGMAX_CLUSTER = "argmax_rows_cluster";
    /** Blocks of {@link #ARGMAX_CLUSTER}'s cluster: a row's eighth per SM (ERNIE-4.5-0.3B: 26 KB of 207). */
    static final int ARGMAX_CLUSTER_BLOCKS = 8;
    /** The smallest vocabulary spread over a cluster: below it a row is a few KB, one SM's single round trip. */
    static final int ARGMAX_CLUSTER_MIN_VOCAB = 16384;
    /**
     * The LM head's argmax folded into its epilogue ({@link Lowering#foldArgmax}, kernels/NOTES-forward.md v87): a fusion row of
     * this name switches it on per size; the LM head then runs its {@link #STREAM_AMAX} form and argmax {@link #ARGMAX_KEYS}.
     */
    public static final String ARGMAX_INTO_LM_HEAD = "argmax_into_lm_head";
    /** Suffix of the plain streaming kernels' argmax-key forms (gemm_stream.cu, GemmAmaxParams). */
    static final String STREAM_AMAX = "_amax";
    /** argmax from the keys the LM head folded (act.cu): one block, no logit read. */
    public static final String ARGMAX_KEYS = "argmax_keys";
    /**
     * The 16-column streaming GEMM at <= 16 rows (v75, gemm_stream.cu): a measurements row selects it; its rope form
     * {@link #GEMM_STREAM_M16_N16_ROPE1} (rope_into_qkv where qkv runs it) holds 8 rope pairs of one head per block, so it
     * runs unsplit with no split-K fixup at the half-width split form's block count.
     */
    public static final String GEMM_STREAM_M16_N16 = "gemm_bf16_stream_m16_n16", GEMM_STREAM_M16_N16_ROPE1 = "gemm_bf16_stream_m16_n16_rope1";
    /**
     * The 16-row half-width tile at nine stages and its SiLU form (v80): a k slice of up to 8 x 128 issued whole before the PDL
     * wait; the six-stage kernels' grid, splits and bits. Never a default: a measurements row (and silu_into_gate_up) selects them.
     */
    public static final String GEMM_STREAM_M16_N32S9 = "gemm_bf16_stream_m16_n32s9", GEMM_STREAM_M16_N32S9_SILU = GEMM_STREAM_M16_N32S9 + "_silu";
    /**
     * The plain 16-row tile at five stages and its SiLU form (v81): 51200 bytes of shared memory, so two of its blocks leave an
     * SM room for two six-stage blocks of the next kernel; the six-stage kernels' grid, splits and bits. Never a default.
     */
    public static final String GEMM_STREAM_M16S5 = "gemm_bf16_stream_m16s5", GEMM_STREAM_M16S5_SILU = GEMM_STREAM_M16S5 + "_silu";
    /**
     * The plain 16-row tile with 128-deep k stages at four stages and its SiLU form (s38): 16 KB of weights per stage instead of
     * 8 KB, 81920 bytes of shared memory; the six-stage kernels' grid and bits, splits whose k slice is whole 128-deep steps.
     * Never a default.
     */
    public static final String GEMM_STREAM_M16K128S4 = "gemm_bf16_stream_m16k128s4", GEMM_STREAM_M16K128S4_SILU = GEMM_STREAM_M16K128S4 + "_silu";
    /**
     * The 16-row half-width tile with 256-deep k stages at three and four stages and their SiLU forms (s39): 16 KB of weights per
     * stage instead of 8 KB at the half-width tile's block count (73728 / 98304 bytes); the six-stage half-width kernels' grid and
     * bits, splits whose k slice is whole 256-deep steps. Never a default.
     */
    public static final String GEMM_STREAM_M16_N32K256S3 = "gemm_bf16_stream_m16_n32k256s3", GEMM_STREAM_M16_N32K256S3_SILU = GEMM_STREAM_M16_N32K256S3 + "_silu",
            GEMM_STREAM_M16_N32K256S4 = "gemm_bf16_stream_m16_n32k256s4", GEMM_STREAM_M16_N32K256S4_SILU = GEMM_STREAM_M16_N32K256S4 + "_silu";
    private static final Set<Impl.Attr> PDL = EnumSet.of(Impl.Attr.PDL);
    /** Suffix of the streaming kernels' fused (SiLU * up) forms. */
    private static final String STREAM_SILU = "_silu";
    /** Suffix of the streaming kernels' fused (rope_kv_write) forms. */
    private static final String STREAM_ROPE = "_rope";
    /** The TMA tiles with a rope_kv_write epilogue ({@code gemm_bf16_tma_<BM>x<BN>_rope} in gemm_wgmma.cu); before STANDARD. */
    static final Set<String> TMA_ROPE_TILES = Set.of("64x64", "128x64", "64x128");
    /** L2 prefetch: few blocks, so the main branch keeps nearly all SMs; bytes per prefetch request. */
    static final int PREFETCH_BLOCKS = 16, PREFETCH_THREADS = 256, PREFETCH_CHUNK_BYTES = 4096;
    /**
     * l2_prefetch_rows' blocks: one request per weight row per thread for up to 16384 rows (Llama-3.2-1B's gate_up) at
     * 64 x 256 threads; the requests are fire-and-forget, so more blocks would only take SM slots from the next kernel.
     */
    static final int PREFETCH_ROWS_BLOCKS = 64;
    /** The prefetch-ahead kernels (prefetch.cu): bulk requests or 128-byte line prefetches, issued after the PDL wait or at entry. */
    public static final String PREFETCH_ROWS = "l2_prefetch_rows", PREFETCH_ROWS_EARLY = "l2_prefetch_rows_early", PREFETCH_LINES = "l2_prefetch_lines",
            PREFETCH_LINES_EARLY = "l2_prefetch_lines_early";
    private static final String ROW_INVARIANT = "row-local: each output row depends only on its own inputs (block count free)";

    /** Most blocks per token rope_kv_write takes. */
    static final int ROPE_GROUPS_MAX = 8;

    /**
     * Blocks per token of rope_kv_write at this capture size: enough that the bucket's tokens cover the SMs
     * (ceil(SMs / capacity), at most {@link #ROPE_GROUPS_MAX}); from the capture key only, so eager and graph launch the
     * same grid per token (kernels/NOTES-forward.md v35: Llama-3.2-1B at 128 -3 %; silu_mul and a clustered norm spread
     * the same way lost).
     */
    static int ropeGroups(CaptureKey k) {
        int g = (k.smCount() + k.size() - 1) / k.size();
        return Math.max(1, Math.min(ROPE_GROUPS_MAX, g));
    }

    private static final ImplRegistry STANDARD = new ImplRegistry(withTma(List.of(
            // reads the count and triggers after its wait (v63), so it follows build_tile_map with PDL
            new Impl("embed_gather", OpKind.EMBED, "embed_gather", 128, 0, EnumSet.of(Impl.Attr.PDL, Impl.Attr.META_AFTER_WAIT), ROW_INVARIANT, ImplRegistry::any,
                    (op, k, s, d) -> Grid.of(Grid.over(Count.TOKENS, 1)), ImplRegistry::one, true, null, ImplRegistry::bindEmbed),
            new Impl("build_tile_map", OpKind.TILE_MAP, "build_tile_map", 1024, 0, PDL, "exact integer arithmetic",
                    ImplRegistry::any, (op, k, s, d) -> Grid.of(Grid.fixed(1)), ImplRegistry::one, true, null, ImplRegistry::bindTileMap),
            // build_tile_map with embed's rows (Lowering.foldEmbed, where a fusion row embed_into_tile_map is on): never a default;
            // block 0 builds the map, block 1 gathers the rows from the ids' host source at the same time (v62)
            new Impl(TILE_MAP_EMBED, OpKind.TILE_MAP, TILE_MAP_EMBED, 1024, 0, PDL, "exact integer arithmetic; embed's rows are copies",
                    (op, k) -> false, (op, k, s, d) -> Grid.of(Grid.fixed(2)), ImplRegistry::one, true, null, ImplRegistry::bindTileMapEmbed),
            // rows of 1025..2048 at 256 threads where the bucket's rows fit one wave at two blocks per SM (s17: two
            // chunks per thread at 128 threads load their split-K partials one chunk after the other)
            addRmsNorm("add_rmsnorm_256", 256, new WideNormRows()),
            // both forms' solo twins (s39): reached through a solo_norms row only (Lowering.soloNorms)
            soloNorm("add_rmsnorm_256", 256),
            soloNorm("add_rmsnorm", 128),
            // 128 threads (launch bounds 128 x 4 blocks/SM: 128 registers, 8 split-K partials per thread in
            // flight, one wave of 512 rows); same bits as 256 threads for hidden <= 1024 (kernels/NOTES-forward.md v7)
            addRmsNorm("add_rmsnorm", 128, ImplRegistry::any),
            // Weight-streaming GEMMs for row capacities <= 64, ahead of gemm_bf16 so the rule picks them
            // there (from sm_90; see StreamTiling for the measurements behind the rule).
            stream(StreamTiling.Variant.M16),
            stream(StreamTiling.Variant.M32),
            stream(StreamTiling.Variant.M64),
            // their fused forms (silu_into_gate_up at capacities <= 64): reached through the fusion rule only
            streamSilu(StreamTiling.Variant.M16),
            streamSilu(StreamTiling.Variant.M32),
            streamSilu(StreamTiling.Variant.M64),
            streamRope(StreamTiling.Variant.M16),
            streamRope(StreamTiling.Variant.M32),
            streamRope(StreamTiling.Variant.M64),
            // their unsplit rope forms: never a default or a fusion's target (Lowering.assignSplitK moves a rope-fused
            // streaming GEMM left at one split onto them, unsplitForm)
            streamRope1(StreamTiling.Variant.M16),
            streamRope1(StreamTiling.Variant.M32),
            streamRope1(StreamTiling.Variant.M64),
            // their argmax-key forms (the LM head at one split where argmax_into_lm_head folds argmax in, Lowering.foldArgmax)
            streamAmax(StreamTiling.Variant.M16),
            streamAmax(StreamTiling.Variant.M32),
            streamAmax(StreamTiling.Variant.M64),
            // their split-K reduced in a cluster (a measurements row selects them; sm_90)
            streamCsum(StreamTiling.Variant.M16),
            streamCsum(StreamTiling.Variant.M32),
            streamCsum(StreamTiling.Variant.M64),
            // ... and on half-width column tiles (never a default; a measurements row selects them)
            streamN32(StreamTiling.Variant.M16),
            streamN32(StreamTiling.Variant.M32),
            streamN32(StreamTiling.Variant.M64),
            // ... and their SiLU forms (silu_into_gate_up where gate_up runs the half-width kernel): the fusion rule only
            streamN32Silu(StreamTiling.Variant.M16),
            streamN32Silu(StreamTiling.Variant.M32),
            streamN32Silu(StreamTiling.Variant.M64),
            // ... and their rope forms (rope_into_qkv where qkv runs the half-width kernel): the fusion rule only
            streamN32Rope(StreamTiling.Variant.M16),
            streamN32Rope(StreamTiling.Variant.M32),
            streamN32Rope(StreamTiling.Variant.M64),
            // ... and the 16-row one with the attention that feeds o as its prologue (attention_into_o in fresh plans)
            streamN32Attn(),
            // ... and on the plain 16-row tile with four q heads per block (attention_into_o where o runs gemm_bf16_stream_m16)
            streamK256Attn(),
            // 16-column tiles at <= 16 rows (a measurements row selects the plain form) and their rope form on pair tiles
            // (rope_into_qkv where qkv runs the 16-column kernel): never a default
            streamN16(), streamN16Rope(),
            // the 16-row half-width tile at nine stages and its SiLU form (a measurements row; silu_into_gate_up): never a default
            streamRing(GEMM_STREAM_M16_N32S9, StreamTiling.N32_BN, KernelConstants.GEMM_STREAM_N32S9_SMEM_M16, false, ImplRegistry::halfWidthSplits),
            streamRing(GEMM_STREAM_M16_N32S9_SILU, StreamTiling.N32_BN, KernelConstants.GEMM_STREAM_N32S9_SMEM_M16, true, ImplRegistry::one),
            // the plain 16-row tile at five stages and its SiLU form (v81; a measurements row, silu_into_gate_up): never a default
            streamRing(GEMM_STREAM_M16S5, StreamTiling.BN, KernelConstants.GEMM_STREAM_S5_SMEM_M16, false, ImplRegistry::streamSplits),
            streamRing(GEMM_STREAM_M16S5_SILU, StreamTiling.BN, KernelConstants.GEMM_STREAM_S5_SMEM_M16, true, ImplRegistry::one),
            // the plain 16-row tile with 128-deep stages at four stages and its SiLU form (s38; a measurements row): never a default
            streamRing(GEMM_STREAM_M16K128S4, StreamTiling.BN, KernelConstants.GEMM_STREAM_K128S4_SMEM_M16, false, ImplRegistry::streamSplits),
            streamRing(GEMM_STREAM_M16K128S4_SILU, StreamTiling.BN, KernelConstants.GEMM_STREAM_K128S4_SMEM_M16, true, ImplRegistry::one),
            // the 16-row half-width tile with 256-deep stages at three and four stages and their SiLU forms (s39; a measurements
            // row, silu_into_gate_up): never a default
            streamRing(GEMM_STREAM_M16_N32K256S3, StreamTiling.N32_BN, StreamTiling.K256_BK, KernelConstants.GEMM_STREAM_N32K256S3_SMEM_M16, false, ImplRegistry::halfWidthSplits),
            streamRing(GEMM_STREAM_M16_N32K256S3_SILU, StreamTiling.N32_BN, StreamTiling.K256_BK, KernelConstants.GEMM_STREAM_N32K256S3_SMEM_M16, true, ImplRegistry::one),
            streamRing(GEMM_STREAM_M16_N32K256S4, StreamTiling.N32_BN, StreamTiling.K256_BK, KernelConstants.GEMM_STREAM_N32K256S4_SMEM_M16, false, ImplRegistry::halfWidthSplits),
            streamRing(GEMM_STREAM_M16_N32K256S4_SILU, StreamTiling.N32_BN, StreamTiling.K256_BK, KernelConstants.GEMM_STREAM_N32K256S4_SMEM_M16, true, ImplRegistry::one),
            new Impl("gemm_bf16", OpKind.GEMM, "gemm_bf16", KernelConstants.GEMM_THREADS, 0, PDL,
                    "bits depend on (k, splits) only: never on m, the real row count, the tile or the block",
                    (op, k) -> !GemmTiling.choose(op.n(), op.k(), k.capacity(op.rows()), k.smCount()).large(),
                    (op, k, s, d) -> gemmGrid(op, s, GemmTiling.BM, GemmTiling.BN),
                    (op, k) -> GemmTiling.choose(op.n(), op.k(), k.capacity(op.rows()), k.smCount()).splits(), true, null,
                    ImplRegistry::bindGemm),
            new Impl("gemm_bf16_large", OpKind.GEMM, "gemm_bf16_large", KernelConstants.GEMM_LARGE_THREADS, KernelConstants.GEMM_LARGE_SMEM,
                    EnumSet.of(Impl.Attr.PDL, Impl.Attr.SMEM_OPT_IN),
                    "bits depend on (k, splits) only (bit-identical to gemm_bf16 for the same splits)",
                    (op, k) -> GemmTiling.choose(op.n(), op.k(), k.capacity(op.rows()), k.smCount()).large() && op.n() % 64 == 0,
                    (op, k, s, d) -> gemmGrid(op, s, GemmTiling.LARGE_BM, GemmTiling.LARGE_BN),
                    (op, k) -> GemmTiling.choose(op.n(), op.k(), k.capacity(op.rows()), k.smCount()).splits(), true, null,
                    ImplRegistry::bindGemm),
            // The alternative: cuBLASLt with its algorithm pinned when the op is bound (a measurements
            // row's algo, else the heuristic's first pick), always called with m = the bucket's row
            // capacity, so eager and graph make the identical call. Selected only by a measurements row.
            new Impl("cublaslt_gemm", OpKind.GEMM, "cublasLtMatmul", 0, 0, EnumSet.of(Impl.Attr.LIBRARY),
                    "bits depend on (m capacity, n, k, cuBLASLt version, pinned algorithm): m is the bucket capacity in both modes",
                    (op, k) -> false /* never a default; only an explicit measurements row selects it */,
                    (op, k, s, d) -> null, ImplRegistry::one, true, null, ImplRegistry::bindCublasLt),
            new Impl("splitk_reduce", OpKind.SPLITK_REDUCE, "splitk_reduce", 256, 0, PDL, "sums splits in order z = 0, 1, ...",
                    ImplRegistry::any, (op, k, s, d) -> Grid.of(Grid.over(op.rows(), 1)), ImplRegistry::one, true, null,
                    ImplRegistry::bindReduce),
            // a token's items over ropeGroups blocks (y) where few tokens would leave most SMs idle
            new Impl("rope_kv_write", OpKind.ROPE_KV, "rope_kv_write", 256, 0, PDL, ROW_INVARIANT, ImplRegistry::any,
                    (op, k, s, d) -> new Grid(Grid.over(Count.TOKENS, 1), Grid.fixed(ropeGroups(k)), Grid.fixed(1)), ImplRegistry::one, true,
                    "qkv", ImplRegistry::bindRope),
            // 8 warps: 4 row groups x 2 key halves (a long tile's pages shared by two warps per row group), one
            // 256-thread block per SM: where the bucket's attention blocks fit one wave of the 4-warp form
            new Impl("attention_prefill_kh", OpKind.ATTENTION, "attention_prefill_kh", KernelConstants.ATTN_KH_THREADS,
                    KernelConstants.ATTN_KH_SMEM, EnumSet.of(Impl.Attr.PDL, Impl.Attr.SMEM_OPT_IN),
                    "per (tile, kv head): bits depend on the sequence's own tokens and its kv length only (a row that sees one "
                            + "key page: attention_prefill's bits)", new AttentionOneWave(),
                    (op, k, s, d) -> new Grid(Grid.over(Count.TILES, 1), Grid.fixed(d.kvHeads()), Grid.fixed(1)),
                    ImplRegistry::one, true, null, ImplRegistry::bindAttention),
            // the kh form's tiles and key halves with both products on wgmma (sm_90a, head dim 64): reached through an
            // attention row of the measurements file only (kernels/NOTES-forward.md v31)
            wgAttention(ATTENTION_WG, "per (tile, kv head): bits depend on the sequence's own tokens and its kv length only "
                    + "(tiles of <= 32 rows: attention_prefill's split path and bits)"),
            // the wg form with the tile's lookup and the prefix prefetch before its PDL wait (kernels/NOTES-forward.md
            // v39): an attention row selects it; the plan then launches the kernel after build_tile_map without PDL
            wgAttention(ATTENTION_WG_EARLY, WG_EARLY_BITS, Impl.Attr.TILE_MAP_BEFORE_WAIT),
            // the early form, except that a split-path tile over more than 16 pages of cached prefix waits right after its
            // lookup and runs the late form (kernels/NOTES-forward.md v41): an attention row selects it, the plan order as
            // the early form's
            wgAttention(ATTENTION_WG_EARLY_LP, WG_EARLY_BITS, Impl.Attr.TILE_MAP_BEFORE_WAIT),
            // the early form with its full path's K / V pages as tensor copies issued by one thread per key half, the rows past
            // a sequence's kv length zeroed after they land (kernels/NOTES-forward.md v93): an attention row selects it
            wgAttention(ATTENTION_WG_EARLY_TMA, KernelConstants.ATTN_KH_THREADS, KernelConstants.ATTN_WG_SMEM, WG_EARLY_BITS,
                    ImplRegistry::bindAttentionTma, Impl.Attr.TILE_MAP_BEFORE_WAIT),
            // the early form with 4 key parts of 128 threads (512 threads, PREFILL_ATTN_Q4_SMEM): a tile that sees P pages
            // walks ceil(P / 4) per part instead of ceil(P / 2) (kernels/NOTES-forward.md v69); an attention row selects it
            wgAttention(ATTENTION_WG_EARLY_Q4, KernelConstants.ATTN_Q4_THREADS, KernelConstants.ATTN_Q4_SMEM,
                    "per (tile, kv head): bits depend on the sequence's own tokens and its kv length only; the 4 parts' combine "
                            + "order differs from the two-part forms' (tiles of <= 32 rows: attention_prefill's split path and bits)",
                    Impl.Attr.TILE_MAP_BEFORE_WAIT),
            // the early form over 32-row tiles, each on the split path (no wgmma, no two-half combine): an attention row
            // selects it, the plan's tile map and capacity then count 32-row tiles (tileRows)
            wgAttention(ATTENTION_WG_EARLY_T32, "per (tile, kv head): attention_prefill's split-path bits for every tile of <= 32 rows "
                    + "(a row's bits can differ from the 64-row forms', which run longer tiles on the full path)", Impl.Attr.TILE_MAP_BEFORE_WAIT,
                    Impl.Attr.HALF_TILES),
            // the t32 form doing its layer's rope_kv_write too (rope's input read directly, the caches written by the block
            // holding a token's first row): an attention row selects it at capacities <= ATTN_ROPE_MAX_NEW, Lowering folds
            // the rope op in, and the qkv GEMM's split-K partials feed it directly (its partial role is rope's, "qkv")
            attentionRope(),
            // 4 warps, two blocks per SM: more attention blocks than that wave
            new Impl("attention_prefill", OpKind.ATTENTION, "attention_prefill", KernelConstants.ATTN_THREADS, 0, PDL,
                    "per (tile, kv head): bits depend on the sequence's own tokens and its kv length only", ImplRegistry::any,
                    (op, k, s, d) -> new Grid(Grid.over(Count.TILES, 1), Grid.fixed(d.kvHeads()), Grid.fixed(1)),
                    ImplRegistry::one, true, null, ImplRegistry::bindAttention),
            // gate_up GEMM with the SiLU * up epilogue (fusion silu_into_gate_up): the tile of the GEMM it
            // replaces, never split (non-linear epilogue); its weight rows interleaved (Lowering.layoutWeights).
            new Impl("gemm_bf16_silu", OpKind.GEMM, "gemm_bf16_silu", KernelConstants.GEMM_THREADS, 0, PDL,
                    "bits depend on k only (one split): gate and up rounded to bf16 as gemm_bf16 stores them, then silu_mul's "
                            + "arithmetic, so equal to gemm_bf16 + silu_mul",
                    ImplRegistry::gateUpInterleavable, (op, k, s, d) -> gemmGrid(op, s, GemmTiling.BM, GemmTiling.BN), ImplRegistry::one,
                    false, null, ImplRegistry::bindGemmSilu),
            new Impl("gemm_bf16_large_silu", OpKind.GEMM, "gemm_bf16_large_silu", KernelConstants.GEMM_LARGE_THREADS,
                    KernelConstants.GEMM_LARGE_SMEM, EnumSet.of(Impl.Attr.PDL, Impl.Attr.SMEM_OPT_IN),
                    "bits depend on k only (one split; equal to gemm_bf16_large + silu_mul)",
                    (op, k) -> gateUpInterleavable(op, k) && op.n() % 64 == 0,
                    (op, k, s, d) -> gemmGrid(op, s, GemmTiling.LARGE_BM, GemmTiling.LARGE_BN), ImplRegistry::one, false, null,
                    ImplRegistry::bindGemmSilu),
            // two blocks per token: one 8-column chunk per thread for ffn <= 4096 (a grid-stride loop's
            // iterations are serial L2 round trips; four blocks per token cost waves at 512 tokens)
            new Impl("silu_mul", OpKind.SILU_MUL, "silu_mul", 256, 0, PDL, "elementwise", ImplRegistry::any,
                    (op, k, s, d) -> Grid.of(new Grid.Axis(op.rows(), 1, 2)), ImplRegistry::one, true, "gate_up", ImplRegistry::bindSilu),
            // each sequence's last row of two tensors (embed.cu; the last layer on its last rows, Lowering.lastRowsOnly)
            new Impl("gather_last_rows", OpKind.GATHER_LAST_ROWS, "gather_last_rows", 128, 0, PDL, "copies bytes", ImplRegistry::any,
                    (op, k, s, d) -> Grid.of(Grid.over(Count.SEQS, 1)), ImplRegistry::one, true, null, ImplRegistry::bindGatherLastRows),
            new Impl("final_norm_gather", OpKind.FINAL_NORM_GATHER, "final_norm_gather", 128, 0, PDL,
                    "row-local; reduction order fixed by blockDim (128) and hidden", ImplRegistry::any,
                    (op, k, s, d) -> Grid.of(Grid.over(Count.SEQS, 1)), ImplRegistry::one, true, "x", ImplRegistry::bindFinalNorm),
            // v77: a long vocab row over a thread-block cluster (sm_90) instead of one SM; argmax_rows's index for every row
            new Impl(ARGMAX_CLUSTER, OpKind.ARGMAX, ARGMAX_CLUSTER, 256, 0, PDL, "exact (lowest index on ties), as argmax_rows",
                    new ClusterArgmaxRows(), (op, k, s, d) -> Grid.of(new Grid.Axis(Count.SEQS, 1, ARGMAX_CLUSTER_BLOCKS)),
                    ImplRegistry::one, true, null, ImplRegistry::bindArgmaxCluster),
            new Impl("argmax_rows", OpKind.ARGMAX, "argmax_rows", 1024, 0, PDL, "exact (lowest index on ties)", ImplRegistry::any,
                    (op, k, s, d) -> Grid.of(Grid.over(Count.SEQS, 1)), ImplRegistry::one, true, null, ImplRegistry::bindArgmax),
            // v87: the tokens from the keys the LM head's _amax form folded (Lowering.foldArgmax, where a row asks): never a default
            new Impl(ARGMAX_KEYS, OpKind.ARGMAX, ARGMAX_KEYS, 128, 0, PDL, "exact: argmax_rows's index (the keys' order is value, then "
                    + "the lowest column)", (op, k) -> false, (op, k, s, d) -> Grid.of(Grid.fixed(1)), ImplRegistry::one, true, null,
                    ImplRegistry::bindArgmaxKeys),
            // Optional side-stream op (Lowering.assignStreams), on where the measurements file has an l2Prefetch row.
            // No PDL attribute: it is the first kernel after an event wait on the side stream and nothing waits in it.
            new Impl("l2_prefetch", OpKind.L2_PREFETCH, "l2_prefetch", PREFETCH_THREADS, 0, EnumSet.noneOf(Impl.Attr.class),
                    "writes nothing: a cache hint, no output bit depends on it", ImplRegistry::any,
                    (op, k, s, d) -> Grid.of(Grid.fixed(PREFETCH_BLOCKS)), ImplRegistry::one, true, null, ImplRegistry::bindPrefetch),
            // Optional main-chain ops (Lowering.prefetchAhead, where a measurements prefetchAhead row asks for one): PDL like
            // their neighbours; bulk requests or line prefetches, issued after the wait or at entry (with only block 0 waiting).
            prefetchRows(PREFETCH_ROWS), prefetchRows(PREFETCH_ROWS_EARLY), prefetchRows(PREFETCH_LINES), prefetchRows(PREFETCH_LINES_EARLY),
            // One whole decoder layer per launch (Lowering.persistLayers, where the measurements file has a
            // persistentLayers row): never a default, no program op has its kind. All blocks co-resident, one per SM.
            new Impl("layer_persistent", OpKind.LAYER, "layer_persistent", KernelConstants.LAYER_THREADS, KernelConstants.LAYER_SMEM,
                    EnumSet.of(Impl.Attr.PDL, Impl.Attr.SMEM_OPT_IN),
                    "bits depend on the dims only: every GEMM element is a fixed-order sum of 8 warps' k-slices; never the real "
                            + "token count or which block computes a tile (not the unfused chain's bits: another k order)",
                    new PersistentLayerFits(), (op, k, s, d) -> Grid.of(Grid.fixed(KernelConstants.LAYER_BLOCKS)), ImplRegistry::one,
                    true, null, ImplRegistry::bindLayer))),
            // the 128 x 128 tile and the streaming kernels keep their kernel (the streaming ones unsplit); any other
            // GEMM (64 x 64, cuBLAS) becomes the 64 x 64 fused kernel, whose 16-row path serves small buckets
            List.of(new Fusion(SILU_INTO_GATE_UP, "gate_up", OpKind.SILU_MUL, siluTargets()),
                    // the streaming kernels (buckets <= 64) and the TMA tiles with a _rope form; whole heads per
                    // 64-column tile (128 for 64 x 128), the 4-wide rope path
                    new Fusion(ROPE_INTO_QKV, "qkv", OpKind.ROPE_KV, ropeTargets(), ImplRegistry::ropeTiles)));


    public static ImplRegistry standard() {
        return STANDARD;
    }

    /**
     * An add_rmsnorm kernel (one block of {@code threads} per row; the kernel's launch bounds fix that block size): the
     * reduction order, hence the bits, follows the block size.
     */
    private static Impl addRmsNorm(String kernel, int threads, Impl.Supports supports) {
        return new Impl(kernel, OpKind.ADD_RMSNORM, kernel, threads, 0, PDL, "row-local; reduction order fixed by blockDim ("
                + threads + ") and hidden", supports, (op, k, s, d) -> Grid.of(Grid.over(op.rows(), 1)), ImplRegistry::one, true,
                "x", ImplRegistry::bindNorm);
    }

    /**
     * The solo twin of add_rmsnorm form {@code kernel}: the same kernel, block size and grid (so the same bits) launched with
     * {@link #SOLO_NORM_SMEM} bytes of dynamic shared memory it never touches, so that no block of the next GEMM shares its SMs
     * (kernels/NOTES-forward.md v85). Never a default: {@link Lowering#soloNorms} puts a norm on it where a row asks.
     */
    private static Impl soloNorm(String kernel, int threads) {
        return new Impl(kernel + SOLO_SUFFIX, OpKind.ADD_RMSNORM, kernel, threads, SOLO_NORM_SMEM, EnumSet.of(Impl.Attr.PDL, Impl.Attr.SMEM_OPT_IN),
                "row-local; reduction order fixed by blockDim (" + threads + ") and hidden: " + kernel + "'s bits (its unused shared memory "
                        + "changes where other blocks run, not what it computes)", (op, k) -> false,
                (op, k, s, d) -> Grid.of(Grid.over(op.rows(), 1)), ImplRegistry::one, true, "x", ImplRegistry::bindNorm);
    }

    /**
     * A wgmma attention form (sm_90a, head dim 64): the kh form's threads and tiles, PREFILL_ATTN_WG_SMEM of opted-in
     * shared memory, one block per (tile, kv head); {@code extra} the attributes beyond PDL (the early forms' order rule).
     */
    private static Impl wgAttention(String name, String bits, Impl.Attr... extra) {
        return wgAttention(name, KernelConstants.ATTN_KH_THREADS, KernelConstants.ATTN_WG_SMEM, bits, extra);
    }

    /** A wgmma attention form with its own block size and shared memory (the q4 form's 4 key parts). */
    private static Impl wgAttention(String name, int threads, int smem, String bits, Impl.Attr... extra) {
        return wgAttention(name, threads, smem, bits, ImplRegistry::bindAttention, extra);
    }

    /** A wgmma attention form whose parameters are more than AttnParams (the TMA form's tensor maps). */
    private static Impl wgAttention(String name, int threads, int smem, String bits, Impl.Binder binder, Impl.Attr... extra) {
        EnumSet<Impl.Attr> attrs = EnumSet.of(Impl.Attr.PDL, Impl.Attr.SMEM_OPT_IN);
        attrs.addAll(List.of(extra));
        return new Impl(name, OpKind.ATTENTION, name, threads, smem, attrs, bits,
                new AttentionWgmma(), (op, k, s, d) -> new Grid(Grid.over(Count.TILES, 1), Grid.fixed(d.kvHeads()), Grid.fixed(1)),
                ImplRegistry::one, true, null, binder);
    }

    /**
     * attention_prefill_wg_early_t32_rope: the t32 form's threads, shared memory, grid, tiles and plan order, plus
     * {@link Impl.Attr#ROPE_IN}; as a consumer it takes the qkv GEMM's split-K partials under rope's role {@code qkv}.
     */
    private static Impl attentionRope() {
        EnumSet<Impl.Attr> attrs = EnumSet.of(Impl.Attr.PDL, Impl.Attr.SMEM_OPT_IN, Impl.Attr.TILE_MAP_BEFORE_WAIT, Impl.Attr.HALF_TILES,
                Impl.Attr.ROPE_IN);
        return new Impl(ATTENTION_WG_EARLY_T32_ROPE, OpKind.ATTENTION, ATTENTION_WG_EARLY_T32_ROPE, KernelConstants.ATTN_KH_THREADS,
                KernelConstants.ATTN_WG_SMEM, attrs, "rope_kv_write + attention_prefill_wg_early_t32's bits (the same arithmetic on the same "
                        + "values; only where they are computed differs)", new AttentionRopeIn(),
                (op, k, s, d) -> new Grid(Grid.over(Count.TILES, 1), Grid.fixed(d.kvHeads()), Grid.fixed(1)), ImplRegistry::one, true,
                "qkv", ImplRegistry::bindAttentionRope);
    }

    /**
     * The standard implementations followed by every wgmma + TMA tile's plain and SiLU forms (sm_90a): never a default,
     * a measurements row selects the plain form, the silu_into_gate_up fusion the SiLU form.
     */
    private static List<Impl> withTma(List<Impl> impls) {
        List<Impl> all = new java.util.ArrayList<>(impls);
        for (TmaTile t : TmaTile.ALL) all.add(tma(t, false));
        for (TmaTile t : TmaTile.ALL) all.add(tma(t, true));
        for (TmaTile t : TmaTile.ALL) if (hasRopeForm(t)) all.add(tmaRope(t));
        return List.copyOf(all);
    }

    /** Suffix of the TMA GEMMs' rope_kv_write forms. */
    static final String TMA_ROPE = "_rope";

    /** rope_into_qkv's fused form of each GEMM implementation that has one (streaming kernels, TMA tiles above). */
    private static Map<String, String> ropeTargets() {
        Map<String, String> m = streamForms(STREAM_ROPE);
        for (StreamTiling.Variant v : StreamTiling.Variant.values()) m.put(v.kernel() + STREAM_N32, v.kernel() + STREAM_N32 + STREAM_ROPE);
        m.put(GEMM_STREAM_M16_N16, GEMM_STREAM_M16_N16_ROPE1);
        for (TmaTile t : TmaTile.ALL) if (hasRopeForm(t)) m.put(t.name(), t.name() + TMA_ROPE);
        return Map.copyOf(m);
    }

    /** Each streaming kernel mapped to its fused form (the kernel name plus {@code suffix}), for a fusion's target map. */
    private static Map<String, String> streamForms(String suffix) {
        Map<String, String> m = new java.util.LinkedHashMap<>();
        for (StreamTiling.Variant v : StreamTiling.Variant.values()) m.put(v.kernel(), v.kernel() + suffix);
        return m;
    }

    /** Whether the fatbin has the tile's rope_kv_write form (one list for the registry and the fusion rule). */
    private static boolean hasRopeForm(TmaTile t) {
        return TMA_ROPE_TILES.contains(t.bm() + "x" + t.bn());
    }

    /**
     * {@code gemm_bf16_tma_<BM>x<BN>s<stages>_rope}: the qkv GEMM on a TMA tile with rope_kv_write as its staged epilogue,
     * reached through the rope_into_qkv fusion only, never split; bits equal the plain tile at one split followed by
     * rope_kv_write (the tile's bf16 outputs are what rope_kv_write would read).
     */
    private static Impl tmaRope(TmaTile t) {
        return new Impl(t.name() + TMA_ROPE, OpKind.GEMM, t.kernel() + TMA_ROPE, t.threads(), t.smem(),
                EnumSet.of(Impl.Attr.PDL, Impl.Attr.SMEM_OPT_IN),
                "bits depend on k only (one split; q, k, v rounded to bf16 as the plain tile stores them, then rope_kv_write's "
                        + "arithmetic): never the real row count",
                (op, k) -> t.refusal(op.n(), op.k(), 1, k.arch()).isEmpty(), (op, k, s, d) -> {
                    if (d.headDim() <= 0 || t.bn() % d.headDim() != 0) {
                        throw new IllegalArgumentException(op.name() + ": " + t.name() + TMA_ROPE + " needs whole heads per " + t.bn()
                                + "-column tile, head_dim is " + d.headDim());
                    }
                    return tmaGrid(t, op, k, s);
                }, ImplRegistry::one, false, null, (c, lo) -> bindGemmTmaRope(c, lo, t));
    }

    /** A TMA tile's grid, after the tile's refusal of a shape, split or device it cannot run (naming why). */
    private static Grid tmaGrid(TmaTile t, Op op, CaptureKey k, int splits) {
        t.refusal(op.n(), op.k(), splits, k.arch()).ifPresent(why -> {
            throw new IllegalArgumentException(op.name() + " at size " + k.size() + ": " + why);
        });
        return gemmGrid(op, splits, t.bm(), t.bn());
    }

    /** silu_into_gate_up's fused form of each GEMM implementation ({@link Fusion#ANY}: the 64 x 64 fused kernel). */
    private static Map<String, String> siluTargets() {
        Map<String, String> m = streamForms(STREAM_SILU);
        for (StreamTiling.Variant v : StreamTiling.Variant.values()) m.put(v.kernel() + STREAM_N32, v.kernel() + STREAM_N32 + STREAM_SILU);
        m.put(GEMM_STREAM_M16_N32S9, GEMM_STREAM_M16_N32S9_SILU);
        m.put(GEMM_STREAM_M16S5, GEMM_STREAM_M16S5_SILU);
        m.put(GEMM_STREAM_M16K128S4, GEMM_STREAM_M16K128S4_SILU);
        m.put(GEMM_STREAM_M16_N32K256S3, GEMM_STREAM_M16_N32K256S3_SILU);
        m.put(GEMM_STREAM_M16_N32K256S4, GEMM_STREAM_M16_N32K256S4_SILU);
        m.put(Fusion.ANY, "gemm_bf16_silu");
        m.put("gemm_bf16_large", "gemm_bf16_large_silu");
        for (TmaTile t : TmaTile.ALL) m.put(t.name(), t.name() + TMA_SILU);
        return Map.copyOf(m);
    }

    /** Suffix of the TMA GEMMs' SiLU * up forms. */
    static final String TMA_SILU = "_silu";

    /**
     * {@code gemm_bf16_tma_<BM>x<BN>s<stages>} (or its SiLU * up form): selected by a measurements row (the plain form) or the
     * silu_into_gate_up fusion (the SiLU form, never split); the grid rule refuses a shape, split or device the tile
     * cannot run, naming why.
     */
    private static Impl tma(TmaTile t, boolean silu) {
        String name = t.name() + (silu ? TMA_SILU : ""), kernel = t.kernel() + (silu ? TMA_SILU : "");
        Impl.Supports supports = silu
                ? (op, k) -> t.refusal(op.n(), op.k(), 1, k.arch()).isEmpty() && gateUpInterleavable(op, k)
                : (op, k) -> false; // never a default: only a measurements row selects it
        return new Impl(name, OpKind.GEMM, kernel, t.threads(), t.smem(), EnumSet.of(Impl.Attr.PDL, Impl.Attr.SMEM_OPT_IN),
                silu ? "bits depend on k only (one split; gate and up rounded to bf16, then silu_mul's arithmetic): never the real row count"
                        : "bits depend on (k, splits) only: one fixed wgmma k16 sequence per output; never the real row count or the block",
                supports, (op, k, s, d) -> tmaGrid(t, op, k, s), ImplRegistry::one, !silu, null, (c, lo) -> bindGemmTma(c, lo, t, silu));
    }

    /**
     * attention_prefill_kh's rule: the bucket's attention blocks (tile capacity x kv heads) fit one wave of the
     * 4-warp form, two blocks per SM; there two warps per row group halve a long tile's page walk (1 x 480 at
     * head dim 64: 13.9 vs 18.1 us), beyond it the 8-warp form's one block per SM loses (8 x 512: 67 vs 60 us;
     * kernels/NOTES-forward.md v12). Depends on the capture key and the model only.
     */
    record AttentionOneWave() implements Impl.Supports {
        @Override
        public boolean test(Op op, CaptureKey key) {
            return false; // needs the kv heads
        }

        @Override
        public boolean test(Op op, CaptureKey key, ForwardProgram.Dims dims) {
            return (long) key.tileCapacity() * dims.kvHeads() <= 2L * key.smCount();
        }
    }

    /** The wgmma attention form: never a default, an attention row selects it where its refusal is empty. */
    record AttentionWgmma() implements Impl.Supports {
        @Override
        public boolean test(Op op, CaptureKey key) {
            return false; // measured per bucket: a row of the measurements file selects it
        }

        @Override
        public String refusal(Op op, CaptureKey key, ForwardProgram.Dims dims) {
            if (key.arch() != TmaTile.ARCH) return "runs on compute capability 9.0 only (sm_90a wgmma), this device is " + key.arch();
            if (dims.headDim() != 64) return "takes head dim 64 (one 128-byte swizzle row per key), the model has " + dims.headDim();
            return null;
        }
    }

    /**
     * The rope-taking attention form: where the wgmma forms run (never a default), and only at capture sizes whose token
     * capacity is at most {@link KernelConstants#ATTN_ROPE_MAX_NEW}: a sequence's query can then never exceed what the kernel
     * takes (it traps above), whatever the batch.
     */
    record AttentionRopeIn() implements Impl.Supports {
        @Override
        public boolean test(Op op, CaptureKey key) {
            return false; // measured per bucket: a row of the measurements file selects it
        }

        @Override
        public String refusal(Op op, CaptureKey key, ForwardProgram.Dims dims) {
            String wg = new AttentionWgmma().refusal(op, key, dims);
            if (wg != null) return wg;
            int tokens = key.capacity(Count.TOKENS);
            if (tokens > KernelConstants.ATTN_ROPE_MAX_NEW) {
                return "takes at most " + KernelConstants.ATTN_ROPE_MAX_NEW + " new tokens per sequence (PREFILL_ATTN_ROPE_MAX_NEW: the kernel "
                        + "keeps a tile's keys of the new tokens in shared memory and traps above), the capture size holds " + tokens;
            }
            return null;
        }
    }

    /**
     * add_rmsnorm_256's rule: rows wider than {@link #WIDE_NORM_HIDDEN} (two 8-element chunks per thread at 128 threads) up to
     * twice that (one chunk per thread at 256: what s17 call 3 measured, on Llama-3.2-1B's 2048) and a bucket whose rows fit
     * one wave of 256-thread blocks at two per SM; from the model and the capture key only.
     */
    record WideNormRows() implements Impl.Supports {
        @Override
        public boolean test(Op op, CaptureKey key) {
            return false; // needs the model's hidden size
        }

        @Override
        public boolean test(Op op, CaptureKey key, ForwardProgram.Dims dims) {
            return dims.hidden() > WIDE_NORM_HIDDEN && dims.hidden() <= 2 * WIDE_NORM_HIDDEN && key.capacity(op.rows()) <= 2 * key.smCount();
        }
    }

    /** argmax_rows_cluster's rule: sm_90 clusters, rows of whole 16-byte chunks, a vocabulary worth spreading. */
    record ClusterArgmaxRows() implements Impl.Supports {
        @Override
        public boolean test(Op op, CaptureKey key) {
            return false; // needs the model's vocabulary
        }

        @Override
        public boolean test(Op op, CaptureKey key, ForwardProgram.Dims dims) {
            return key.arch() >= 90 && dims.vocab() % 8 == 0 && dims.vocab() >= ARGMAX_CLUSTER_MIN_VOCAB;
        }
    }

    /** Widest row add_rmsnorm at 128 threads takes by default: one 8-element chunk per thread. */
    static final int WIDE_NORM_HIDDEN = 1024;

    /** layer_persistent's rule: {@link #layerRefusal} has nothing against the bucket's rows and the model. */
    record PersistentLayerFits() implements Impl.Supports {
        @Override
        public boolean test(Op op, CaptureKey key) {
            return false; // needs the model's dimensions
        }

        @Override
        public boolean test(Op op, CaptureKey key, ForwardProgram.Dims dims) {
            return layerRefusal(dims, key.capacity(op.rows())) == null;
        }
    }

    /** layer_persistent's k loop works in slices of this many columns (prefill_kernels.h: "multiples of 512"). */
    static final int LAYER_K_SLICE = 512;

    /**
     * Why layer_persistent cannot run a layer of this model at a row capacity of {@code rows} (the limits of
     * prefill_kernels.h), as the end of a sentence starting with its name; null when it can.
     */
    static String layerRefusal(ForwardProgram.Dims d, int rows) {
        if (rows > KernelConstants.LAYER_ROWS) return "takes row capacities <= " + KernelConstants.LAYER_ROWS;
        int[] widths = {d.hidden(), d.attnDim(), d.ffn()};
        String[] names = {"hidden", "q_heads * head_dim", "ffn"};
        for (int i = 0; i < widths.length; i++) {
            if (widths[i] % LAYER_K_SLICE != 0 || widths[i] > KernelConstants.LAYER_MAX_K) {
                return "needs " + names[i] + " a multiple of " + LAYER_K_SLICE + " and <= " + KernelConstants.LAYER_MAX_K + ", the model has "
                        + widths[i];
            }
        }
        if (d.hidden() > KernelConstants.LAYER_MAX_HIDDEN) {
            return "needs hidden <= " + KernelConstants.LAYER_MAX_HIDDEN + " (a warp holds two norm rows in registers), the model has " + d.hidden();
        }
        int maxCols = 8 * KernelConstants.LAYER_BLOCKS * KernelConstants.LAYER_TILES;
        if (d.qkvDim() > maxCols) return "needs (q_heads + 2 kv_heads) * head_dim <= " + maxCols + ", the model has " + d.qkvDim();
        if (d.headDim() != 64 && d.headDim() != 128) return "needs head_dim 64 or 128, the model has " + d.headDim();
        if (d.qHeads() % d.kvHeads() != 0 || 8 % d.group() != 0) {
            return "needs q_heads / kv_heads dividing 8 (the group's heads across 8 warps), the model has " + d.qHeads() + " / " + d.kvHeads();
        }
        if (d.ffn() % KernelConstants.GATE_UP_GROUP != 0) {
            return "needs the gate/up weight interleaved in groups of " + KernelConstants.GATE_UP_GROUP + " (ffn a multiple of it), the model has ffn "
                    + d.ffn();
        }
        return null;
    }

    private static boolean any(Op op, CaptureKey key) {
        return true;
    }

    /** The gate/up interleave of {@link Lowering#layoutWeights} applies: n = 2 ffn, ffn a multiple of the group. */
    private static boolean gateUpInterleavable(Op op, CaptureKey key) {
        return op.n() % (2 * KernelConstants.GATE_UP_GROUP) == 0;
    }

    private static int one(Op op, CaptureKey key) {
        return 1;
    }

    /**
     * {@code gemm_bf16_stream_mXX}: the default for capacities in (previous variant's rows, XX] on
     * arch >= 90 when the shape fits; any measurements row may name it where the capacity fits, which
     * the grid rule checks (the kernel would trap).
     */
    private static Impl stream(StreamTiling.Variant v) {
        return new Impl(v.kernel(), OpKind.GEMM, v.kernel(), KernelConstants.GEMM_STREAM_THREADS, v.smem(),
                EnumSet.of(Impl.Attr.PDL, Impl.Attr.SMEM_OPT_IN),
                "bits depend on (k, splits) only (bit-identical to gemm_bf16 for the same splits); never on the real row count",
                (op, k) -> streamFits(v, op, k), (op, k, s, d) -> streamGrid(v, op, k, s),
                ImplRegistry::streamSplits, true, null, ImplRegistry::bindGemm);
    }

    /**
     * {@code gemm_bf16_stream_mXX_amax} (v87): the plain streaming kernel at one split whose epilogue also folds each stored row's
     * largest value (lowest column on ties) into the {@link ForwardProgram#ARGMAX_KEYS}: C's bits are the plain kernel's at one
     * split (kernels/check {@code amax}). Never a default: {@link Lowering#foldArgmax} moves the LM head onto it.
     */
    private static Impl streamAmax(StreamTiling.Variant v) {
        String name = v.kernel() + STREAM_AMAX;
        return new Impl(name, OpKind.GEMM, name, KernelConstants.GEMM_STREAM_THREADS, v.smem(), EnumSet.of(Impl.Attr.PDL, Impl.Attr.SMEM_OPT_IN),
                "bits depend on k only (one split): C is " + v.kernel() + "'s; the keys are an order-free max over the stored values",
                (op, k) -> false, (op, k, s, d) -> streamGrid(v, op, k, s), ImplRegistry::one, false, null, ImplRegistry::bindGemmAmax);
    }

    /** The argmax-key form of a GEMM implementation where the registry has one (the plain streaming kernels). */
    Optional<Impl> amaxForm(Impl impl) {
        return find(impl.name() + STREAM_AMAX);
    }

    /** Suffix of the streaming kernels' cluster-reduced forms. */
    static final String STREAM_CSUM = "_csum";
    /** Most splits a cluster-reduced GEMM takes: one cluster of 16 blocks (the largest non-portable cluster on sm_90). */
    static final int CSUM_MAX_SPLITS = 16;

    /**
     * {@code gemm_bf16_stream_mXX_csum}: the streaming kernel with its split-K reduced inside a thread-block cluster
     * ({@link Impl.Attr#CLUSTER_SPLITK}): one fp32 plane written instead of splits, read by the consumer at one split;
     * bits equal the plain kernel's planes summed in order z = 0, 1, ... (kernels/check {@code csum}). Never a default:
     * a measurements row selects it (kernels/NOTES-forward.md, "After the twelfth session").
     */
    private static Impl streamCsum(StreamTiling.Variant v) {
        return new Impl(v.kernel() + STREAM_CSUM, OpKind.GEMM, v.kernel() + STREAM_CSUM, KernelConstants.GEMM_STREAM_THREADS, v.smem(),
                EnumSet.of(Impl.Attr.PDL, Impl.Attr.SMEM_OPT_IN, Impl.Attr.CLUSTER_SPLITK),
                "bits depend on (k, splits) only: the splits' fp32 tiles summed in order z, as the consumers sum the plain kernel's planes",
                (op, k) -> false, (op, k, s, d) -> {
                    String why = k.arch() < 90 ? "needs sm_90 thread-block clusters, this device is sm_" + k.arch()
                            : s > CSUM_MAX_SPLITS ? "reduces at most " + CSUM_MAX_SPLITS + " splits in one cluster, the row asks " + s
                            : !streamFits(v, op, k) ? "does not fit this bucket (the streaming variant of its capacity, n and k in whole tiles)" : null;
                    if (why != null) throw new IllegalArgumentException(op.name() + " at size " + k.size() + ": " + v.kernel() + STREAM_CSUM + " " + why);
                    return streamGrid(v, op, k, s);
                }, ImplRegistry::streamSplits, true, null, ImplRegistry::bindGemmCsum);
    }

    /** Suffix of the streaming kernels' half-width forms. */
    static final String STREAM_N32 = "_n32";

    /**
     * {@code gemm_bf16_stream_mXX_n32}: the streaming kernel on 32-column tiles with 128-deep k stages, two warps per
     * stage's k summed in warp order. At half the plain kernel's splits it launches as many blocks and writes half the
     * fp32 partial planes its consumer reads (the consumer pays their drain: kernels/NOTES-forward.md, v36). Bits depend
     * on (k, splits) and this tile only. Never a default: a measurements row selects it.
     */
    private static Impl streamN32(StreamTiling.Variant v) {
        String name = v.kernel() + STREAM_N32;
        return new Impl(name, OpKind.GEMM, name, KernelConstants.GEMM_STREAM_THREADS, v.smemN32(),
                EnumSet.of(Impl.Attr.PDL, Impl.Attr.SMEM_OPT_IN),
                "bits depend on (k, splits) only: 128-deep k stages, two warps' halves of each added in warp order; never on the real row count",
                (op, k) -> false, (op, k, s, d) -> tileGrid(v, StreamTiling.N32_BN, name, op, k, s),
                ImplRegistry::halfWidthSplits, true, null, ImplRegistry::bindGemm);
    }

    /**
     * A 16-row streaming kernel at another ring depth than its bundled form (v80: {@code gemm_bf16_stream_m16_n32s9} / {@code _silu},
     * the half-width tile at nine stages, a k slice of up to 8 x 128 issued whole before the PDL wait; v81:
     * {@code gemm_bf16_stream_m16s5} / {@code _silu}, the plain tile at five stages, less shared memory): the same warps and k order
     * as the six-stage kernel of its tile, so its grid, splits and bits (kernels/check {@code n32}, RingDepthGpuTest); the SiLU
     * form never split. {@code bn}: the tile's columns; {@code smem}: its dynamic shared memory; {@code splits}: the six-stage
     * kernel's default split rule.
     */
    private static Impl streamRing(String name, int bn, int smem, boolean silu, Impl.SplitRule splits) {
        return streamRing(name, bn, StreamTiling.N32_BK, smem, silu, splits);
    }

    /** As above, on stages {@code bk} deep: a split's k slice must be whole {@code bk}-deep steps. */
    private static Impl streamRing(String name, int bn, int bk, int smem, boolean silu, Impl.SplitRule splits) {
        StreamTiling.Variant v = StreamTiling.Variant.M16;
        if (!silu) {
            return new Impl(name, OpKind.GEMM, name, KernelConstants.GEMM_STREAM_THREADS, smem, EnumSet.of(Impl.Attr.PDL, Impl.Attr.SMEM_OPT_IN),
                    "bits depend on (k, splits) only: the six-stage kernel of its tile's k order; never on the real row count",
                    (op, k) -> false, (op, k, s, d) -> tileGrid(v, bn, bk, name, op, k, s),
                    splits, true, null, ImplRegistry::bindGemm);
        }
        return new Impl(name, OpKind.GEMM, name, KernelConstants.GEMM_STREAM_THREADS, smem, EnumSet.of(Impl.Attr.PDL, Impl.Attr.SMEM_OPT_IN),
                "bits depend on k only: the six-stage SiLU kernel of its tile's (one split, gate and up rounded to bf16, then silu_mul's "
                        + "arithmetic); never on the real row count",
                (op, k) -> k.arch() >= StreamTiling.DEFAULT_MIN_ARCH && tileRefusal(v, bn, bk, op, k, 1) == null && gateUpInterleavable(op, k),
                (op, k, s, d) -> {
                    if (s != 1) throw new IllegalArgumentException(op.name() + " at size " + k.size() + ": " + name + " is never split, the row asks " + s);
                    return tileGrid(v, bn, bk, name, op, k, 1);
                }, splits, false, null, ImplRegistry::bindGemmSilu);
    }

    /** The plain streaming kernels' default splits (StreamTiling's rule). */
    private static int streamSplits(Op op, CaptureKey k) {
        return StreamTiling.splits(op.n(), op.k(), k.smCount());
    }

    /** The half-width tiles' default splits: half the plain rule's, so a GEMM keeps the plain kernel's block count. */
    private static int halfWidthSplits(Op op, CaptureKey k) {
        return Math.max(1, streamSplits(op, k) / 2);
    }

    /**
     * Why variant {@code v}'s streaming tile of {@code bn} columns (the half-width 32, the 16-column 16) cannot run the op at
     * {@code splits} here, or null when it can: the variant's rows, whole tiles, whole 128-deep k steps.
     */
    private static String tileRefusal(StreamTiling.Variant v, int bn, Op op, CaptureKey k, int splits) {
        return tileRefusal(v, bn, StreamTiling.N32_BK, op, k, splits);
    }

    /** As above for a tile whose stages are {@code bk} deep. */
    private static String tileRefusal(StreamTiling.Variant v, int bn, int bk, Op op, CaptureKey k, int splits) {
        return k.arch() < StreamTiling.MIN_ARCH ? "needs sm_80 or newer, this device is sm_" + k.arch()
                : StreamTiling.variant(k.capacity(op.rows())).orElse(null) != v ? "holds " + v.rows() + " rows; this bucket's capacity is "
                        + k.capacity(op.rows()) + " (name a kernel that holds that capacity)"
                : op.n() % bn != 0 || splits < 1 || op.k() % (splits * bk) != 0
                        ? "needs n in whole " + bn + "-column tiles and k / splits in whole " + bk
                                + " steps: n " + op.n() + ", k " + op.k() + ", splits " + splits
                : null;
    }

    /** (n / bn, 1, splits) for the streaming implementation {@code name} on {@code bn}-column tiles, after {@link #tileRefusal}. */
    private static Grid tileGrid(StreamTiling.Variant v, int bn, String name, Op op, CaptureKey k, int splits) {
        return tileGrid(v, bn, StreamTiling.N32_BK, name, op, k, splits);
    }

    /** As above for a tile whose stages are {@code bk} deep. */
    private static Grid tileGrid(StreamTiling.Variant v, int bn, int bk, String name, Op op, CaptureKey k, int splits) {
        String why = tileRefusal(v, bn, bk, op, k, splits);
        if (why != null) throw new IllegalArgumentException(op.name() + " at size " + k.size() + ": " + name + " " + why);
        return new Grid(Grid.fixed(op.n() / bn), Grid.fixed(1), Grid.fixed(splits));
    }

    /**
     * {@code gemm_bf16_stream_mXX_n32_silu}: the half-width streaming kernel with the SiLU * up epilogue, its weight
     * interleaved as {@code gemm_bf16_silu}'s, never split (no fixup on the two-k-warp tile); bits equal the unsplit
     * {@code _n32} kernel + silu_mul (kernels/check {@code silu}). Reached through silu_into_gate_up where a measurements
     * row puts gate_up on the half-width kernel: it keeps that kernel's block count (kernels/NOTES-forward.md v40).
     */
    private static Impl streamN32Silu(StreamTiling.Variant v) {
        String name = v.kernel() + STREAM_N32 + STREAM_SILU;
        return new Impl(name, OpKind.GEMM, name, KernelConstants.GEMM_STREAM_THREADS, v.smemN32(),
                EnumSet.of(Impl.Attr.PDL, Impl.Attr.SMEM_OPT_IN),
                "bits depend on k only (one split; two k-warps added in warp order, gate and up rounded to bf16 as the _n32 kernel "
                        + "stores them, then silu_mul's arithmetic): never on the real row count",
                (op, k) -> k.arch() >= StreamTiling.DEFAULT_MIN_ARCH && tileRefusal(v, StreamTiling.N32_BN, op, k, 1) == null && gateUpInterleavable(op, k),
                (op, k, s, d) -> {
                    if (s != 1) throw new IllegalArgumentException(op.name() + " at size " + k.size() + ": " + name + " is never split, the row asks " + s);
                    return tileGrid(v, StreamTiling.N32_BN, name, op, k, 1);
                }, ImplRegistry::one, false, null, ImplRegistry::bindGemmSilu);
    }

    /**
     * {@code gemm_bf16_stream_mXX_n32_rope}: the half-width streaming qkv GEMM with rope_kv_write through the split-K fixup
     * (v65): the two 32-column tiles of a 64-column head group count on one counter and the last of their 2 x splits
     * blocks runs rope over both; bits equal the {@code _n32} kernel at the same splits + rope_kv_write reading its
     * partials (kernels/check {@code rope_fused}). Reached through rope_into_qkv where a measurements row puts qkv on the
     * half-width kernel; needs n in whole 64-column groups. No unsplit form: at one split it still runs the fixup.
     */
    private static Impl streamN32Rope(StreamTiling.Variant v) {
        String name = v.kernel() + STREAM_N32 + STREAM_ROPE;
        return new Impl(name, OpKind.GEMM, name, KernelConstants.GEMM_STREAM_THREADS, v.smemN32(),
                EnumSet.of(Impl.Attr.PDL, Impl.Attr.SMEM_OPT_IN, Impl.Attr.SPLIT_FIXUP),
                "bits depend on (k, splits) only: q, k, v summed in split order (each split two k-warps added in warp order) and "
                        + "rounded to bf16 as rope_kv_write reads them, then rope_kv_write's arithmetic; never on the real row count or "
                        + "which block sums",
                (op, k) -> k.arch() >= StreamTiling.DEFAULT_MIN_ARCH && tileRefusal(v, StreamTiling.N32_BN, op, k, 1) == null && op.n() % StreamTiling.BN == 0,
                (op, k, s, d) -> {
                    if (op.n() % StreamTiling.BN != 0) {
                        throw new IllegalArgumentException(op.name() + " at size " + k.size() + ": " + name + " needs n in whole "
                                + StreamTiling.BN + "-column head groups, n is " + op.n());
                    }
                    return tileGrid(v, StreamTiling.N32_BN, name, op, k, s);
                }, ImplRegistry::halfWidthSplits, false, null, ImplRegistry::bindGemmRope);
    }

    /**
     * {@code gemm_bf16_stream_m16_n16}: the streaming kernel on 16-column tiles with 128-deep k stages, four warps per
     * stage's k summed in warp order, nine stages (a k of 1024 issued whole before the PDL wait); capacity 16 only. Bits
     * depend on (k, splits) and this tile only. Never a default: a measurements row selects it (the producer its rope form
     * {@link #GEMM_STREAM_M16_N16_ROPE1} needs).
     */
    private static Impl streamN16() {
        String name = GEMM_STREAM_M16_N16;
        return new Impl(name, OpKind.GEMM, name, KernelConstants.GEMM_STREAM_THREADS, KernelConstants.GEMM_STREAM_N16_SMEM_M16,
                EnumSet.of(Impl.Attr.PDL, Impl.Attr.SMEM_OPT_IN),
                "bits depend on (k, splits) only: 128-deep k stages, four warps' quarters of each added in warp order; never on the real row count",
                (op, k) -> false, (op, k, s, d) -> tileGrid(StreamTiling.Variant.M16, StreamTiling.N16_BN, name, op, k, s), ImplRegistry::one, true, null, ImplRegistry::bindGemm);
    }

    /**
     * {@code gemm_bf16_stream_m16_n16_rope1}: the qkv GEMM on 16-column tiles with rope_kv_write on the block's own sums (v75):
     * a block's 16 weight rows are 8 rope pairs of one head (columns 8j..8j+7 and head_dim / 2 + 8j.. of the head's tile j),
     * so it runs unsplit with no partial, counter or re-read; bits equal the unsplit {@code _n16} kernel + rope_kv_write
     * (kernels/check {@code rope_fused}). Reached through rope_into_qkv where a measurements row puts qkv on the 16-column
     * kernel; never split (a row asking for splits is refused in the split-K pass: non-linear epilogue).
     */
    private static Impl streamN16Rope() {
        String name = GEMM_STREAM_M16_N16_ROPE1;
        return new Impl(name, OpKind.GEMM, name, KernelConstants.GEMM_STREAM_THREADS, KernelConstants.GEMM_STREAM_N16_SMEM_M16,
                EnumSet.of(Impl.Attr.PDL, Impl.Attr.SMEM_OPT_IN),
                "bits depend on k only: one split, four k-warps added in warp order, rounded to bf16 as rope_kv_write reads them, then "
                        + "rope_kv_write's arithmetic; never on the real row count",
                (op, k) -> k.arch() >= StreamTiling.DEFAULT_MIN_ARCH && tileRefusal(StreamTiling.Variant.M16, StreamTiling.N16_BN, op, k, 1) == null,
                (op, k, s, d) -> {
                    if (d.headDim() % (2 * 8) != 0 || d.headDim() > 128 || op.n() % d.headDim() != 0) {
                        throw new IllegalArgumentException(op.name() + " at size " + k.size() + ": " + name + " holds 8 rope pairs of one head per "
                                + "block: needs head_dim a multiple of 16, at most 128, and n in whole heads; head_dim " + d.headDim() + ", n " + op.n());
                    }
                    return tileGrid(StreamTiling.Variant.M16, StreamTiling.N16_BN, name, op, k, s);
                }, ImplRegistry::one, false, null, ImplRegistry::bindGemmRope);
    }

    /**
     * {@code gemm_bf16_stream_m16_n32_attn}: the 16-row half-width streaming o GEMM that computes its A, the attention output
     * of its k range (two q heads of 64 in one kv head per block, k / 128 splits), from the qkv rows itself (v74): fresh
     * prompts only, every key one of the batch's own rows (the kernel traps on a cached prefix). Its op is o with its layer's
     * attention folded in ({@link Lowering#foldAttentionIntoO}); a GEMM row naming it is refused by the grid rule.
     */
    private static Impl streamN32Attn() {
        return streamAttnFold(GEMM_STREAM_M16_N32_ATTN, StreamTiling.N32_BN, StreamTiling.N32_BK, StreamTiling.Variant.M16.smemN32(), "the _n32 kernel's");
    }

    /**
     * {@code gemm_bf16_stream_m16_k256_attn}: the attention-into-o form on the plain 16-row kernel's 64-column tile, one k step of
     * 256 (four q heads of 64 in one kv head) per block at k / 256 splits (v79): where the group is 4 (Llama-3.2-1B) a block
     * computes its kv head's whole group once per column tile, at the plain kernel's own block count for o (the half-width form
     * needs k / 128 splits there: v75.1's 1024 blocks lost). GEMM bits as {@code gemm_bf16_stream_m16} at the same splits fed
     * the same A (one warp per column group, k16 steps ascending).
     */
    private static Impl streamK256Attn() {
        return streamAttnFold(GEMM_STREAM_M16_K256_ATTN, StreamTiling.BN, StreamTiling.K256_BK, KernelConstants.GEMM_STREAM_K256_SMEM_M16,
                "the plain 16-row kernel's");
    }

    /** An attention-into-o form on a 16-row tile of {@code bn} columns, one k step of {@code bk} per block (k / bk splits). */
    private static Impl streamAttnFold(String name, int bn, int bk, int smem, String kOrder) {
        StreamTiling.Variant v = StreamTiling.Variant.M16;
        return new Impl(name, OpKind.GEMM, name, KernelConstants.GEMM_STREAM_THREADS, smem, EnumSet.of(Impl.Attr.PDL, Impl.Attr.SMEM_OPT_IN),
                "bits depend on (k, splits) and each row's own sequence only: the attention of a row from its sequence's rows up to "
                        + "itself (fp32 scores, base-2 softmax, bf16 probabilities and output), then " + kOrder + " k order; never on "
                        + "the real row count (within tolerance of attention + o: another softmax order)",
                (op, k) -> false, (op, k, s, d) -> {
                    String why = op.in("q") == null ? "runs an o GEMM that took over its attention (an " + ATTENTION_INTO_O + " fusion row), "
                            + "not a GEMM row" : attentionIntoORefusal(op, d, s, bk);
                    if (why != null) throw new IllegalArgumentException(op.name() + " at size " + k.size() + ": " + name + " " + why);
                    return tileGrid(v, bn, name, op, k, s);
                }, (op, k) -> op.k() / bk, true, null, ImplRegistry::bindGemmAttn);
    }

    /**
     * Why an attention-into-o form with a k step of {@code bk} ({@link #GEMM_STREAM_M16_N32_ATTN}: 128,
     * {@link #GEMM_STREAM_M16_K256_ATTN}: 256) cannot run o {@code o} of this model at {@code splits} (the end of a sentence
     * starting with its name), or null: a block's k range is one step of whole q heads of 64 in one kv head.
     */
    static String attentionIntoORefusal(Op o, ForwardProgram.Dims d, int splits, int bk) {
        int heads = bk / 64;
        if (d.headDim() != 64) return "needs head_dim 64, the model has " + d.headDim();
        if (o.k() != d.attnDim()) return "needs k == q_heads * head_dim (" + d.attnDim() + "), " + o.name() + " has k " + o.k();
        if (d.group() % heads != 0) {
            return "needs q_heads / kv_heads a multiple of " + heads + " (a block's q heads in one kv head), the model has " + d.qHeads() + " / "
                    + d.kvHeads();
        }
        if (splits * bk != o.k()) {
            return "needs splits == k / " + bk + " (one k step per block): k " + o.k() + ", splits " + splits;
        }
        return null;
    }

    /** The o GEMM with its attention folded in: GemmParams as the _n32 kernel's (a unbound), AttnParams of the attention's reads. */
    private static Issuable bindGemmAttn(BindContext c, LoweredOp lo) {
        Op op = lo.op();
        if (op.in("q") == null || op.in("num_seqs") == null) {
            throw new IllegalStateException(op.name() + ": " + lo.impl().name() + " reads the qkv rows and the batch metadata but its op binds "
                    + "none; lower it with Lowering.foldAttentionIntoO");
        }
        MemorySegment p = GemmAttnParams.allocate(c.arena());
        gemmParams(c, lo, op.n(), GemmAttnParams.gemm(p));
        attnParams(c, op, GemmAttnParams.attn(p)); // caches, block tables, tile map and out unbound: NULL, never read
        GemmAttnParams.num_seqs(p, t(c, op.in("num_seqs")));
        return new KernelIssuable(c, lo, p);
    }

    /** A cluster-reduced streaming GEMM: GemmParams as the plain kernel's, launched in clusters of (1, 1, splits). */
    private static Issuable bindGemmCsum(BindContext c, LoweredOp lo) {
        return new KernelIssuable(c, lo, gemmParams(c, lo, lo.op().n(), GemmParams.allocate(c.arena())),
                List.of(new Kernel.Attribute.ClusterDim(1, 1, lo.splits())));
    }

    /**
     * {@code gemm_bf16_stream_mXX_silu}: the streaming kernel with the SiLU * up epilogue, its weight interleaved
     * as {@code gemm_bf16_silu}'s, split as the plain streaming kernel would be (split-K fixup); bits equal the
     * same kernel at the same splits + silu_mul (kernels/check {@code silu}).
     */
    private static Impl streamSilu(StreamTiling.Variant v) {
        return streamFixup(v, STREAM_SILU, "gate and up summed in split order and rounded to bf16 as silu_mul reads them, then "
                + "silu_mul's arithmetic", (op, k) -> streamFits(v, op, k) && gateUpInterleavable(op, k), ImplRegistry::bindGemmSilu);
    }

    /**
     * {@code gemm_bf16_stream_mXX_rope}: the streaming qkv GEMM with rope_kv_write as its epilogue, split as the
     * plain streaming kernel would be (split-K fixup, also at one split); bits equal the same kernel at the same
     * splits + rope_kv_write reading its partials (kernels/check {@code rope_fused}).
     */
    private static Impl streamRope(StreamTiling.Variant v) {
        return streamFixup(v, STREAM_ROPE, "q, k, v summed in split order and rounded to bf16 as rope_kv_write reads them, then "
                + "rope_kv_write's arithmetic", (op, k) -> streamFits(v, op, k), ImplRegistry::bindGemmRope);
    }

    /**
     * {@code gemm_bf16_stream_mXX_rope1}: the rope form at one split on the block's own accumulators: no partial stored,
     * no arrival counted, nothing re-read (kernels/NOTES-forward.md v49: tiny's qkv at 16 -3.4 %); the same bits as
     * {@code _rope} at one split (kernels/check {@code rope_fused}). Its own kernels, so the split forms' code is unchanged.
     */
    private static Impl streamRope1(StreamTiling.Variant v) {
        String name = v.kernel() + STREAM_ROPE + UNSPLIT;
        return new Impl(name, OpKind.GEMM, name, KernelConstants.GEMM_STREAM_THREADS, v.smem(), EnumSet.of(Impl.Attr.PDL, Impl.Attr.SMEM_OPT_IN),
                "bits depend on k only: the block's own sums rounded to bf16 as rope_kv_write reads them, then rope_kv_write's arithmetic; "
                        + "never on the real row count", (op, k) -> false, (op, k, s, d) -> streamGrid(v, op, k, s), ImplRegistry::one, false, null,
                ImplRegistry::bindGemmRope);
    }

    /** Suffix of a fused form's unsplit kernel ({@code gemm_bf16_stream_m16_rope1}). */
    static final String UNSPLIT = "1";

    /** The unsplit form of a split-K-fixup implementation where the registry has one (the streaming rope forms, v49). */
    public Optional<Impl> unsplitForm(Impl impl) {
        return impl.splitFixup() && impl.name().endsWith(STREAM_ROPE) ? find(impl.name() + UNSPLIT) : Optional.empty();
    }

    /** A fused form of a streaming kernel with the split-K fixup: the plain kernel's grid and splits, a non-linear epilogue. */
    private static Impl streamFixup(StreamTiling.Variant v, String suffix, String epilogueBits, Impl.Supports supports, Impl.Binder binder) {
        return new Impl(v.kernel() + suffix, OpKind.GEMM, v.kernel() + suffix, KernelConstants.GEMM_STREAM_THREADS, v.smem(),
                EnumSet.of(Impl.Attr.PDL, Impl.Attr.SMEM_OPT_IN, Impl.Attr.SPLIT_FIXUP),
                "bits depend on (k, splits) only: " + epilogueBits + "; never on the real row count or which block sums",
                supports, (op, k, s, d) -> streamGrid(v, op, k, s), ImplRegistry::streamSplits, false,
                null, binder);
    }

    /** The rope epilogue works on whole heads per 64-column tile with the kernel's 4-wide path. */
    static boolean ropeTiles(ForwardProgram.Dims d) {
        return StreamTiling.BN % d.headDim() == 0 && d.headDim() % 8 == 0;
    }

    /** Variant v is the smallest that holds the bucket's rows, from sm_90, and the shape fits the kernel. */
    private static boolean streamFits(StreamTiling.Variant v, Op op, CaptureKey k) {
        return k.arch() >= StreamTiling.DEFAULT_MIN_ARCH && StreamTiling.variant(k.capacity(op.rows())).orElse(null) == v
                && StreamTiling.fits(op.n(), op.k());
    }

    /** (n / 64, 1, splits), after the checks that would otherwise make the kernel trap. */
    private static Grid streamGrid(StreamTiling.Variant v, Op op, CaptureKey k, int splits) {
        StreamTiling.check(v, op.n(), op.k(), k.capacity(op.rows()), splits, k.arch());
        return new Grid(Grid.fixed((op.n() + StreamTiling.BN - 1) / StreamTiling.BN), Grid.fixed(1), Grid.fixed(splits));
    }

    private static Grid gemmGrid(Op op, int splits, int bm, int bn) {
        return new Grid(Grid.fixed((op.n() + bn - 1) / bn), Grid.over(op.rows(), bm), Grid.fixed(splits));
    }

    // ------------------------------------------------------------------ binders

    private static MemorySegment t(BindContext c, String name) {
        return name == null ? MemorySegment.NULL : c.tensor(name);
    }

    private static Issuable bindEmbed(BindContext c, LoweredOp lo) {
        return new KernelIssuable(c, lo, embedParams(c, lo.op(), EmbedParams.allocate(c.arena())));
    }

    /** build_tile_map_embed: the tile map's parameters and embed's, from the one folded op. */
    private static Issuable bindTileMapEmbed(BindContext c, LoweredOp lo) {
        MemorySegment p = TileMapEmbedParams.allocate(c.arena());
        tileMapParams(c, lo.op(), TileMapEmbedParams.map(p));
        embedParams(c, lo.op(), TileMapEmbedParams.embed(p));
        return new KernelIssuable(c, lo, p);
    }

    private static MemorySegment embedParams(BindContext c, Op op, MemorySegment p) {
        EmbedParams.ids(p, t(c, op.in("ids")));
        EmbedParams.table(p, c.weight(op.weight("table")));
        EmbedParams.out(p, t(c, op.out("out")));
        EmbedParams.num_tokens(p, t(c, op.in("num_tokens")));
        EmbedParams.hidden(p, c.dims().hidden());
        EmbedParams.vocab(p, c.dims().vocab());
        return p;
    }

    private static Issuable bindTileMap(BindContext c, LoweredOp lo) {
        return new KernelIssuable(c, lo, tileMapParams(c, lo.op(), TileMapParams.allocate(c.arena())));
    }

    private static MemorySegment tileMapParams(BindContext c, Op op, MemorySegment p) {
        TileMapParams.query_start(p, t(c, op.in("query_start")));
        TileMapParams.num_seqs(p, t(c, op.in("num_seqs")));
        TileMapParams.batch_ids(p, t(c, op.out("batch_ids")));
        TileMapParams.tile_ids(p, t(c, op.out("tile_ids")));
        TileMapParams.num_blocks(p, t(c, op.out("num_blocks")));
        TileMapParams.group(p, c.dims().group());
        TileMapParams.rows_per_tile(p, c.key().tileRows());
        TileMapParams.max_tiles(p, c.key().tileCapacity());
        MemorySegment host = c.hostMetadata();
        if (!host.equals(MemorySegment.NULL)) {  // the metadata copied in by this kernel: the forward's first (Lowering)
            MemorySegment dst = t(c, ForwardProgram.BATCH_META);
            if (host.address() % 16 != 0 || dst.address() % 16 != 0) {
                throw new IllegalStateException("build_tile_map copies the metadata in 16-byte units: host 0x" + Long.toHexString(host.address())
                        + " and device 0x" + Long.toHexString(dst.address()) + " must be 16-byte aligned (cudaMallocHost and the buffer layout give it)");
            }
            TileMapParams.meta_src(p, host);
            TileMapParams.meta_dst(p, dst);
            TileMapParams.meta_ints(p, c.hostMetadataInts());
        }
        return p;
    }

    private static Issuable bindNorm(BindContext c, LoweredOp lo) {
        Op op = lo.op();
        boolean partial = lo.partialSplits() > 0;
        MemorySegment p = AddRmsNormParams.allocate(c.arena());
        AddRmsNormParams.x(p, partial ? MemorySegment.NULL : t(c, op.in("x")));
        AddRmsNormParams.x_partial(p, partial ? t(c, op.in("x")) : MemorySegment.NULL);
        AddRmsNormParams.x_splits(p, lo.partialSplits());
        AddRmsNormParams.x_rows(p, lo.partialRows());
        AddRmsNormParams.residual(p, t(c, op.out("residual")));
        AddRmsNormParams.weight(p, c.weight(op.weight("weight")));
        AddRmsNormParams.out(p, t(c, op.out("out")));
        AddRmsNormParams.num_rows(p, t(c, op.in("num_rows")));
        AddRmsNormParams.hidden(p, c.dims().hidden());
        AddRmsNormParams.eps(p, c.dims().eps());
        return new KernelIssuable(c, lo, p);
    }

    private static Issuable bindGemm(BindContext c, LoweredOp lo) {
        return new KernelIssuable(c, lo, gemmParams(c, lo, lo.op().n(), GemmParams.allocate(c.arena())));
    }

    /** The fused gate/up GEMM: b is the interleaved [2 ffn, hidden] weight, c (the silu_mul output) [m, ffn]. */
    private static Issuable bindGemmSilu(BindContext c, LoweredOp lo) {
        checkInterleaved(c, lo);
        return new KernelIssuable(c, lo, gemmParams(c, lo, lo.op().n() / 2, GemmParams.allocate(c.arena())));
    }

    /** A fused gate/up GEMM reads its weight interleaved in groups of 8 rows, and (without a split-K fixup) is never split. */
    private static void checkInterleaved(BindContext c, LoweredOp lo) {
        Op op = lo.op();
        String w = op.weight("weight");
        WeightLayout.RowInterleave ri = c.weightLayout().of(w);
        if (ri == null || ri.rows() != op.n() || ri.group() != KernelConstants.GATE_UP_GROUP) {
            throw new IllegalStateException(op.name() + ": " + lo.impl().name() + " needs " + w + " interleaved in groups of "
                    + KernelConstants.GATE_UP_GROUP + ", the device layout has " + ri);
        }
        if (lo.splits() != 1 && !lo.impl().splitFixup()) {
            throw new IllegalStateException(op.name() + ": " + lo.impl().name() + " is never split, got " + lo.splits());
        }
    }

    /**
     * A TMA GEMM: GemmParams as for our other GEMMs (the SiLU form: the interleaved weight, c = [m, ffn]), plus the tensor
     * maps of a ({@code [capacity, k]}, boxes of BM rows) and b ({@code [n, k]}, boxes of BN rows), encoded once here.
     */
    private static Issuable bindGemmTma(BindContext c, LoweredOp lo, TmaTile t, boolean silu) {
        Op op = lo.op();
        MemorySegment p = GemmTmaParams.allocate(c.arena());
        if (silu) {
            checkInterleaved(c, lo);
            gemmParams(c, lo, op.n() / 2, GemmTmaParams.gemm(p));
        } else {
            gemmParams(c, lo, op.n(), GemmTmaParams.gemm(p));
        }
        tmaMaps(c, op, t, p);
        return new KernelIssuable(c, lo, p);
    }

    /** The tensor maps of a ({@code [capacity, k]}, boxes of BM rows) and b ({@code [n, k]}, boxes of BN rows) and the depth. */
    private static void tmaMaps(BindContext c, Op op, TmaTile t, MemorySegment p) {
        int cap = c.key().capacity(op.rows());
        TensorMapEncoder.encodeBf16Rows(GemmTmaParams.tmap_a(p), t(c, op.in("a")), tmaRows(c.bytesFrom(op.in("a")), op.k(), cap, t.bm()), op.k(), op.k(), t.bm());
        TensorMapEncoder.encodeBf16Rows(GemmTmaParams.tmap_b(p), c.weight(op.weight("weight")), op.n(), op.k(), op.k(), t.bn());
        GemmTmaParams.stages(p, t.stages());
    }

    /**
     * Rows of a TMA GEMM's A tensor map: the capacity rounded up to whole row tiles where the allocation holds them past
     * the tensor's slice (else the capacity). A box that crosses the tensor map's last row is filled by TMA out of bounds
     * and was measured ~5 us slower per launch of the 128 x 192 tile (496 rows: 23.7 us, 512: 18.6; s9 call 6); rows past
     * the capacity only feed output rows the kernel never stores (each output row reads its own A row), so no stored value
     * changes, and the rows read stay inside the one allocation.
     */
    static long tmaRows(long bytesFromA, int k, int cap, int bm) {
        long rounded = (long) (cap + bm - 1) / bm * bm;
        return rounded * k * 2 <= bytesFromA ? rounded : cap;
    }

    /** The fused qkv GEMM on a TMA tile: the plain tile's parameters, RopeKvParams of the rope it took over (no partials). */
    private static Issuable bindGemmTmaRope(BindContext c, LoweredOp lo, TmaTile t) {
        Op op = lo.op();
        if (lo.splits() != 1) throw new IllegalStateException(op.name() + ": " + lo.impl().name() + " is never split, got " + lo.splits());
        MemorySegment p = GemmTmaRopeParams.allocate(c.arena());
        MemorySegment tp = GemmTmaRopeParams.tma(p);
        gemmParams(c, lo, op.n(), GemmTmaParams.gemm(tp));
        tmaMaps(c, op, t, tp);
        ropeParams(c, op, 0, c.key().capacity(op.rows()), GemmTmaRopeParams.rope(p));
        return new KernelIssuable(c, lo, p);
    }

    /** The fused qkv GEMM: GemmParams of the GEMM, RopeKvParams of the rope it took over (its input: the partials). */
    private static Issuable bindGemmRope(BindContext c, LoweredOp lo) {
        MemorySegment p = GemmRopeParams.allocate(c.arena());
        gemmParams(c, lo, lo.op().n(), GemmRopeParams.gemm(p));
        ropeParams(c, lo.op(), lo.splits(), c.key().capacity(lo.op().rows()), GemmRopeParams.rope(p));
        return new KernelIssuable(c, lo, p);
    }

    /**
     * GemmParams of a GEMM op into {@code p}: m = the bucket's capacity, row-major a, b, c; split-K partials into
     * c's tensor, or for a split-K fixup into its {@code partial} workspace, with the tile counters.
     */
    private static MemorySegment gemmParams(BindContext c, LoweredOp lo, int ldc, MemorySegment p) {
        Op op = lo.op();
        MemorySegment out = t(c, op.out("c"));
        boolean fixup = lo.impl().splitFixup();
        GemmParams.a(p, t(c, op.in("a")));
        GemmParams.b(p, c.weight(op.weight("weight")));
        GemmParams.c(p, out);
        GemmParams.partial(p, fixup ? t(c, op.out("partial")) : lo.splits() > 1 ? out : MemorySegment.NULL);
        GemmParams.tile_counters(p, fixup ? c.tensor(ForwardProgram.TILE_COUNTERS) : MemorySegment.NULL);
        GemmParams.m_dev(p, t(c, op.in("m_dev")));
        GemmParams.m(p, c.key().capacity(op.rows()));
        GemmParams.n(p, op.n());
        GemmParams.k(p, op.k());
        GemmParams.lda(p, op.k());
        GemmParams.ldb(p, op.k());
        GemmParams.ldc(p, ldc);
        GemmParams.splits(p, lo.splits());
        return p;
    }

    private static Issuable bindCublasLt(BindContext c, LoweredOp lo) {
        Op op = lo.op();
        MemorySegment a = t(c, op.in("a")), b = c.weight(op.weight("weight")), out = t(c, op.out("c"));
        CublasLtMatmul mm = c.cublasLt(c.key().capacity(op.rows()), op.n(), op.k(), lo.algo());
        return new Issuable() {
            @Override
            public void grid(int tokens, int seqs, int tiles) {
                // m stays the bucket's capacity: eager and graph make the identical call
            }

            @Override
            public void issue(CudaStream stream) {
                mm.matmul(stream, a, b, out); // the pinned algorithm, same (m, n, k) and workspace every call
            }

            @Override
            public String pinned() {
                return mm.describeAlgo();
            }

            @Override
            public boolean library() {
                return true;
            }
        };
    }

    private static Issuable bindPrefetch(BindContext c, LoweredOp lo) {
        Op op = lo.op();
        int max = KernelConstants.PREFETCH_MAX_TENSORS;
        if (op.weights().isEmpty() || op.weights().size() > max) {
            throw new IllegalStateException(op.name() + ": l2_prefetch takes 1.." + max + " weight tensors, got " + op.weights().size());
        }
        MemorySegment p = L2PrefetchParams.allocate(c.arena());
        int i = 0;
        for (String w : op.weights().values()) {
            L2PrefetchParams.ptr(p, i, c.weight(w));
            L2PrefetchParams.bytes(p, i, c.weightBytes(w));
            i++;
        }
        L2PrefetchParams.count(p, i);
        L2PrefetchParams.chunk_bytes(p, PREFETCH_CHUNK_BYTES);
        return new KernelIssuable(c, lo, p);
    }

    private static Impl prefetchRows(String kernel) {
        return new Impl(kernel, OpKind.L2_PREFETCH_AHEAD, kernel, PREFETCH_THREADS, 0, PDL, "writes nothing: a cache hint, no output bit depends on it",
                ImplRegistry::any, (op, k, s, d) -> Grid.of(Grid.fixed(PREFETCH_ROWS_BLOCKS)), ImplRegistry::one, true, null, ImplRegistry::bindPrefetchRows);
    }

    /** l2_prefetch_rows: op n rows of the weight, the first k columns (bf16) of each; the row stride from the weight's bytes. */
    private static Issuable bindPrefetchRows(BindContext c, LoweredOp lo) {
        Op op = lo.op();
        String w = op.weight("weight");
        long bytes = c.weightBytes(w);
        if (op.n() <= 0 || bytes % op.n() != 0 || bytes / op.n() < 2L * op.k() || (bytes / op.n()) % 16 != 0 || op.k() % 8 != 0) {
            throw new IllegalStateException(op.name() + ": cannot prefetch " + op.k() + " columns of " + op.n() + " rows from weight " + w + " of "
                    + bytes + " bytes (rows of 16-byte multiples, at least k bf16 columns each)");
        }
        MemorySegment p = L2PrefetchRowsParams.allocate(c.arena());
        L2PrefetchRowsParams.ptr(p, 0, c.weight(w));
        L2PrefetchRowsParams.ld_bytes(p, 0, bytes / op.n());
        L2PrefetchRowsParams.rows(p, 0, op.n());
        L2PrefetchRowsParams.row_bytes(p, 0, 2 * op.k());
        L2PrefetchRowsParams.count(p, 1);
        return new KernelIssuable(c, lo, p);
    }

    private static Issuable bindReduce(BindContext c, LoweredOp lo) {
        Op op = lo.op();
        MemorySegment p = SplitKReduceParams.allocate(c.arena());
        SplitKReduceParams.partial(p, t(c, op.in("partial")));
        SplitKReduceParams.c(p, t(c, op.out("c")));
        SplitKReduceParams.m_dev(p, t(c, op.in("m_dev")));
        SplitKReduceParams.m(p, lo.partialRows());
        SplitKReduceParams.n(p, op.n());
        SplitKReduceParams.ldc(p, op.n());
        SplitKReduceParams.splits(p, lo.partialSplits());
        return new KernelIssuable(c, lo, p);
    }

    private static Issuable bindRope(BindContext c, LoweredOp lo) {
        MemorySegment p = RopeKvParams.allocate(c.arena());
        ropeParams(c, lo.op(), lo.partialSplits(), lo.partialRows(), p);
        return new KernelIssuable(c, lo, p);
    }

    /**
     * RopeKvParams of a rope op, or of the qkv GEMM that took it over (its qkv and partial roles are then the
     * GEMM's c and partial: the kernel takes those from its GemmParams); {@code splits}, {@code rows}: the partials.
     */
    private static void ropeParams(BindContext c, Op op, int splits, int rows, MemorySegment p) {
        boolean fused = op.kind() == OpKind.GEMM;
        RopeKvParams.qkv(p, t(c, fused ? op.out("c") : op.out("qkv")));
        RopeKvParams.qkv_partial(p, splits == 0 ? MemorySegment.NULL : fused ? t(c, op.out("partial")) : t(c, op.in("qkv")));
        RopeKvParams.qkv_splits(p, splits);
        RopeKvParams.qkv_rows(p, rows);
        ropeRoles(c, op, p);
    }

    /**
     * The RopeKvParams fields every binder of rope's work fills the same way, from the op's roles (a rope op, the qkv GEMM
     * or the attention that took it over): bias, RoPE table, positions, slots, caches, token count and the model's heads.
     */
    private static void ropeRoles(BindContext c, Op op, MemorySegment p) {
        var d = c.dims();
        RopeKvParams.bias(p, op.weight("bias") == null ? MemorySegment.NULL : c.weight(op.weight("bias")));
        RopeKvParams.cos_sin(p, t(c, op.in("cos_sin")));
        RopeKvParams.positions(p, t(c, op.in("positions")));
        RopeKvParams.slot_mapping(p, t(c, op.in("slot_mapping")));
        RopeKvParams.k_cache(p, t(c, op.out("k_cache")));
        RopeKvParams.v_cache(p, t(c, op.out("v_cache")));
        RopeKvParams.num_tokens(p, t(c, op.in("num_tokens")));
        RopeKvParams.q_heads(p, d.qHeads());
        RopeKvParams.kv_heads(p, d.kvHeads());
        RopeKvParams.head_dim(p, d.headDim());
        RopeKvParams.max_positions(p, c.maxModelLen());
    }

    private static Issuable bindAttention(BindContext c, LoweredOp lo) {
        return new KernelIssuable(c, lo, attnParams(c, lo.op(), AttnParams.allocate(c.arena())));
    }

    /**
     * attention_prefill_wg_early_tma: AttnParams as every attention form's and the tensor maps of the layer's K and V caches,
     * every page of them as rows of kv_heads * head_dim elements, read in boxes of one page's 64 keys of one kv head.
     */
    private static Issuable bindAttentionTma(BindContext c, LoweredOp lo) {
        Op op = lo.op();
        var d = c.dims();
        long rows = c.kvCacheRows();
        if (rows <= 0) {
            throw new IllegalStateException(op.name() + ": " + lo.impl().name() + " reads the KV caches by tensor maps over all their rows, "
                    + "and this engine does not say how many it holds (BindContext.kvCacheRows); use " + ATTENTION_WG_EARLY + " instead");
        }
        MemorySegment p = AttnTmaParams.allocate(c.arena());
        attnParams(c, op, AttnTmaParams.attn(p));
        long row = (long) d.kvHeads() * d.headDim();
        TensorMapEncoder.encodeBf16Rows(AttnTmaParams.tmap_k(p), t(c, op.in("k_cache")), rows, row, row, KernelConstants.PAGE_SIZE);
        TensorMapEncoder.encodeBf16Rows(AttnTmaParams.tmap_v(p), t(c, op.in("v_cache")), rows, row, row, KernelConstants.PAGE_SIZE);
        return new KernelIssuable(c, lo, p);
    }

    /**
     * attention_prefill_wg_early_t32_rope: AttnParams as every attention form's (its q unbound: the kernel computes q
     * itself and ignores it), RopeKvParams of the rope op it took over ({@link #foldedRopeParams}).
     */
    private static Issuable bindAttentionRope(BindContext c, LoweredOp lo) {
        MemorySegment p = AttnRopeParams.allocate(c.arena());
        attnParams(c, lo.op(), AttnRopeParams.attn(p));
        foldedRopeParams(c, lo, AttnRopeParams.rope(p));
        return new KernelIssuable(c, lo, p);
    }

    /**
     * RopeKvParams of the rope op an attention took over: its input is the op's {@code qkv} read, bf16 or, where the
     * lowering fed it the qkv GEMM's split-K partials ({@code partialSplits > 0}), that fp32 workspace; rotated values are
     * not written back, so {@code qkv} is NULL then. Caches, metadata and bias as the rope op bound them.
     */
    private static void foldedRopeParams(BindContext c, LoweredOp lo, MemorySegment p) {
        Op op = lo.op();
        boolean partials = lo.partialSplits() > 0;
        if (lo.partialSplits() > KernelConstants.ATTN_ROPE_MAX_SPLITS) {
            throw new IllegalStateException(op.name() + ": " + lo.impl().name() + " sums at most " + KernelConstants.ATTN_ROPE_MAX_SPLITS
                    + " split-K planes of the qkv GEMM, got " + lo.partialSplits() + "; give the qkv GEMM's row at this size fewer splits or drop the"
                    + " attention row naming " + lo.impl().name());
        }
        if (op.in("qkv") == null) {
            throw new IllegalStateException(op.name() + ": " + lo.impl().name() + " reads rope's input but its op binds no qkv; lower it with "
                    + "Lowering.foldRopeIntoAttention");
        }
        RopeKvParams.qkv(p, partials ? MemorySegment.NULL : t(c, op.in("qkv")));
        RopeKvParams.qkv_partial(p, partials ? t(c, op.in("qkv")) : MemorySegment.NULL);
        RopeKvParams.qkv_splits(p, partials ? lo.partialSplits() : 0);
        RopeKvParams.qkv_rows(p, partials ? lo.partialRows() : 0);
        ropeRoles(c, op, p);
    }

    /** AttnParams of an attention op (q NULL where the op binds none: a form that computes q itself). */
    private static MemorySegment attnParams(BindContext c, Op op, MemorySegment p) {
        var d = c.dims();
        AttnParams.q(p, t(c, op.in("q")));
        AttnParams.k_cache(p, t(c, op.in("k_cache")));
        AttnParams.v_cache(p, t(c, op.in("v_cache")));
        AttnParams.out(p, t(c, op.out("out")));
        AttnParams.query_start(p, t(c, op.in("query_start")));
        AttnParams.kv_lens(p, t(c, op.in("kv_lens")));
        AttnParams.block_tables(p, t(c, op.in("block_tables")));
        AttnParams.batch_ids(p, t(c, op.in("batch_ids")));
        AttnParams.tile_ids(p, t(c, op.in("tile_ids")));
        AttnParams.num_blocks(p, t(c, op.in("num_blocks")));
        AttnParams.q_stride(p, d.qkvDim());
        AttnParams.q_heads(p, d.qHeads());
        AttnParams.kv_heads(p, d.kvHeads());
        AttnParams.head_dim(p, d.headDim());
        AttnParams.max_pages_per_seq(p, c.pagesPerSeq());
        AttnParams.scale_log2(p, softmaxScaleLog2(d.headDim()));
        return p;
    }

    /** The attention kernels' softmax scale 1/sqrt(head_dim) times log2(e): they exponentiate with exp2. */
    static float softmaxScaleLog2(int headDim) {
        return (float) (1.0 / Math.sqrt(headDim) * (1.0 / Math.log(2.0)));
    }

    private static Issuable bindLayer(BindContext c, LoweredOp lo) {
        MemorySegment p = layerParams(c, lo);
        int cluster = layerCluster(c, lo.impl());
        return new KernelIssuable(c, lo, p, cluster > 1 ? List.of(new Kernel.Attribute.ClusterDim(cluster, 1, 1)) : List.of());
    }

    /**
     * Blocks per cluster of a persistent layer's launch: {@link KernelConstants#LAYER_CLUSTER} where the device holds
     * enough such clusters at once for every block (each activation row is then read from L2 once per cluster and
     * multicast), else 1 (no cluster: every block reads the rows; the same bits). A grid barrier waits for blocks that
     * never start if the clusters do not all fit, so the rule counts whole clusters.
     */
    static int layerCluster(BindContext c, Impl impl) {
        int size = KernelConstants.LAYER_CLUSTER;
        if (size <= 1) return 1;
        return (long) c.maxActiveClusters(impl, size) * size >= KernelConstants.LAYER_BLOCKS ? size : 1;
    }

    /**
     * LayerParams of a persistent layer: tensors and weights from the op's roles ({@code branch_out} NULL but on the
     * last layer), rows = the bucket's capacity, the scalars as the norm, rope and attention binders set them.
     * Refuses a device with fewer SMs than the kernel's blocks: they must all be resident at once.
     */
    static MemorySegment layerParams(BindContext c, LoweredOp lo) {
        Op op = lo.op();
        if (c.multiprocessors() < KernelConstants.LAYER_BLOCKS) {
            throw new BenchException(op.name() + ": layer_persistent needs its " + KernelConstants.LAYER_BLOCKS
                    + " blocks resident at once (one per SM) and this GPU has " + c.multiprocessors() + " SMs: drop the persistentLayers rows"
                    + " (pass --impl-choices with a file without them)");
        }
        String gateUp = op.weight("w_gate_up");
        WeightLayout.RowInterleave ri = c.weightLayout().of(gateUp);
        if (ri == null || ri.group() != KernelConstants.GATE_UP_GROUP) {
            throw new IllegalStateException(op.name() + ": layer_persistent needs " + gateUp + " interleaved in groups of "
                    + KernelConstants.GATE_UP_GROUP + ", the device layout has " + ri);
        }
        var d = c.dims();
        MemorySegment p = LayerParams.allocate(c.arena());
        LayerParams.residual(p, t(c, op.out("residual")));
        LayerParams.branch_out(p, t(c, op.out("branch_out")));
        LayerParams.qkv(p, t(c, op.out("qkv")));
        LayerParams.attn_out(p, t(c, op.out("attn_out")));
        LayerParams.act(p, t(c, op.out("act")));
        LayerParams.k_cache(p, t(c, op.out("k_cache")));
        LayerParams.v_cache(p, t(c, op.out("v_cache")));
        LayerParams.input_norm(p, c.weight(op.weight("input_norm")));
        LayerParams.w_qkv(p, c.weight(op.weight("w_qkv")));
        LayerParams.qkv_bias(p, op.weight("qkv_bias") == null ? MemorySegment.NULL : c.weight(op.weight("qkv_bias")));
        LayerParams.w_o(p, c.weight(op.weight("w_o")));
        LayerParams.post_norm(p, c.weight(op.weight("post_norm")));
        LayerParams.w_gate_up(p, c.weight(gateUp));
        LayerParams.w_down(p, c.weight(op.weight("w_down")));
        LayerParams.cos_sin(p, t(c, op.in("cos_sin")));
        LayerParams.positions(p, t(c, op.in("positions")));
        LayerParams.slot_mapping(p, t(c, op.in("slot_mapping")));
        LayerParams.query_start(p, t(c, op.in("query_start")));
        LayerParams.kv_lens(p, t(c, op.in("kv_lens")));
        LayerParams.block_tables(p, t(c, op.in("block_tables")));
        LayerParams.num_tokens(p, t(c, op.in("num_tokens")));
        LayerParams.num_seqs(p, t(c, op.in("num_seqs")));
        LayerParams.barrier(p, t(c, op.out("barrier")));
        LayerParams.rows(p, c.key().capacity(op.rows()));
        LayerParams.hidden(p, d.hidden());
        LayerParams.q_heads(p, d.qHeads());
        LayerParams.kv_heads(p, d.kvHeads());
        LayerParams.head_dim(p, d.headDim());
        LayerParams.ffn(p, d.ffn());
        LayerParams.max_positions(p, c.maxModelLen()); // as rope_kv_write's
        LayerParams.max_pages_per_seq(p, c.pagesPerSeq()); // as the attention's
        LayerParams.eps(p, d.eps()); // as add_rmsnorm's
        LayerParams.scale_log2(p, softmaxScaleLog2(d.headDim()));
        int span = Lowering.layerSpan(op);
        LayerParams.layers(p, span);
        if (span > 1) layerStrides(c, op, span, p);
        return p;
    }

    /**
     * The per-layer strides (elements) of a launch of {@code span} layers: layer l's norms, weights, bias and caches
     * sit at layer 0's address + l x stride, read from the op's {@code role.l} weights and the caches' addresses. A
     * layout where they do not is refused, naming the row to drop.
     */
    private static void layerStrides(BindContext c, Op op, int span, MemorySegment p) {
        String[] roles = {"input_norm", "w_qkv", "qkv_bias", "w_o", "post_norm", "w_gate_up", "w_down"};
        long[] strides = new long[roles.length];
        for (int i = 0; i < roles.length; i++) {
            if (op.weight(roles[i]) == null) continue;
            String role = roles[i];
            strides[i] = constantStride(op.name() + " " + role, span, l -> c.weight(l == 0 ? op.weight(role) : op.weight(role + "." + l)).address());
        }
        int layer0 = op.layer();
        long kv = constantStride(op.name() + " k_cache", span, l -> c.tensor(ForwardProgram.kCache(layer0 + l)).address());
        long vv = constantStride(op.name() + " v_cache", span, l -> c.tensor(ForwardProgram.vCache(layer0 + l)).address());
        if (kv != vv) {
            throw new BenchException(op.name() + ": the K and V caches advance by " + kv + " and " + vv + " elements a layer; layer_persistent takes "
                    + "one stride for both: drop the persistentLayers row");
        }
        LayerParams.input_norm_stride(p, strides[0]);
        LayerParams.w_qkv_stride(p, strides[1]);
        LayerParams.qkv_bias_stride(p, strides[2]);
        LayerParams.w_o_stride(p, strides[3]);
        LayerParams.post_norm_stride(p, strides[4]);
        LayerParams.w_gate_up_stride(p, strides[5]);
        LayerParams.w_down_stride(p, strides[6]);
        LayerParams.kv_stride(p, kv);
    }

    /** The bf16 element stride of addresses {@code at(0..span-1)}, which must be constant. */
    private static long constantStride(String what, int span, java.util.function.IntToLongFunction at) {
        long a0 = at.applyAsLong(0), bytes = at.applyAsLong(1) - a0;
        for (int l = 2; l < span; l++) {
            if (at.applyAsLong(l) - a0 != l * bytes) {
                throw new BenchException(what + ": layer " + l + " is not at layer 0 + " + l + " x " + bytes + " bytes; layer_persistent runs every "
                        + "layer in one launch from one address and stride: drop the persistentLayers row");
            }
        }
        if (bytes % 2 != 0) throw new BenchException(what + ": a layer stride of " + bytes + " bytes is not whole bf16 elements");
        return bytes / 2;
    }

    private static Issuable bindSilu(BindContext c, LoweredOp lo) {
        Op op = lo.op();
        boolean partial = lo.partialSplits() > 0;
        MemorySegment p = SiluMulParams.allocate(c.arena());
        SiluMulParams.gate_up(p, t(c, op.in("gate_up")));
        SiluMulParams.gate_up_partial(p, partial ? t(c, op.in("gate_up")) : MemorySegment.NULL);
        SiluMulParams.gate_up_splits(p, lo.partialSplits());
        SiluMulParams.gate_up_rows(p, lo.partialRows());
        SiluMulParams.out(p, t(c, op.out("out")));
        SiluMulParams.num_tokens(p, t(c, op.in("num_tokens")));
        SiluMulParams.ffn(p, c.dims().ffn());
        // gate_up columns follow the gate/up weight's rows on the device (0 = natural layout)
        WeightLayout.RowInterleave ri = c.weightLayout().of(WeightSpec.layer(op.layer()).gateUp());
        SiluMulParams.group(p, ri == null ? 0 : ri.group());
        return new KernelIssuable(c, lo, p);
    }

    private static Issuable bindFinalNorm(BindContext c, LoweredOp lo) {
        Op op = lo.op();
        boolean partial = lo.partialSplits() > 0;
        MemorySegment p = FinalNormGatherParams.allocate(c.arena());
        FinalNormGatherParams.x(p, partial ? MemorySegment.NULL : t(c, op.in("x")));
        FinalNormGatherParams.x_partial(p, partial ? t(c, op.in("x")) : MemorySegment.NULL);
        FinalNormGatherParams.x_splits(p, lo.partialSplits());
        FinalNormGatherParams.x_rows(p, lo.partialRows());
        FinalNormGatherParams.residual(p, t(c, op.in("residual")));
        FinalNormGatherParams.weight(p, c.weight(op.weight("weight")));
        FinalNormGatherParams.query_start(p, t(c, op.in("query_start")));
        FinalNormGatherParams.num_seqs(p, t(c, op.in("num_seqs")));
        FinalNormGatherParams.out(p, t(c, op.out("out")));
        FinalNormGatherParams.hidden(p, c.dims().hidden());
        FinalNormGatherParams.eps(p, c.dims().eps());
        return new KernelIssuable(c, lo, p);
    }

    private static Issuable bindGatherLastRows(BindContext c, LoweredOp lo) {
        Op op = lo.op();
        if (c.dims().attnDim() % 8 != 0 || c.dims().hidden() % 8 != 0) {  // the kernel copies 16-byte chunks
            throw new BenchException(op.name() + ": gather_last_rows copies rows of 8 bf16 values, but q heads x head dim is "
                    + c.dims().attnDim() + " and hidden " + c.dims().hidden() + "; drop the " + LAST_ROWS + " row for this model");
        }
        MemorySegment p = GatherRowsParams.allocate(c.arena());
        GatherRowsParams.a(p, t(c, op.in("a")));
        GatherRowsParams.a_out(p, t(c, op.out("a_out")));
        GatherRowsParams.a_cols(p, c.dims().attnDim());
        GatherRowsParams.b(p, t(c, op.in("b")));
        GatherRowsParams.b_out(p, t(c, op.out("b_out")));
        GatherRowsParams.b_cols(p, c.dims().hidden());
        GatherRowsParams.query_start(p, t(c, op.in("query_start")));
        GatherRowsParams.num_seqs(p, t(c, op.in("num_seqs")));
        return new KernelIssuable(c, lo, p);
    }

    private static Issuable bindArgmax(BindContext c, LoweredOp lo) {
        return new KernelIssuable(c, lo, argmaxParams(c, lo.op()));
    }

    /** argmax_rows_cluster: argmax_rows's params, launched in clusters of {@link #ARGMAX_CLUSTER_BLOCKS} along x. */
    private static Issuable bindArgmaxCluster(BindContext c, LoweredOp lo) {
        return new KernelIssuable(c, lo, argmaxParams(c, lo.op()), List.of(new Kernel.Attribute.ClusterDim(ARGMAX_CLUSTER_BLOCKS, 1, 1)));
    }

    /** argmax_keys: the keys of the LM head's row capacity, the tokens into the pinned first-token output. */
    private static Issuable bindArgmaxKeys(BindContext c, LoweredOp lo) {
        Op op = lo.op();
        MemorySegment p = ArgmaxKeysParams.allocate(c.arena());
        ArgmaxKeysParams.keys(p, c.tensor(op.in("keys")));
        ArgmaxKeysParams.out(p, c.hostOutput(op.out("out")));
        ArgmaxKeysParams.num_seqs(p, t(c, op.in("num_seqs")));
        ArgmaxKeysParams.rows(p, c.key().capacity(op.rows()));
        return new KernelIssuable(c, lo, p);
    }

    /** The LM head's argmax-key form: the plain GEMM's params and the keys. */
    private static Issuable bindGemmAmax(BindContext c, LoweredOp lo) {
        if (lo.splits() != 1) throw new IllegalStateException(lo.op().name() + ": " + lo.impl().name() + " runs at one split, not " + lo.splits());
        MemorySegment p = GemmAmaxParams.allocate(c.arena());
        gemmParams(c, lo, lo.op().n(), GemmAmaxParams.gemm(p));
        GemmAmaxParams.keys(p, c.tensor(lo.op().out("keys")));
        return new KernelIssuable(c, lo, p);
    }

    private static MemorySegment argmaxParams(BindContext c, Op op) {
        MemorySegment p = ArgmaxParams.allocate(c.arena());
        ArgmaxParams.logits(p, t(c, op.in("logits")));
        ArgmaxParams.out(p, c.hostOutput(op.out("out")));
        ArgmaxParams.num_seqs(p, t(c, op.in("num_seqs")));
        ArgmaxParams.vocab(p, c.dims().vocab());
        return p;
    }
}
