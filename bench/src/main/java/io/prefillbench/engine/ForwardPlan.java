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
    private record Step(Kernel.Launch launch, Rows rows, int rowsPerBlock, boolean rowsOnY, int other, int gridZ) {
    }

    final int size;          // bucket: token capacity
    final int seqCapacity;   // sequence capacity
    final int tileCapacity;  // exact worst-case attention tiles over all splits of `size` tokens
    private final List<Step> steps = new ArrayList<>();
    private long partialFloats;

    ForwardPlan(int size, int seqCapacity, int tileCapacity, ModelConfig m, ModelWeights w, StaticBuffers b,
                KernelLibrary lib, int smCount, long slowdownCycles, Arena arena) {
        this.size = size;
        this.seqCapacity = seqCapacity;
        this.tileCapacity = tileCapacity;
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
        add(lib, arena, "embed_gather", p, 128, Rows.TOKENS);

        p = TileMapParams.allocate(arena);
        TileMapParams.query_start(p, queryStart);
        TileMapParams.num_seqs(p, numSeqs);
        TileMapParams.batch_ids(p, b.at(b.batchIds));
        TileMapParams.tile_ids(p, b.at(b.tileIds));
        TileMapParams.num_blocks(p, b.at(b.numBlocks));
        TileMapParams.group(p, m.group());
        TileMapParams.rows_per_tile(p, Layout.ROWS_PER_TILE);
        TileMapParams.max_tiles(p, b.maxTiles);
        add(lib, arena, "build_tile_map", p, 1024, Rows.ONE);

        float scaleLog2 = (float) (1.0 / Math.sqrt(m.headDim()) * (1.0 / Math.log(2.0)));
        for (int l = 0; l < m.layers(); l++) {
            addNorm(lib, arena, l == 0 ? MemorySegment.NULL : b.at(b.branchOut), b, w.of(WeightSpec.layer(l).inputNorm()), m, numTokens);
            gemm(lib, arena, b, b.at(b.hidden), m.hidden(), w.of(WeightSpec.layer(l).qkv()), b.at(b.qkv), m.qkvDim(), m.hidden(), size, numTokens, smCount, Rows.TOKENS);

            p = RopeKvParams.allocate(arena);
            RopeKvParams.qkv(p, b.at(b.qkv));
            RopeKvParams.bias(p, m.qkvBias() ? w.of(WeightSpec.layer(l).qkvBias()) : MemorySegment.NULL);
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
            add(lib, arena, "rope_kv_write", p, 128, Rows.TOKENS);

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
            steps.add(new Step(new Kernel.Launch(lib.kernel("attention_prefill"), p, Layout.ATTN_THREADS, 0, arena), Rows.TILES, 1, false, m.kvHeads(), 1));

            gemm(lib, arena, b, b.at(b.attnOut), m.attnDim(), w.of(WeightSpec.layer(l).o()), b.at(b.branchOut), m.hidden(), m.attnDim(), size, numTokens, smCount, Rows.TOKENS);
            addNorm(lib, arena, b.at(b.branchOut), b, w.of(WeightSpec.layer(l).postNorm()), m, numTokens);
            gemm(lib, arena, b, b.at(b.hidden), m.hidden(), w.of(WeightSpec.layer(l).gateUp()), b.at(b.gateUp), 2 * m.ffn(), m.hidden(), size, numTokens, smCount, Rows.TOKENS);

            p = SiluMulParams.allocate(arena);
            SiluMulParams.gate_up(p, b.at(b.gateUp));
            SiluMulParams.out(p, b.at(b.act));
            SiluMulParams.num_tokens(p, numTokens);
            SiluMulParams.ffn(p, m.ffn());
            add(lib, arena, "silu_mul", p, 256, Rows.TOKENS);

            gemm(lib, arena, b, b.at(b.act), m.ffn(), w.of(WeightSpec.layer(l).down()), b.at(b.branchOut), m.hidden(), m.ffn(), size, numTokens, smCount, Rows.TOKENS);
        }

        p = FinalNormGatherParams.allocate(arena);
        FinalNormGatherParams.x(p, b.at(b.branchOut));
        FinalNormGatherParams.residual(p, b.at(b.residual));
        FinalNormGatherParams.weight(p, w.of(WeightSpec.FINAL_NORM));
        FinalNormGatherParams.query_start(p, queryStart);
        FinalNormGatherParams.num_seqs(p, numSeqs);
        FinalNormGatherParams.out(p, b.at(b.lastHidden));
        FinalNormGatherParams.hidden(p, m.hidden());
        FinalNormGatherParams.eps(p, m.rmsNormEps());
        add(lib, arena, "final_norm_gather", p, 256, Rows.SEQS);

        MemorySegment lmHead = w.of(m.tieWordEmbeddings() ? WeightSpec.EMBEDDING : WeightSpec.LM_HEAD);
        gemm(lib, arena, b, b.at(b.lastHidden), m.hidden(), lmHead, b.at(b.logits), m.vocab(), m.hidden(), seqCapacity, numSeqs, smCount, Rows.SEQS);

        p = ArgmaxParams.allocate(arena);
        ArgmaxParams.logits(p, b.at(b.logits));
        ArgmaxParams.out(p, b.at(b.outTokens));
        ArgmaxParams.num_seqs(p, numSeqs);
        ArgmaxParams.vocab(p, m.vocab());
        add(lib, arena, "argmax_rows", p, 256, Rows.SEQS);

        if (slowdownCycles > 0) {
            // Test-only planted slowdown (gate checks): a busy kernel in every forward.
            p = SpinParams.allocate(arena);
            SpinParams.cycles(p, slowdownCycles);
            add(lib, arena, "spin_delay", p, 32, Rows.ONE);
        }
    }

    private void add(KernelLibrary lib, Arena arena, String kernel, MemorySegment params, int threads, Rows rows) {
        steps.add(new Step(new Kernel.Launch(lib.kernel(kernel), params, threads, 0, arena), rows, 1, false, 1, 1));
    }

    private void addNorm(KernelLibrary lib, Arena arena, MemorySegment x, StaticBuffers b, MemorySegment weight, ModelConfig m, MemorySegment numRows) {
        MemorySegment p = AddRmsNormParams.allocate(arena);
        AddRmsNormParams.x(p, x);
        AddRmsNormParams.residual(p, b.at(b.residual));
        AddRmsNormParams.weight(p, weight);
        AddRmsNormParams.out(p, b.at(b.hidden));
        AddRmsNormParams.num_rows(p, numRows);
        AddRmsNormParams.hidden(p, m.hidden());
        AddRmsNormParams.eps(p, m.rmsNormEps());
        steps.add(new Step(new Kernel.Launch(lib.kernel("add_rmsnorm"), p, 256, 0, arena), Rows.TOKENS, 1, false, 1, 1));
    }

    /** C[rows, n] = A[rows, k] * W[n, k]^T with split-K chosen from (n, k, capacity) only. */
    private void gemm(KernelLibrary lib, Arena arena, StaticBuffers b, MemorySegment a, int lda, MemorySegment weight,
                      MemorySegment c, int n, int k, int capacity, MemorySegment mDev, int smCount, Rows rows) {
        int splits = GemmTiling.splits(n, k, capacity, smCount);
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
        steps.add(new Step(new Kernel.Launch(lib.kernel("gemm_bf16"), p, Layout.GEMM_THREADS, 0, arena), rows, Layout.GEMM_BM,
                true, (n + Layout.GEMM_BN - 1) / Layout.GEMM_BN, splits));
        if (splits > 1) {
            partialFloats = Math.max(partialFloats, (long) splits * capacity * n);
            MemorySegment r = SplitKReduceParams.allocate(arena);
            SplitKReduceParams.partial(r, b.at(b.partial));
            SplitKReduceParams.c(r, c);
            SplitKReduceParams.m_dev(r, mDev);
            SplitKReduceParams.m(r, capacity);
            SplitKReduceParams.n(r, n);
            SplitKReduceParams.ldc(r, n);
            SplitKReduceParams.splits(r, splits);
            steps.add(new Step(new Kernel.Launch(lib.kernel("splitk_reduce"), r, 256, 0, arena), rows, 1, false, 1, 1));
        }
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

    /** Issues every launch on the stream (eager, or recorded when the stream is capturing). */
    void issue(CudaStream stream) {
        for (Step s : steps) s.launch.launch(stream);
    }

    public int launchCount() {
        return steps.size();
    }

    long partialFloats() {
        return partialFloats;
    }

    /**
     * Split-K workspace (floats) every bucket's GEMMs need, computed before the buffers exist:
     * the same (n, k, capacity) rule as the plans use.
     */
    static long partialFloatsNeeded(ModelConfig m, EngineConfig cfg, int smCount) {
        long need = 0;
        int[][] shapes = {{m.qkvDim(), m.hidden()}, {m.hidden(), m.attnDim()}, {2 * m.ffn(), m.hidden()}, {m.hidden(), m.ffn()}};
        for (int size : cfg.sizes().sizes()) {
            for (int[] nk : shapes) {
                int s = GemmTiling.splits(nk[0], nk[1], size, smCount);
                if (s > 1) need = Math.max(need, (long) s * size * nk[0]);
            }
            int seqs = cfg.seqCapacity(size);
            int s = GemmTiling.splits(m.vocab(), m.hidden(), seqs, smCount);
            if (s > 1) need = Math.max(need, (long) s * seqs * m.vocab());
        }
        return need;
    }
}
