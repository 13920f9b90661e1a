package io.prefillbench.engine;

import io.prefillbench.GpuAssumptions;
import io.prefillbench.cuda.CudaGraph;
import io.prefillbench.forward.ImplChoices;
import io.prefillbench.forward.KernelConstants;
import io.prefillbench.forward.LoweredOp;
import io.prefillbench.model.ModelConfig;
import io.prefillbench.plan.PaddingGuard;
import io.prefillbench.plan.TileMath;
import io.prefillbench.reference.CpuReference;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * What lowering may add beyond one kernel chain: a forked side branch (the L2 weight prefetch, on the
 * engine's second stream, joined back by events) and library GEMMs (cuBLASLt with a pinned
 * algorithm). Each is switched on per bucket by test-local measurement rows; graph == eager bit for
 * bit must hold with them, and neither may change what the forward computes.
 */
@Tag("gpu")
class ForwardBranchesGpuTest {
    private static final ImplChoices.Provenance TEST = new ImplChoices.Provenance("test", "-", "-", "-");

    /** First tokens and last-token logits of one run on poisoned buffers. */
    private record Out(int[] first, float[][] logits) {
        static Out of(PrefillEngine e, List<SeqInput> b, boolean graph) {
            e.poisonActivations();
            PrefillOutput o = graph ? e.graph(b) : e.eager(b);
            return new Out(o.firstTokens(), e.lastLogits());
        }

        void assertSame(Out other, String what) {
            assertArrayEquals(first, other.first, what + ": first tokens");
            for (int s = 0; s < logits.length; s++) {
                for (float v : logits[s]) if (Float.isNaN(v)) fail(what + ": NaN in the logits of sequence " + s);
                if (!Arrays.equals(logits[s], other.logits[s])) fail(what + ": logits of sequence " + s + " differ");
            }
        }
    }

    /** Random batches over every bucket, plus each bucket's worst-case tile split. */
    private static List<int[]> splits(EngineConfig cfg, int n, long seed) {
        Random rnd = new Random(seed);
        List<int[]> out = new ArrayList<>();
        for (int size : cfg.sizes().sizes()) {
            out.add(TileMath.worstCaseSplit(size, cfg.seqCapacity(size), cfg.model().group(), KernelConstants.ROWS_PER_TILE));
        }
        for (int i = 0; i < n; i++) {
            int tokens = 1 + rnd.nextInt(cfg.maxTokens());
            int seqs = 1 + rnd.nextInt(Math.min(tokens, cfg.maxNumSeqs()));
            out.add(EngineTestSupport.randomSplit(rnd, tokens, seqs));
        }
        return out;
    }

    /**
     * L2 prefetch on at buckets 16 and 160: each of those graphs has the prefetch as a parallel branch
     * (a level of width 2), bucket 64 stays one chain; graph == eager bit for bit; and every output
     * equals that of an engine without the prefetch (a cache hint changes no bit).
     */
    @Test
    void l2PrefetchBranchRunsInParallelAndChangesNoBit() {
        GpuAssumptions.assumeGpu();
        EngineConfig cfg = EngineTestSupport.config("ernie-4.5-0.3b", "16,64,160", 32, 2048);
        ImplChoices on = new ImplChoices(TEST, List.of(), List.of(),
                List.of(new ImplChoices.KeyRow(16, 0, "test"), new ImplChoices.KeyRow(160, 0, "test")));
        int vocab = cfg.model().vocab();
        List<int[]> splits = splits(cfg, 30, 16160);
        List<List<SeqInput>> batches = new ArrayList<>();
        Random tok = new Random(7);
        for (int[] lens : splits) batches.add(EngineTestSupport.batch(tok, lens, vocab));
        List<Out> withPrefetch = new ArrayList<>();
        try (PrefillEngine e = PrefillEngine.open(cfg, 0, EngineOptions.DEFAULT.withChoices(on))) {
            int layers = cfg.model().layers();
            assertEquals(layers - 1, e.lowered().plan(16).ops().stream().filter(o -> o.stream() == 1).count());
            assertTrue(e.lowered().plan(64).ops().stream().allMatch(o -> o.stream() == 0));
            LoweredOp pf = e.lowered().plan(160).op("L1.prefetch");
            assertEquals("l2_prefetch", pf.impl().name());
            for (int size : cfg.sizes().sizes()) e.capture(size);
            CudaGraph.Topology t16 = e.graphTopology(16), t64 = e.graphTopology(64), t160 = e.graphTopology(160);
            assertTrue(t16.widestLevel() >= 2, "bucket 16 graph has no parallel branch: " + t16);
            assertTrue(t160.widestLevel() >= 2, "bucket 160 graph has no parallel branch: " + t160);
            assertEquals(1, t64.widestLevel(), "bucket 64 has no side op: one chain " + t64);
            // one node per launch (the prefetch ops included) and no copy node: build_tile_map reads the metadata from
            // pinned memory, argmax writes the first tokens there
            assertEquals(e.lowered().plan(16).launchCount(), t16.nodes(), "nodes of bucket 16: " + t16);
            assertEquals(e.lowered().plan(64).launchCount(), t64.nodes(), "nodes of bucket 64: " + t64);
            for (int i = 0; i < batches.size(); i++) {
                String what = "prefetch on, split " + Arrays.toString(splits.get(i));
                Out g = Out.of(e, batches.get(i), true);
                Out x = Out.of(e, batches.get(i), false);
                x.assertSame(g, what + " graph vs eager");
                withPrefetch.add(g);
            }
        }
        try (PrefillEngine e = PrefillEngine.open(cfg, 0, EngineOptions.DEFAULT.withChoices(ImplChoices.none()))) {
            for (int size : cfg.sizes().sizes()) e.capture(size);
            for (int i = 0; i < batches.size(); i++) {
                String what = "prefetch off vs on, split " + Arrays.toString(splits.get(i));
                withPrefetch.get(i).assertSame(Out.of(e, batches.get(i), true), what + " (graph)");
                withPrefetch.get(i).assertSame(Out.of(e, batches.get(i), false), what + " (eager)");
            }
        }
    }

    /**
     * cuBLASLt for qkv at bucket 64, gate_up at 128 and the LM head at 16 (tiny model, bias and
     * untied head too): graph == eager bit for bit, logits within tolerance of the CPU reference in
     * both modes, the heuristic's pick is recorded, and pinning that recorded algorithm in a second
     * engine (the measurements row's {@code algo}) reproduces every bit.
     */
    @Test
    void cublasLtAtSomeBucketsGraphEqualsEagerAndMatchesTheReference() {
        GpuAssumptions.assumeGpu();
        for (String preset : new String[] {"tiny", "tiny-bias"}) {
            EngineConfig cfg = EngineTestSupport.config(preset, "16,64,128", 8, 512);
            ModelConfig m = cfg.model();
            List<String> ops = List.of("L0.qkv", "L1.gate_up", "lm_head");
            int[][] shape = {{m.qkvDim(), m.hidden(), 64}, {2 * m.ffn(), m.hidden(), 128}, {m.vocab(), m.hidden(), 8}};
            int[] bucket = {64, 128, 16};
            List<ImplChoices.GemmRow> rows = new ArrayList<>();
            for (int[] s : shape) rows.add(new ImplChoices.GemmRow(s[0], s[1], s[2], 0, "cublaslt_gemm", 0, "test"));
            List<int[]> splits = splits(cfg, 40, 64128);
            List<List<SeqInput>> batches = new ArrayList<>();
            Random tok = new Random(11);
            for (int[] lens : splits) batches.add(EngineTestSupport.batch(tok, lens, m.vocab()));
            List<Out> first = new ArrayList<>();
            List<Map<String, String>> pinned = new ArrayList<>();
            try (PrefillEngine e = PrefillEngine.open(cfg, 0, EngineOptions.DEFAULT.withChoices(new ImplChoices(TEST, rows, List.of(), List.of())))) {
                for (int i = 0; i < ops.size(); i++) {
                    assertEquals("cublaslt_gemm", e.lowered().plan(bucket[i]).op(ops.get(i)).impl().name(), preset + " " + ops.get(i));
                    String algo = e.pinnedAlgorithms(bucket[i]).get(ops.get(i));
                    assertNotNull(algo, preset + ": no algorithm pinned for " + ops.get(i) + " at " + bucket[i]);
                }
                assertEquals("gemm_bf16_stream_m16", e.lowered().plan(16).op("L0.qkv").impl().name());
                for (int size : cfg.sizes().sizes()) pinned.add(e.pinnedAlgorithms(size));
                for (int size : cfg.sizes().sizes()) e.capture(size);
                for (int i = 0; i < batches.size(); i++) {
                    String what = preset + " cuBLASLt rows, split " + Arrays.toString(splits.get(i));
                    Out g = Out.of(e, batches.get(i), true);
                    Out.of(e, batches.get(i), false).assertSame(g, what + " graph vs eager");
                    first.add(g);
                }
                CpuReference ref = new CpuReference(m, cfg.seed());
                PrefillRunner runner = new PrefillRunner(e, PaddingGuard.DEFAULT);
                Random rnd = new Random(5);
                for (int trial = 0; trial < 4; trial++) {
                    List<int[]> prompts = new ArrayList<>();
                    int n = 1 + rnd.nextInt(5);
                    for (int i = 0; i < n; i++) prompts.add(EngineTestSupport.randomTokens(rnd, 1 + rnd.nextInt(120), m.vocab()));
                    EngineTestSupport.assertMatchesReference(e, runner, ref, prompts, false, preset);
                }
            }
            // the recorded algorithms pinned by measurement rows: the same bits again
            List<ImplChoices.GemmRow> pinnedRows = new ArrayList<>();
            for (int i = 0; i < shape.length; i++) {
                int sizeIndex = cfg.sizes().asList().indexOf(bucket[i]);
                String algo = pinned.get(sizeIndex).get(ops.get(i));
                int[] s = shape[i];
                pinnedRows.add(new ImplChoices.GemmRow(s[0], s[1], s[2], 0, "cublaslt_gemm", 0, "test", algo));
            }
            try (PrefillEngine e = PrefillEngine.open(cfg, 0, EngineOptions.DEFAULT.withChoices(new ImplChoices(TEST, pinnedRows, List.of(), List.of())))) {
                for (int i = 0; i < ops.size(); i++) {
                    assertEquals(pinnedRows.get(i).algo(), e.pinnedAlgorithms(bucket[i]).get(ops.get(i)), preset + " " + ops.get(i) + " pinned from the row");
                }
                for (int size : cfg.sizes().sizes()) e.capture(size);
                for (int i = 0; i < batches.size(); i++) {
                    String what = preset + " algo from the row, split " + Arrays.toString(splits.get(i));
                    first.get(i).assertSame(Out.of(e, batches.get(i), true), what + " (graph)");
                    first.get(i).assertSame(Out.of(e, batches.get(i), false), what + " (eager)");
                }
            }
        }
    }
}
