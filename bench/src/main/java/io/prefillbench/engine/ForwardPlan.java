package io.prefillbench.engine;

import io.prefillbench.bindings.kernels.AddRmsNormParams;
import io.prefillbench.bindings.kernels.ArgmaxParams;
import io.prefillbench.bindings.kernels.AttnParams;
import io.prefillbench.bindings.kernels.EmbedParams;
import io.prefillbench.bindings.kernels.FinalNormGatherParams;
import io.prefillbench.bindings.kernels.GemmParams;
import io.prefillbench.bindings.kernels.RopeKvParams;
import io.prefillbench.bindings.kernels.SiluMulParams;
import io.prefillbench.bindings.kernels.SplitKReduceParams;
import io.prefillbench.bindings.kernels.SpinParams;
import io.prefillbench.bindings.kernels.TileMapParams;
import io.prefillbench.cuda.CudaStream;
import io.prefillbench.cuda.Kernel;
import io.prefillbench.cuda.KernelLibrary;
import io.prefillbench.model.ModelConfig;
import io.prefillbench.model.WeightSpec;
import io.prefillbench.plan.GemmTiling;
import io.prefillbench.plan.PlanShape;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * The prefill forward for one capture bucket as a list of prepared kernel launches. Eager prefill
 * issues them with grids sized to the real batch; graph capture records the same launches with
 * grids sized to the bucket's capacity (surplus blocks exit at once, reading the real counts from
 * device memory). The param structs are identical in both modes, including the GEMM split-K choice,
 * which depends on the bucket and never on the real token count: the two modes do the same
 * arithmetic, bit for bit.
 */
public final class ForwardPlan {
    /** What a launch's grid.x counts. */
    enum Rows { TOKENS, SEQS, TILES, ONE }

    /** rows / rowsPerBlock blocks on x (or on y when rowsOnY, GEMMs), {@code other} on the remaining axis. */
    private record Step(Kernel.Launch launch, Rows rows, int rowsPerBlock, boolean rowsOnY, int other, int gridZ, boolean graphOnly) {
    }

    /** A GEMM's output when it stays in fp32 split-K partials for the consumer to sum (splits == 0: none). */
    private record Partial(MemorySegment ptr, int splits, int rows) {
        static final Partial NONE = new Partial(MemorySegment.NULL, 0, 0);
    }

    final int size;          // bucket: token capacity
    final int seqCapacity;   // sequence capacity
    final int tileCapacity;  // exact worst-case attention tiles over all splits of `size` tokens
    private final List<Step> steps = new ArrayList<>();
    private final KernelLibrary lib;
    private final Arena arena;
    private final StaticBuffers b;
    private final int smCount;
    private final boolean pdl;

    ForwardPlan(int size, int seqCapacity, int tileCapacity, ModelConfig m, ModelWeights w, StaticBuffers b,
                KernelLibrary lib, int smCount, boolean pdl, long slowdownCycles, Arena arena) {
        this.size = size;
        this.seqCapacity = seqCapacity;
        this.tileCapacity = tileCapacity;
        this.lib = lib;
        this.arena = arena;
        this.b = b;
        this.smCount = smCount;
        this.pdl = pdl;
        MemorySegment numTokens = b.meta(b.numTokens);
        MemorySegment numSeqs = b.meta(b.numSeqs);
        MemorySegment queryStart = b.meta(b.queryStart);

        // embedding -> residual
        MemorySegment p = EmbedParams.allocate(arena);
        EmbedParams.ids(p, b.meta(b.tokenIds));
        EmbedParams.table(p, w.of(WeightSpec.EMBEDDING));
        EmbedParams.out(p, b.at(b.residual));
        EmbedParams.num_tokens(p, numTokens);
        EmbedParams.hidden(p, m.hidden());
        EmbedParams.vocab(p, m.vocab());
        add("embed_gather", p, 128, 0, Rows.TOKENS, 1, false, 1);

        p = TileMapParams.allocate(arena);
        TileMapParams.query_start(p, queryStart);
        TileMapParams.num_seqs(p, numSeqs);
        TileMapParams.batch_ids(p, b.at(b.batchIds));
        TileMapParams.tile_ids(p, b.at(b.tileIds));
        TileMapParams.num_blocks(p, b.at(b.numBlocks));
        TileMapParams.group(p, m.group());
        TileMapParams.rows_per_tile(p, Layout.ROWS_PER_TILE);
        TileMapParams.max_tiles(p, b.maxTiles);
        add("build_tile_map", p, 1024, 0, Rows.ONE, 1, false, 1);

        float scaleLog2 = (float) (1.0 / Math.sqrt(m.headDim()) * (1.0 / Math.log(2.0)));
        Partial down = Partial.NONE;
        for (int l = 0; l < m.layers(); l++) {
            WeightSpec.LayerNames names = WeightSpec.layer(l);
            addNorm(l == 0 ? MemorySegment.NULL : b.at(b.branchOut), down, w.of(names.inputNorm()), m, numTokens);
            Partial qkv = gemm(b.at(b.hidden), m.hidden(), w.of(names.qkv()), b.at(b.qkv), m.qkvDim(), m.hidden(), size, numTokens, Rows.TOKENS, true);

            p = RopeKvParams.allocate(arena);
            RopeKvParams.qkv(p, b.at(b.qkv));
            RopeKvParams.qkv_partial(p, qkv.ptr());
            RopeKvParams.qkv_splits(p, qkv.splits());
            RopeKvParams.qkv_rows(p, qkv.rows());
            RopeKvParams.bias(p, m.qkvBias() ? w.of(names.qkvBias()) : MemorySegment.NULL);
            RopeKvParams.cos_sin(p, b.at(b.ropeTable));
            RopeKvParams.positions(p, b.meta(b.positions));
            RopeKvParams.slot_mapping(p, b.meta(b.slotMapping));
            RopeKvParams.k_cache(p, b.kCache(l));
            RopeKvParams.v_cache(p, b.vCache(l));
            RopeKvParams.num_tokens(p, numTokens);
            RopeKvParams.q_heads(p, m.qHeads());
            RopeKvParams.kv_heads(p, m.kvHeads());
            RopeKvParams.head_dim(p, m.headDim());
            RopeKvParams.max_positions(p, b.config.maxModelLen());
            add("rope_kv_write", p, 128, 0, Rows.TOKENS, 1, false, 1);

            p = AttnParams.allocate(arena);
            AttnParams.q(p, b.at(b.qkv));
            AttnParams.k_cache(p, b.kCache(l));
            AttnParams.v_cache(p, b.vCache(l));
            AttnParams.out(p, b.at(b.attnOut));
            AttnParams.query_start(p, queryStart);
            AttnParams.kv_lens(p, b.meta(b.kvLens));
            AttnParams.block_tables(p, b.meta(b.blockTables));
            AttnParams.batch_ids(p, b.at(b.batchIds));
            AttnParams.tile_ids(p, b.at(b.tileIds));
            AttnParams.num_blocks(p, b.at(b.numBlocks));
            AttnParams.q_stride(p, m.qkvDim());
            AttnParams.q_heads(p, m.qHeads());
            AttnParams.kv_heads(p, m.kvHeads());
            AttnParams.head_dim(p, m.headDim());
            AttnParams.max_pages_per_seq(p, b.pagesPerSeq);
            AttnParams.scale_log2(p, scaleLog2);
            add("attention_prefill", p, Layout.ATTN_THREADS, 0, Rows.TILES, 1, false, m.kvHeads());

            Partial o = gemm(b.at(b.attnOut), m.attnDim(), w.of(names.o()), b.at(b.branchOut), m.hidden(), m.attnDim(), size, numTokens, Rows.TOKENS, true);
            addNorm(b.at(b.branchOut), o, w.of(names.postNorm()), m, numTokens);
            Partial gu = gemm(b.at(b.hidden), m.hidden(), w.of(names.gateUp()), b.at(b.gateUp), 2 * m.ffn(), m.hidden(), size, numTokens, Rows.TOKENS, true);

            p = SiluMulParams.allocate(arena);
            SiluMulParams.gate_up(p, b.at(b.gateUp));
            SiluMulParams.gate_up_partial(p, gu.ptr());
            SiluMulParams.gate_up_splits(p, gu.splits());
            SiluMulParams.gate_up_rows(p, gu.rows());
            SiluMulParams.out(p, b.at(b.act));
            SiluMulParams.num_tokens(p, numTokens);
            SiluMulParams.ffn(p, m.ffn());
            add("silu_mul", p, 256, 0, Rows.TOKENS, 1, false, 1);

            down = gemm(b.at(b.act), m.ffn(), w.of(names.down()), b.at(b.branchOut), m.hidden(), m.ffn(), size, numTokens, Rows.TOKENS, true);
        }

        p = FinalNormGatherParams.allocate(arena);
        FinalNormGatherParams.x(p, b.at(b.branchOut));
        FinalNormGatherParams.x_partial(p, down.ptr());
        FinalNormGatherParams.x_splits(p, down.splits());
        FinalNormGatherParams.x_rows(p, down.rows());
        FinalNormGatherParams.residual(p, b.at(b.residual));
        FinalNormGatherParams.weight(p, w.of(WeightSpec.FINAL_NORM));
        FinalNormGatherParams.query_start(p, queryStart);
        FinalNormGatherParams.num_seqs(p, numSeqs);
        FinalNormGatherParams.out(p, b.at(b.lastHidden));
        FinalNormGatherParams.hidden(p, m.hidden());
        FinalNormGatherParams.eps(p, m.rmsNormEps());
        add("final_norm_gather", p, 256, 0, Rows.SEQS, 1, false, 1);

        MemorySegment lmHead = w.of(m.tieWordEmbeddings() ? WeightSpec.EMBEDDING : WeightSpec.LM_HEAD);
        gemm(b.at(b.lastHidden), m.hidden(), lmHead, b.at(b.logits), m.vocab(), m.hidden(), seqCapacity, numSeqs, Rows.SEQS, false);

        p = ArgmaxParams.allocate(arena);
        ArgmaxParams.logits(p, b.at(b.logits));
        ArgmaxParams.out(p, b.at(b.outTokens));
        ArgmaxParams.num_seqs(p, numSeqs);
        ArgmaxParams.vocab(p, m.vocab());
        add("argmax_rows", p, 256, 0, Rows.SEQS, 1, false, 1);

        if (slowdownCycles > 0) {
            // Test-only planted regression for the gate: a busy kernel in the captured graph only,
            // so graph replay gets slower while eager does not.
            p = SpinParams.allocate(arena);
            SpinParams.cycles(p, slowdownCycles);
            steps.add(new Step(new Kernel.Launch(lib.kernel("spin_delay"), p, 32, 0, false, arena), Rows.ONE, 1, false, 1, 1, true));
        }
    }

    private void add(String kernel, MemorySegment params, int threads, int smem, Rows rows, int rowsPerBlock, boolean rowsOnY, int other) {
        add(kernel, params, threads, smem, rows, rowsPerBlock, rowsOnY, other, 1);
    }

    private void add(String kernel, MemorySegment params, int threads, int smem, Rows rows, int rowsPerBlock, boolean rowsOnY, int other, int gridZ) {
        steps.add(new Step(new Kernel.Launch(lib.kernel(kernel), params, threads, smem, pdl, arena), rows, rowsPerBlock, rowsOnY, other, gridZ, false));
    }

    private void addNorm(MemorySegment x, Partial xPartial, MemorySegment weight, ModelConfig m, MemorySegment numRows) {
        MemorySegment p = AddRmsNormParams.allocate(arena);
        AddRmsNormParams.x(p, x);
        AddRmsNormParams.x_partial(p, xPartial.ptr());
        AddRmsNormParams.x_splits(p, xPartial.splits());
        AddRmsNormParams.x_rows(p, xPartial.rows());
        AddRmsNormParams.residual(p, b.at(b.residual));
        AddRmsNormParams.weight(p, weight);
        AddRmsNormParams.out(p, b.at(b.hidden));
        AddRmsNormParams.num_rows(p, numRows);
        AddRmsNormParams.hidden(p, m.hidden());
        AddRmsNormParams.eps(p, m.rmsNormEps());
        add("add_rmsnorm", p, 256, 0, Rows.TOKENS, 1, false, 1);
    }

    /**
     * C[rows, n] = A[rows, k] * W[n, k]^T, tile and split-K chosen from (n, k, capacity) only. With
     * splits > 1 and a consumer that sums partials ({@code fused}), the output stays in fp32
     * partials and no reduce kernel runs; otherwise splitk_reduce writes C.
     */
    private Partial gemm(MemorySegment a, int lda, MemorySegment weight, MemorySegment c, int n, int k, int capacity,
                         MemorySegment mDev, Rows rows, boolean fused) {
        GemmTiling.Choice choice = GemmTiling.choose(n, k, capacity, smCount);
        int splits = choice.splits();
        MemorySegment p = GemmParams.allocate(arena);
        GemmParams.a(p, a);
        GemmParams.b(p, weight);
        GemmParams.c(p, c);
        GemmParams.partial(p, b.at(b.partial));
        GemmParams.m_dev(p, mDev);
        GemmParams.m(p, capacity);
        GemmParams.n(p, n);
        GemmParams.k(p, k);
        GemmParams.lda(p, lda);
        GemmParams.ldb(p, k);
        GemmParams.ldc(p, n);
        GemmParams.splits(p, splits);
        int threads = choice.large() ? Layout.GEMM_LARGE_THREADS : Layout.GEMM_THREADS;
        int smem = choice.large() ? Layout.GEMM_LARGE_SMEM : 0;
        add(choice.kernel(), p, threads, smem, rows, choice.bm(), true, (n + choice.bn() - 1) / choice.bn(), splits);
        if (splits == 1) return Partial.NONE;
        if (fused) return new Partial(b.at(b.partial), splits, capacity);
        MemorySegment r = SplitKReduceParams.allocate(arena);
        SplitKReduceParams.partial(r, b.at(b.partial));
        SplitKReduceParams.c(r, c);
        SplitKReduceParams.m_dev(r, mDev);
        SplitKReduceParams.m(r, capacity);
        SplitKReduceParams.n(r, n);
        SplitKReduceParams.ldc(r, n);
        SplitKReduceParams.splits(r, splits);
        add("splitk_reduce", r, 256, 0, rows, 1, false, 1);
        return Partial.NONE;
    }

    /** Grids for a real batch (eager) or for the bucket's capacity (capture). */
    void setGrids(int tokens, int seqs, int tiles) {
        for (Step s : steps) {
            int rows = switch (s.rows) {
                case TOKENS -> tokens;
                case SEQS -> seqs;
                case TILES -> tiles;
                case ONE -> 1;
            };
            int blocks = Math.max(1, (rows + s.rowsPerBlock - 1) / s.rowsPerBlock);
            if (s.rowsOnY) s.launch.grid(s.other, blocks, s.gridZ);
            else s.launch.grid(blocks, s.other, s.gridZ);
        }
    }

    void setCapacityGrids() {
        setGrids(size, seqCapacity, tileCapacity);
    }

    /** Issues every launch on the stream: eagerly, or recorded into a graph when {@code capturing}. */
    void issue(CudaStream stream, boolean capturing) {
        for (Step s : steps) {
            if (!s.graphOnly || capturing) s.launch.launch(stream);
        }
    }

    /** Kernel launches of one eager forward. */
    public int launchCount() {
        return (int) steps.stream().filter(s -> !s.graphOnly).count();
    }

    /**
     * Split-K workspace (floats) every bucket's GEMMs need, computed before the buffers exist: the
     * planner's figure (same GEMMs, same (n, k, capacity) rule), so {@code bench.jar plan} reports
     * exactly what the engine allocates.
     */
    static long partialFloatsNeeded(ModelConfig m, EngineConfig cfg, int smCount) {
        return io.prefillbench.plan.StaticBuffers.splitKPartial(PlanShape.of(m), cfg.sizes(), cfg.maxNumSeqs(), smCount).bytes() / Float.BYTES;
    }
}
