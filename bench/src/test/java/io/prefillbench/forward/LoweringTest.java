package io.prefillbench.forward;

import io.prefillbench.plan.GemmTiling;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.prefillbench.forward.ForwardTestSupport.choices;
import static io.prefillbench.forward.ForwardTestSupport.lower;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LoweringTest {
    @Test
    void kernelsPerLayerAtBuckets16And512() {
        LoweredForward f = lower("ernie-4.5-0.3b", "16,512");
        for (int size : new int[] {16, 512}) {
            LoweredPlan p = f.plan(size);
            assertEquals(9, p.launchesPerLayer(0), "size " + size);
            assertEquals(9, p.launchesPerLayer(17), "size " + size);
            // embed, tile map, 18 x 9, final norm, LM head, argmax
            assertEquals(167, p.launchCount(), "size " + size);
        }
    }

    @Test
    void gemmChoiceFollowsTheRuleFromTheKeyOnly() {
        LoweredForward f = lower("ernie-4.5-0.3b", "16,512");
        assertEquals(8, f.plan(16).op("L0.qkv").splits()); // qkv splits 8 ways at 16 ...
        assertEquals(4, f.plan(512).op("L0.qkv").splits()); // ... and 4 at 512: bucket-invariant, not batch-invariant
        for (LoweredPlan p : f.all()) {
            for (LoweredOp o : p.ops()) {
                if (o.op().kind() != OpKind.GEMM) continue;
                GemmTiling.Choice c = GemmTiling.choose(o.op().n(), o.op().k(), p.key().capacity(o.op().rows()), 132);
                assertEquals(c.kernel(), o.impl().kernel(), o.op().name());
                assertEquals(c.splits(), o.splits(), o.op().name());
            }
        }
    }

    @Test
    void splitKPartialsAreSummedByTheirConsumerOrReduced() {
        LoweredPlan p = lower("ernie-4.5-0.3b", "16").plan(16);
        LoweredOp qkv = p.op("L0.qkv"), rope = p.op("L0.rope_kv");
        assertEquals("splitk.qkv", qkv.op().out("c"));
        assertEquals("splitk.qkv", rope.op().in("qkv"));
        assertEquals(ForwardProgram.QKV, rope.op().out("qkv"));
        assertEquals(qkv.splits(), rope.partialSplits());
        assertEquals(16, rope.partialRows());
        // argmax cannot read partials: forcing a split LM head inserts splitk_reduce
        ImplChoices split = choices(List.of(new ImplChoices.GemmRow(103424, 1024, 16, 90, "gemm_bf16", 2, "test")), List.of(), List.of());
        LoweredPlan q = ForwardTestSupport.lower("ernie-4.5-0.3b", "16", 32, 132, ImplRegistry.standard(), split).plan(16);
        LoweredOp reduce = q.op("lm_head.reduce");
        assertEquals(OpKind.SPLITK_REDUCE, reduce.op().kind());
        assertEquals(ForwardProgram.LOGITS, reduce.op().out("c"));
        assertEquals(2, reduce.partialSplits());
        assertEquals(168, q.launchCount());
    }

    @Test
    void alternativeGemmIsSelectedPerBucketFromTheMeasurementsFile() {
        ImplChoices c = choices(List.of(new ImplChoices.GemmRow(103424, 1024, 32, 90, "cublaslt_gemm", 0, "test")), List.of(), List.of());
        LoweredForward f = ForwardTestSupport.lower("ernie-4.5-0.3b", "16,512", 32, 132, ImplRegistry.standard(), c);
        assertEquals("cublaslt_gemm", f.plan(512).op("lm_head").impl().name()); // seq capacity 32 at 512
        assertNull(f.plan(512).op("lm_head").grid());
        assertEquals("gemm_bf16", f.plan(16).op("lm_head").impl().name()); // seq capacity 16: no row
        // an unknown implementation and a non-GEMM are rejected
        ImplChoices bad = choices(List.of(new ImplChoices.GemmRow(103424, 1024, 16, 90, "no_such_gemm", 0, "test")), List.of(), List.of());
        assertThrows(IllegalArgumentException.class, () -> ForwardTestSupport.lower("ernie-4.5-0.3b", "16", 32, 132, ImplRegistry.standard(), bad));
        // another arch does not match
        ImplChoices sm80 = choices(List.of(new ImplChoices.GemmRow(103424, 1024, 32, 80, "cublaslt_gemm", 0, "test")), List.of(), List.of());
        assertEquals("gemm_bf16", ForwardTestSupport.lower("ernie-4.5-0.3b", "512", 32, 132, ImplRegistry.standard(), sm80)
                .plan(512).op("lm_head").impl().name());
    }

    @Test
    void fusionRewriteIsSelectedPerBucket() {
        ImplChoices c = choices(List.of(), List.of(new ImplChoices.FusionRow("silu_into_gate_up", 512, 90, "test")), List.of());
        LoweredForward f = ForwardTestSupport.lower("ernie-4.5-0.3b", "16,512", 32, 132, ForwardTestSupport.withFusedSilu(false), c);
        LoweredPlan big = f.plan(512), small = f.plan(16);
        assertEquals(8, big.launchesPerLayer(0));
        LoweredOp gu = big.op("L0.gate_up");
        assertEquals("gemm_silu_test", gu.impl().name());
        assertEquals(List.of("L0.silu_mul"), gu.fused());
        assertEquals(ForwardProgram.ACT, gu.op().out("c"));
        assertEquals(1, gu.splits());
        assertTrue(big.ops().stream().noneMatch(o -> o.op().kind() == OpKind.SILU_MUL));
        assertEquals(9, small.launchesPerLayer(0));
        assertEquals("silu_mul", small.op("L0.silu_mul").impl().name());
    }

    @Test
    void splitKIsRefusedForANonLinearEpilogue() {
        // the measurements file asks for 2 splits of gate_up at 512 while the SiLU fusion is on
        ImplChoices c = choices(List.of(new ImplChoices.GemmRow(6144, 1024, 512, 90, "gemm_bf16_large", 2, "test")),
                List.of(new ImplChoices.FusionRow("silu_into_gate_up", 512, 90, "test")), List.of());
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> ForwardTestSupport.lower("ernie-4.5-0.3b", "512", 32, 132, ForwardTestSupport.withFusedSilu(false), c));
        assertTrue(e.getMessage().contains("split-K 2 refused"), e.getMessage());
        // the same request on an implementation that declares a linear epilogue is lowered (what the check guards)
        LoweredPlan p = ForwardTestSupport.lower("ernie-4.5-0.3b", "512", 32, 132, ForwardTestSupport.withFusedSilu(true), c).plan(512);
        assertEquals(2, p.op("L0.gate_up").splits());
    }

    @Test
    void l2PrefetchRunsOnASideBranchWhenSwitchedOn() {
        ImplChoices c = choices(List.of(), List.of(), List.of(new ImplChoices.KeyRow(16, 90, "test")));
        LoweredForward f = ForwardTestSupport.lower("tiny", "16,64", 8, 132, ForwardTestSupport.withPrefetch(), c);
        int layers = f.program().dims().layers();
        List<LoweredOp> side = f.plan(16).ops().stream().filter(o -> o.stream() != 0).toList();
        assertEquals(layers - 1, side.size());
        LoweredOp first = side.getFirst();
        assertEquals("L1.prefetch", first.op().name());
        assertEquals("tile_map", first.forkAfter());
        assertEquals("L1.input_norm", first.joinBefore());
        assertTrue(first.op().weights().containsValue("layers.1.qkv.weight") || !first.op().weights().isEmpty());
        assertTrue(f.plan(64).ops().stream().allMatch(o -> o.stream() == 0), "off where the file has no row");
        // switched on without an implementation: refused with a reason
        ImplRegistry none = new ImplRegistry(ImplRegistry.standard().impls().stream().filter(i -> i.kind() != OpKind.L2_PREFETCH).toList(),
                ImplRegistry.standard().fusions());
        assertThrows(IllegalStateException.class, () -> ForwardTestSupport.lower("tiny", "16", 8, 132, none, c));
    }

    @Test
    void standardPrefetchTouchesTheNextLayersGemmWeightsWithFewBlocks() {
        ImplChoices c = choices(List.of(), List.of(), List.of(new ImplChoices.KeyRow(16, 90, "test")));
        LoweredPlan p = ForwardTestSupport.lower("ernie-4.5-0.3b", "16", 16, 132, ImplRegistry.standard(), c).plan(16);
        LoweredOp pf = p.op("L5.prefetch");
        assertEquals("l2_prefetch", pf.impl().name());
        assertEquals(1, pf.stream());
        assertTrue(pf.impl().attrs().isEmpty(), "no PDL on the side branch: " + pf.impl().attrs());
        assertEquals(4, pf.op().weights().size());
        assertTrue(pf.op().weights().values().stream().allMatch(w -> w.equals(p.op("L5.qkv").op().weight("weight"))
                || w.equals(p.op("L5.o").op().weight("weight")) || w.equals(p.op("L5.gate_up").op().weight("weight"))
                || w.equals(p.op("L5.down").op().weight("weight"))), pf.op().weights().toString());
        assertTrue(pf.op().weights().size() <= KernelConstants.PREFETCH_MAX_TENSORS);
        int[] g = pf.grid().atCapacity(p.key());
        assertTrue(g[0] >= 8 && g[0] <= 16 && g[1] == 1 && g[2] == 1, "few blocks: " + java.util.Arrays.toString(g));
        // fork after the last op before layer 4, join before layer 5's first op
        assertEquals("L3.down", pf.forkAfter());
        assertEquals("L5.input_norm", pf.joinBefore());
        assertEquals(17, p.ops().stream().filter(o -> o.stream() == 1).count());
        assertEquals(167 + 17, p.launchCount());
    }

    @Test
    void cublasLtRowPinsItsAlgorithmAndTheDumpRecordsIt() {
        String algo = "id=66 tile=20 stages=35 splitK=1 reduction=0 swizzle=0 custom=0 inner=0 cluster=0";
        ImplChoices c = choices(List.of(new ImplChoices.GemmRow(1280, 1024, 16, 90, "cublaslt_gemm", 0, "test", algo),
                new ImplChoices.GemmRow(1024, 1024, 16, 90, "cublaslt_gemm", 0, "test")), List.of(), List.of());
        LoweredForward f = ForwardTestSupport.lower("ernie-4.5-0.3b", "16", 16, 132, ImplRegistry.standard(), c);
        LoweredPlan p = f.plan(16);
        assertEquals(algo, p.op("L0.qkv").algo());
        assertNull(p.op("L0.o").algo());
        assertEquals(1, p.op("L0.qkv").splits());
        assertTrue(p.op("L0.qkv").describe(p.key()).contains("algo=[" + algo + "]"), p.op("L0.qkv").describe(p.key()));
        String dump = OpDump.of(f);
        String qkv = dump.lines().filter(l -> l.contains(" op=L0.qkv ")).findFirst().orElseThrow();
        assertTrue(qkv.endsWith(" algo=" + algo.replace(' ', ',')), qkv);
        String o = dump.lines().filter(l -> l.contains(" op=L0.o ")).findFirst().orElseThrow();
        assertTrue(o.endsWith(" algo=heuristic"), o);
        String gu = dump.lines().filter(l -> l.contains(" op=L0.gate_up ")).findFirst().orElseThrow();
        assertTrue(gu.endsWith(" fork=- join=- algo=-"), gu);
        // the dumped form reads back as the same algorithm
        assertEquals(io.prefillbench.cuda.CublasLtMatmul.Algo.parse(algo),
                io.prefillbench.cuda.CublasLtMatmul.Algo.parse(qkv.substring(qkv.indexOf(" algo=") + 6).replace(',', ' ')));
        // an algo on one of our kernels, or a malformed one, is refused at lowering
        ImplChoices onKernel = choices(List.of(new ImplChoices.GemmRow(1280, 1024, 16, 90, "gemm_bf16", 0, "test", algo)), List.of(), List.of());
        assertThrows(IllegalArgumentException.class, () -> ForwardTestSupport.lower("ernie-4.5-0.3b", "16", 16, 132, ImplRegistry.standard(), onKernel));
        ImplChoices bad = choices(List.of(new ImplChoices.GemmRow(1280, 1024, 16, 90, "cublaslt_gemm", 0, "test", "id=66 tile=20")), List.of(), List.of());
        assertThrows(IllegalArgumentException.class, () -> ForwardTestSupport.lower("ernie-4.5-0.3b", "16", 16, 132, ImplRegistry.standard(), bad));
    }

    @Test
    void gemmRowsReadWithAndWithoutAnAlgo() {
        ImplChoices c = ImplChoices.parse("""
                {"provenance": {"card": "c", "date": "d", "source": "results/x", "note": "n"},
                 "gemm": [{"n": 1280, "k": 1024, "m": 16, "arch": 90, "impl": "cublaslt_gemm", "splits": 0, "source": "s",
                           "algo": "id=1 tile=2 stages=3 splitK=1 reduction=0 swizzle=0 custom=0 inner=0 cluster=0"},
                          {"n": 1024, "k": 1024, "m": 16, "arch": 90, "impl": "cublaslt_gemm", "splits": 0, "source": "s"}],
                 "fusions": [], "l2Prefetch": [{"m": 16, "arch": 90, "source": "unmeasured"}]}""");
        assertEquals("id=1 tile=2 stages=3 splitK=1 reduction=0 swizzle=0 custom=0 inner=0 cluster=0", c.gemm().get(0).algo());
        assertNull(c.gemm().get(1).algo());
        assertEquals(1, c.l2Prefetch().size());
        assertTrue(c.l2Prefetch().get(0).enabled(), "a row without \"on\" switches the op on");
    }

    @Test
    void bundledMeasurementsFileHasProvenance() {
        ImplChoices b = ImplChoices.bundled();
        assertTrue(b.provenance().source().contains("results/"), b.provenance().source());
        assertTrue(b.l2Prefetch().stream().noneMatch(ImplChoices.KeyRow::enabled), "L2 prefetch is off until measured: " + b.l2Prefetch());
        assertTrue(b.l2Prefetch().stream().anyMatch(r -> r.m() == 16 && r.arch() == 90), "bucket 16 listed as a candidate");
        LoweredForward f = ForwardTestSupport.lower("ernie-4.5-0.3b", "16,512", 32, 132, ImplRegistry.standard(), b);
        assertTrue(f.all().stream().allMatch(p -> p.ops().stream().allMatch(o -> o.stream() == 0)), "no side op from the bundled file");
        // the same rows flipped on switch the side branch on
        ImplChoices flipped = choices(List.of(), List.of(), b.l2Prefetch().stream()
                .map(r -> new ImplChoices.KeyRow(r.m(), r.arch(), true, r.source())).toList());
        assertTrue(ForwardTestSupport.lower("ernie-4.5-0.3b", "16", 32, 132, ImplRegistry.standard(), flipped).plan(16)
                .ops().stream().anyMatch(o -> o.stream() == 1));
    }
}
