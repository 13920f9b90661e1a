package io.prefillbench.forward;

import io.prefillbench.bindings.kernels.GemmNormIn;
import io.prefillbench.bindings.kernels.GemmNormParams;
import io.prefillbench.bindings.kernels.GemmParams;
import io.prefillbench.bindings.kernels.GemmRopeNormParams;
import io.prefillbench.bindings.kernels.RopeKvParams;
import io.prefillbench.cuda.CublasLtMatmul;
import io.prefillbench.cuda.Kernel;
import io.prefillbench.model.WeightSpec;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import static io.prefillbench.forward.ForwardTestSupport.lower;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * norm_into_gemms (v67, {@link Lowering#foldNorms}): where a fusion row switches it on, each add_rmsnorm between two half-width
 * 16-row streaming GEMMs goes; the GEMM before it adds into the residual stream in place, the GEMM after it norms in its
 * prologue. ERNIE-4.5-0.3B's layer GEMMs run those kernels at 1..16 with the bundled rows.
 */
class NormIntoGemmsTest {
    static final String N32 = "gemm_bf16_stream_m16_n32", RESADD = N32 + "_resadd";
    private static final int LAYERS = 18;

    /** The candidate row of results/h200-ab-20261130/s26/choices-nf16.json ({@code batch}: null or "prefill"). */
    static ImplChoices.FusionRow row(String batch) {
        return new ImplChoices.FusionRow(ImplRegistry.NORM_INTO_GEMMS, 1, 90, "test", 16, null, null, null, batch);
    }

    /** {@code base} with {@code gemm} rows first (an exact row beats the bundled range rows) and {@code fusions} appended. */
    static ImplChoices with(ImplChoices base, List<ImplChoices.GemmRow> gemm, List<ImplChoices.FusionRow> fusions) {
        List<ImplChoices.GemmRow> g = new ArrayList<>(gemm);
        g.addAll(base.gemm());
        List<ImplChoices.FusionRow> f = new ArrayList<>(base.fusions());
        f.addAll(fusions);
        return new ImplChoices(base.provenance(), g, f, base.l2Prefetch(), base.persistentLayers(), base.attention(), base.prefetchAhead());
    }

    static ImplChoices nf16() {
        return with(ImplChoices.bundled(), List.of(), List.of(row(null)));
    }

    private static LoweredForward ernie(ImplChoices c) {
        return lower("ernie-4.5-0.3b", "16,32", 16, 132, ImplRegistry.standard(), c);
    }

    private static List<String> describe(LoweredPlan p) {
        return p.ops().stream().map(o -> o.describe(p.key()) + " " + o.op()).toList();
    }

    @Test
    void erniesNormsFoldIntoTheGemmsAroundThemAtSixteen() {
        LoweredForward before = ernie(ImplChoices.bundled());
        LoweredForward f = ernie(nf16());
        LoweredPlan p = f.plan(16);
        List<LoweredOp> norms = p.ops().stream().filter(o -> o.op().kind() == OpKind.ADD_RMSNORM).toList();
        assertEquals(List.of("L0.input_norm"), norms.stream().map(o -> o.op().name()).toList(), "only layer 0's input norm (no x) stays");
        for (int l = 0; l < LAYERS; l++) {
            WeightSpec.LayerNames w = WeightSpec.layer(l);
            String at = "L" + l + ".";
            LoweredOp o = p.op(at + "o");
            assertEquals(RESADD, o.impl().name(), at + "o");
            assertEquals(ForwardProgram.RESIDUAL, o.op().out("c"), at + "o writes the residual");
            assertEquals(ForwardProgram.RESIDUAL, o.op().in("residual"), at + "o reads the residual");
            assertEquals(List.of(), o.fused());
            LoweredOp gu = p.op(at + "gate_up");
            assertEquals(N32 + "_silu_norm", gu.impl().name(), at + "gate_up");
            assertEquals(ForwardProgram.RESIDUAL, gu.op().in("a"));
            assertEquals(w.postNorm(), gu.op().weight("norm"));
            assertEquals(List.of(at + "silu_mul", at + "post_norm"), gu.fused());
            assertEquals(1, gu.splits());
            LoweredOp qkv = p.op(at + "qkv");
            LoweredOp down = p.op(at + "down");
            if (l == 0) {
                assertEquals(N32 + "_rope", qkv.impl().name(), "layer 0's qkv reads the normed embedding as before");
                assertEquals(ForwardProgram.HIDDEN, qkv.op().in("a"));
                assertNull(qkv.op().weight("norm"));
            } else {
                assertEquals(N32 + "_rope_norm", qkv.impl().name(), at + "qkv");
                assertEquals(ForwardProgram.RESIDUAL, qkv.op().in("a"));
                assertEquals(w.inputNorm(), qkv.op().weight("norm"));
                assertEquals(List.of(at + "rope_kv", at + "input_norm"), qkv.fused());
                assertNotNull(qkv.op().out("partial"), "the rope fixup's workspace as _n32_rope's");
            }
            if (l < LAYERS - 1) {
                assertEquals(RESADD, down.impl().name(), at + "down");
                assertEquals(ForwardProgram.RESIDUAL, down.op().out("c"));
            } else {
                assertEquals(N32, down.impl().name(), "the last down feeds final_norm_gather");
                assertEquals(down.op().out("c"), p.op("final_norm").op().in("x"));
                assertEquals(down.splits(), p.op("final_norm").partialSplits());
            }
        }
        assertEquals(before.plan(16).launchCount() - (2 * LAYERS - 1), p.launchCount(), "35 launches fewer");
        assertEquals(before.plan(16).launchesPerLayer(5) - 2, p.launchesPerLayer(5));
        // split: the resadd form through the fixup, its fp32 workspace and one counter per 32-column tile
        LoweredOp o = p.op("L3.o");
        assertEquals(8, o.splits());
        assertEquals("splitk.o", o.op().out("partial"));
        assertArrayEquals(new int[] {1024 / 32, 1, 8}, o.grid().atCapacity(p.key()));
        assertTrue(o.impl().splitFixup());
        assertTrue(f.layout().slice(ForwardProgram.TILE_COUNTERS).bytes() >= 4L * 1024 / 32, "n / 32 counters");
        assertEquals(KernelConstants.GEMM_STREAM_N32_NORM_SMEM_M16, p.op("L3.qkv").impl().dynamicSmem());
        assertEquals(KernelConstants.GEMM_STREAM_N32_SMEM_M16, o.impl().dynamicSmem());
        // a folded norm's time counts to the GEMMs that took it over (the profile's families by op name)
        assertEquals(io.prefillbench.profile.OpFamily.O_GEMM, io.prefillbench.profile.OpFamily.of(o));
        assertEquals(io.prefillbench.profile.OpFamily.GATE_UP_GEMM, io.prefillbench.profile.OpFamily.of(p.op("L3.gate_up")));
        assertEquals(io.prefillbench.profile.OpFamily.QKV_GEMM, io.prefillbench.profile.OpFamily.of(p.op("L3.qkv")));
        // 32 is outside the row: unchanged
        assertEquals(describe(before.plan(32)), describe(f.plan(32)));
        assertEquals(List.of(), LayoutCheck.violations(f.everyPlan(), f.layout()));
    }

    /** The decode graph at 16 folds too: its qkv on the plain half-width kernel takes the plain norm form, rope stays its own op. */
    @Test
    void theDecodeGraphFoldsOntoItsPlainQkv() {
        LoweredForward f = ernie(nf16());
        LoweredPlan d = f.decodePlan(16).orElseThrow();
        for (int l = 1; l < LAYERS; l++) {
            LoweredOp qkv = d.op("L" + l + ".qkv");
            assertEquals(N32 + "_norm", qkv.impl().name());
            assertEquals(List.of("L" + l + ".input_norm"), qkv.fused());
            assertEquals(WeightSpec.layer(l).inputNorm(), qkv.op().weight("norm"));
            LoweredOp rope = d.op("L" + l + ".rope_kv");
            assertEquals("rope_kv_write", rope.impl().name());
            assertEquals(qkv.splits(), rope.partialSplits(), "the norm form's partials feed rope as the plain kernel's did");
            assertEquals(4, qkv.splits());
            assertEquals(RESADD, d.op("L" + l + ".o").impl().name());
        }
        assertEquals(List.of("L0.input_norm"), d.ops().stream().filter(o -> o.op().kind() == OpKind.ADD_RMSNORM).map(o -> o.op().name()).toList());
        // the row scoped to the plain graph leaves the decode graph as the bundled rows have it
        LoweredForward p = ernie(with(ImplChoices.bundled(), List.of(), List.of(row(ImplChoices.FusionRow.PREFILL))));
        assertEquals(describe(ernie(ImplChoices.bundled()).decodePlan(16).orElseThrow()), describe(p.decodePlan(16).orElseThrow()));
        assertEquals(N32 + "_rope_norm", p.plan(16).op("L1.qkv").impl().name());
    }

    /** Without the row (or with one for another arch) every plan is the bundled one; the pass alone returns its input. */
    @Test
    void withoutTheRowNothingChanges() {
        for (String preset : List.of("ernie-4.5-0.3b", "llama-3.2-1b", "tiny")) {
            LoweredForward plain = lower(preset, "16,32,64,512", 16, 132, ImplRegistry.standard(), ImplChoices.bundled());
            ImplChoices otherArch = with(ImplChoices.bundled(), List.of(),
                    List.of(new ImplChoices.FusionRow(ImplRegistry.NORM_INTO_GEMMS, 1, 100, "test", 16, null)));
            LoweredForward other = lower(preset, "16,32,64,512", 16, 132, ImplRegistry.standard(), otherArch);
            for (int size : new int[] {16, 32, 64, 512}) assertEquals(describe(plain.plan(size)), describe(other.plan(size)), preset + " " + size);
            assertEquals(plain.decodePlans().keySet(), other.decodePlans().keySet());
            LoweredPlan p = plain.plan(16);
            assertSame(p.ops(), Lowering.foldNorms(p.ops(), p.key(), ImplRegistry.standard(), ImplChoices.bundled(), plain.program().dims()));
        }
        LoweredPlan ernie16 = ernie(ImplChoices.bundled()).plan(16);
        assertEquals(2 * LAYERS, ernie16.ops().stream().filter(o -> o.op().kind() == OpKind.ADD_RMSNORM).count());
    }

    /**
     * Models whose GEMMs at 16 run other kernels (tiny and Llama-3.2-1B on the plain streaming kernel, Llama's norms on the
     * 256-thread form): the row changes nothing and refuses nothing.
     */
    @Test
    void modelsOffTheHalfWidthKernelsStayAsTheyAre() {
        for (String preset : List.of("llama-3.2-1b", "tiny", "tiny-bias")) {
            LoweredForward plain = lower(preset, "16,32", 16, 132, ImplRegistry.standard(), ImplChoices.bundled());
            LoweredForward f = lower(preset, "16,32", 16, 132, ImplRegistry.standard(), with(ImplChoices.bundled(), List.of(), List.of(row(null))));
            for (int size : new int[] {16, 32}) assertEquals(describe(plain.plan(size)), describe(f.plan(size)), preset + " " + size);
            assertTrue(f.everyPlan().stream().flatMap(p -> p.ops().stream()).noneMatch(o -> ImplRegistry.NORM_FOLD_FORMS.contains(o.impl().name())),
                    preset);
        }
    }

    /**
     * The pass on the ops it sees (the lowering up to it), with one triple planted off the rule each time: a norm on the
     * 256-thread kernel, a producer on another kernel, a consumer with no norm form. Only that triple stays.
     */
    @Test
    void aTripleOffTheRuleStaysQuietly() {
        LoweredForward f = ernie(nf16());
        ForwardProgram program = f.program();
        CaptureKey key = f.plan(16).key();
        ImplRegistry r = ImplRegistry.standard();
        List<LoweredOp> ops = beforeFold(program, key, nf16());
        List<LoweredOp> folded = Lowering.foldNorms(ops, key, r, nf16(), program.dims());
        assertEquals(ops.size() - (2 * LAYERS - 1), folded.size(), "every triple but layer 0's input norm folds");

        List<LoweredOp> wide = replace(ops, "L3.post_norm", r.byName("add_rmsnorm_256"));
        List<LoweredOp> w = Lowering.foldNorms(wide, key, r, nf16(), program.dims());
        assertEquals(ops.size() - (2 * LAYERS - 2), w.size());
        assertEquals(N32, find(w, "L3.o").impl().name());
        assertEquals(N32 + "_silu", find(w, "L3.gate_up").impl().name());
        assertEquals(RESADD, find(w, "L3.down").impl().name(), "the next norm still folds");

        List<LoweredOp> other = replace(ops, "L5.down", r.byName("gemm_bf16_stream_m16"));
        List<LoweredOp> o = Lowering.foldNorms(other, key, r, nf16(), program.dims());
        assertEquals("add_rmsnorm", find(o, "L6.input_norm").impl().name());
        assertEquals(N32 + "_rope", find(o, "L6.qkv").impl().name());
        assertEquals(ForwardProgram.BRANCH_OUT, find(o, "L5.down").op().out("c"));

        List<LoweredOp> csum = replace(ops, "L7.qkv", r.byName("gemm_bf16_stream_m16_csum"));
        List<LoweredOp> c = Lowering.foldNorms(csum, key, r, nf16(), program.dims());
        assertEquals("add_rmsnorm", find(c, "L7.input_norm").impl().name());
        assertEquals(N32, find(c, "L6.down").impl().name(), "the producer stays with its norm");
    }

    /** The model limits of the norm prologue (the m16 forms: one chunk per thread): hidden a multiple of 8 up to 1024, k = hidden. */
    @Test
    void theNormPrologueRefusesWhatTheKernelCannotHold() {
        Op qkv = ForwardProgram.of(io.prefillbench.model.Presets.byName("ernie-4.5-0.3b")).ops().stream()
                .filter(o -> o.name().equals("L1.qkv")).findFirst().orElseThrow();
        ForwardProgram.Dims d = ForwardProgram.of(io.prefillbench.model.Presets.byName("ernie-4.5-0.3b")).dims();
        assertNull(ImplRegistry.normRefusal(qkv, 1, d));
        ForwardProgram.Dims wide = new ForwardProgram.Dims(2048, 16, 2, 64, 3072, 1000, 2, false, false, 1e-5f);
        assertTrue(ImplRegistry.normRefusal(qkv, 1, wide).contains("hidden a multiple of 8 and <= 1024"));
        ForwardProgram.Dims odd = new ForwardProgram.Dims(1020, 15, 3, 68, 3072, 1000, 2, false, false, 1e-5f);
        assertTrue(ImplRegistry.normRefusal(qkv, 1, odd).contains("hidden a multiple of 8"));
        Op deep = new Op("L1.qkv", OpKind.GEMM, 1, qkv.reads(), qkv.writes(), qkv.weights(), 1280, 2048, Count.TOKENS);
        assertTrue(ImplRegistry.normRefusal(deep, 2, d).contains("k must be hidden (1024), k is 2048"));
        assertEquals(1024, KernelConstants.GEMM_STREAM_NORM_KMAX);
        assertEquals(98304, KernelConstants.GEMM_STREAM_N32_NORM_SMEM_M16);
    }

    /**
     * At one split the producer stays on the resadd kernel (no unsplit form to move to) and the rope consumer behaves as
     * _n32_rope does (its fixup, its workspace); the forms are fusion targets a GEMM row cannot name and never a default.
     */
    @Test
    void oneSplitAndTheRowsThatCannotNameTheForms() {
        ImplChoices one = with(ImplChoices.bundled(), List.of(new ImplChoices.GemmRow(1024, 1024, 16, 90, N32, 1, "test"),
                new ImplChoices.GemmRow(1280, 1024, 16, 90, N32, 1, "test", null, null, ImplChoices.FusionRow.PREFILL)), List.of(row(null)));
        LoweredPlan p = ernie(one).plan(16);
        LoweredOp o = p.op("L2.o");
        assertEquals(RESADD, o.impl().name());
        assertEquals(1, o.splits());
        assertArrayEquals(new int[] {32, 1, 1}, o.grid().atCapacity(p.key()));
        LoweredOp qkv = p.op("L2.qkv");
        assertEquals(N32 + "_rope_norm", qkv.impl().name());
        assertEquals(1, qkv.splits());
        assertNotNull(qkv.op().out("partial"));
        LoweredOp unfolded = ernie(with(ImplChoices.bundled(), one.gemm().subList(0, 2), List.of())).plan(16).op("L2.qkv");
        assertEquals(N32 + "_rope", unfolded.impl().name(), "_n32_rope at one split: the same fixup and workspace");
        assertNotNull(unfolded.op().out("partial"));
        ImplRegistry r = ImplRegistry.standard();
        for (String form : ImplRegistry.NORM_FOLD_FORMS) {
            assertTrue(r.fusionTarget(form), form);
            assertFalse(r.byName(form).kind() != OpKind.GEMM, form);
            assertTrue(r.unsplitForm(r.byName(form)).isEmpty(), form);
            var e = assertThrows(IllegalArgumentException.class, () -> ernie(with(ImplChoices.bundled(),
                    List.of(new ImplChoices.GemmRow(1024, 1024, 16, 90, form, 1, "test")), List.of())));
            assertTrue(e.getMessage().contains("a fused implementation, selected through a fusions row only"), e.getMessage());
        }
        assertEquals(4, ImplRegistry.NORM_FOLD_FORMS.size());
        assertTrue(ernie(ImplChoices.bundled()).everyPlan().stream().flatMap(x -> x.ops().stream())
                .noneMatch(x -> ImplRegistry.NORM_FOLD_FORMS.contains(x.impl().name())), "never a default");
    }

    /** The op dump carries what the harness binds the new kernels with: the residual a producer updates, a consumer's norm weight, eps. */
    @Test
    void theDumpNamesTheResidualAndTheNormWeight() {
        LoweredForward f = ernie(nf16());
        String dump = OpDump.of(f);
        assertTrue(dump.lines().anyMatch(l -> l.startsWith("# hidden=1024 ") && l.contains(" eps=" + f.program().dims().eps())), dump.lines().limit(2).toList().toString());
        String o = line(dump, "size=16 ", " op=L1.o ");
        assertTrue(o.contains(" impl=" + RESADD + " kernel=" + RESADD + " "), o);
        assertTrue(o.contains(" pdl=1 residual=residual"), o);
        assertFalse(o.contains(" norm="), o);
        String gu = line(dump, "size=16 ", " op=L1.gate_up ");
        assertTrue(gu.contains(" fused=L1.silu_mul+L1.post_norm "), gu);
        assertTrue(gu.contains(" pdl=1 norm=" + WeightSpec.layer(1).postNorm()), gu);
        assertTrue(gu.contains(" smem=" + KernelConstants.GEMM_STREAM_N32_NORM_SMEM_M16 + " "), gu);
        String qkv0 = line(dump, "size=16 ", " op=L0.qkv ");
        assertFalse(qkv0.contains(" norm=") || qkv0.contains(" residual="), qkv0);
        assertTrue(line(dump, "# decode graph: size=16 ", " op=L4.qkv ").contains(" norm=" + WeightSpec.layer(4).inputNorm()));
        assertTrue(dump.lines().noneMatch(l -> l.startsWith("size=16 ") && l.contains(" op=L1.post_norm ")));
        assertTrue(f.plan(16).op("L1.gate_up").describe(f.plan(16).key()).contains("fused=L1.silu_mul+L1.post_norm"));
    }

    /** The params the binders write, through a context without a GPU; a GEMM not lowered by the pass is refused. */
    @Test
    void theBindersWriteTheNormAndTheResidual() {
        LoweredForward f = ernie(nf16());
        LoweredPlan p = f.plan(16);
        try (Arena arena = Arena.ofConfined()) {
            FakeContext c = new FakeContext(f, p.key(), arena);
            long residual = c.tensor(ForwardProgram.RESIDUAL).address();
            // the producer: GemmParams with c = the residual, the fixup's workspace and counters
            LoweredOp o = p.op("L1.o");
            MemorySegment g = ImplRegistry.resaddParams(c, o);
            assertEquals(residual, GemmParams.c(g).address());
            assertEquals(c.tensor(ForwardProgram.ATTN_OUT).address(), GemmParams.a(g).address());
            assertEquals(c.tensor("splitk.o").address(), GemmParams.partial(g).address());
            assertEquals(c.tensor(ForwardProgram.TILE_COUNTERS).address(), GemmParams.tile_counters(g).address());
            assertEquals(1024, GemmParams.ldc(g));
            assertEquals(8, GemmParams.splits(g));
            assertEquals(16, GemmParams.m(g));
            // the SiLU consumer: a = the residual, ldc = ffn, the post norm's weight and eps
            LoweredOp gu = p.op("L1.gate_up");
            MemorySegment s = ImplRegistry.gemmNormParams(c, gu);
            MemorySegment sg = GemmNormParams.gemm(s);
            assertEquals(residual, GemmParams.a(sg).address());
            assertEquals(c.tensor(ForwardProgram.ACT).address(), GemmParams.c(sg).address());
            assertEquals(3072, GemmParams.ldc(sg));
            assertEquals(1024, GemmParams.k(sg));
            assertEquals(c.weight(WeightSpec.layer(1).postNorm()).address(), GemmNormIn.weight(GemmNormParams.norm(s)).address());
            assertEquals(f.program().dims().eps(), GemmNormIn.eps(GemmNormParams.norm(s)));
            // the rope consumer: gemm and rope as _n32_rope's, then the input norm
            LoweredOp qkv = p.op("L1.qkv");
            MemorySegment rp = ImplRegistry.gemmRopeNormParams(c, qkv);
            MemorySegment rg = GemmRopeNormParams.gemm(rp), rope = GemmRopeNormParams.rope(rp);
            assertEquals(residual, GemmParams.a(rg).address());
            assertEquals(1280, GemmParams.ldc(rg));
            assertEquals(c.tensor("splitk.qkv").address(), GemmParams.partial(rg).address());
            assertEquals(GemmParams.c(rg).address(), RopeKvParams.qkv(rope).address());
            assertEquals(GemmParams.partial(rg).address(), RopeKvParams.qkv_partial(rope).address());
            assertEquals(qkv.splits(), RopeKvParams.qkv_splits(rope));
            assertEquals(c.tensor(ForwardProgram.kCache(1)).address(), RopeKvParams.k_cache(rope).address());
            assertEquals(c.weight(WeightSpec.layer(1).inputNorm()).address(), GemmNormIn.weight(GemmRopeNormParams.norm(rp)).address());
            assertEquals(f.program().dims().eps(), GemmNormIn.eps(GemmRopeNormParams.norm(rp)));
            // the decode graph's plain norm form: ldc = n, its partials into c's workspace for rope
            LoweredPlan d = f.decodePlan(16).orElseThrow();
            FakeContext dc = new FakeContext(f, d.key(), arena);
            MemorySegment np = ImplRegistry.gemmNormParams(dc, d.op("L1.qkv"));
            assertEquals(1280, GemmParams.ldc(GemmNormParams.gemm(np)));
            assertEquals(dc.tensor(ForwardProgram.RESIDUAL).address(), GemmParams.a(GemmNormParams.gemm(np)).address());
            assertEquals(dc.tensor("splitk.qkv").address(), GemmParams.c(GemmNormParams.gemm(np)).address());
            // planted: the forms on ops the pass did not rewrite
            LoweredOp plainO = ernie(ImplChoices.bundled()).plan(16).op("L1.o");
            LoweredOp asResadd = plainO.withImpl(ImplRegistry.standard().byName(RESADD), plainO.fused());
            var e = assertThrows(IllegalStateException.class, () -> ImplRegistry.resaddParams(c, asResadd));
            assertTrue(e.getMessage().contains("lower it with Lowering.foldNorms"), e.getMessage());
            LoweredOp plainQkv = ernie(ImplChoices.bundled()).decodePlan(16).orElseThrow().op("L1.qkv");
            LoweredOp asNorm = plainQkv.withImpl(ImplRegistry.standard().byName(N32 + "_norm"), plainQkv.fused());
            var n = assertThrows(IllegalStateException.class, () -> ImplRegistry.gemmNormParams(dc, asNorm));
            assertTrue(n.getMessage().contains("binds no norm weight; lower it with Lowering.foldNorms"), n.getMessage());
        }
    }

    /**
     * The candidate files results/h200-ab-20261130/s26/make-choices.py writes: the bundled rows and one norm_into_gemms row at
     * 1..16 for arch 90, for every graph (nf16) or the plain graphs only (nf16p); they lower as the test rows do. They are
     * committed with the results of the run that uses them (ImplChoicesIdentityTest: a committed choices file names its run),
     * so until then they exist only where the script has written them; the test checks them there.
     */
    @Test
    void theCandidateFilesAreTheBundledRowsPlusTheRow() {
        ImplChoices b = ImplChoices.bundled();
        for (String name : List.of("nf16", "nf16p")) {
            java.nio.file.Path file = java.nio.file.Path.of("..", "results", "h200-ab-20261130", "s26", "choices-" + name + ".json");
            org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.exists(file), "run results/h200-ab-20261130/s26/make-choices.py");
            ImplChoices c = ImplChoices.read(file);
            assertEquals(b.gemm(), c.gemm(), name);
            assertEquals(b.attention(), c.attention(), name);
            assertEquals(b.fusions(), c.fusions().subList(0, b.fusions().size()), name);
            assertEquals(b.fusions().size() + 1, c.fusions().size(), name);
            ImplChoices.FusionRow r = c.fusions().getLast();
            assertEquals(new ImplChoices.FusionRow(ImplRegistry.NORM_INTO_GEMMS, 1, 90, r.source(), 16, null, null, null,
                    name.equals("nf16p") ? ImplChoices.FusionRow.PREFILL : null), r, name);
            assertTrue(r.source().startsWith("v67 candidate (s26)"), r.source());
            LoweredForward f = ernie(c);
            assertEquals(describe(ernie(name.equals("nf16") ? nf16() : with(b, List.of(), List.of(row(ImplChoices.FusionRow.PREFILL)))).plan(16)),
                    describe(f.plan(16)), name);
        }
        assertTrue(b.fusions().stream().noneMatch(r -> r.fusion().equals(ImplRegistry.NORM_INTO_GEMMS)), "not bundled: GPU measurements decide");
    }

    /** The lowering's passes up to foldNorms, as {@link Lowering#lower} runs them. */
    static List<LoweredOp> beforeFold(ForwardProgram program, CaptureKey key, ImplChoices c) {
        ImplRegistry r = ImplRegistry.standard();
        List<LoweredOp> ops = Lowering.selectImplementations(program, key, r, c);
        ops = Lowering.oneLaunch(Lowering.persistLayers(ops, program, key, r, c));
        ops = Lowering.dropDeadOps(ops, program);
        ops = Lowering.fuse(ops, key, r, c, program.dims());
        ops = Lowering.foldEmbed(ops, key, r, c);
        return Lowering.foldRopeIntoAttention(ops, key, c, program.dims());
    }

    private static List<LoweredOp> replace(List<LoweredOp> ops, String name, Impl impl) {
        List<LoweredOp> out = new ArrayList<>();
        for (LoweredOp o : ops) out.add(o.op().name().equals(name) ? o.withImpl(impl, o.fused()) : o);
        assertTrue(out.stream().anyMatch(o -> o.impl() == impl), name);
        return out;
    }

    private static LoweredOp find(List<LoweredOp> ops, String name) {
        return ops.stream().filter(o -> o.op().name().equals(name)).findFirst().orElseThrow(() -> new AssertionError("no op " + name));
    }

    private static String line(String dump, String prefix, String op) {
        return dump.lines().filter(l -> l.startsWith(prefix) && l.contains(op)).findFirst().orElseThrow(() -> new AssertionError(prefix + op));
    }

    /** A BindContext without a GPU: each tensor and weight a distinct fake address; kernels and library calls refused. */
    private static final class FakeContext implements BindContext {
        private final LoweredForward f;
        private final CaptureKey key;
        private final Arena arena;
        private final List<String> names = new ArrayList<>();

        FakeContext(LoweredForward f, CaptureKey key, Arena arena) {
            this.f = f;
            this.key = key;
            this.arena = arena;
        }

        private MemorySegment address(String name) {
            if (!names.contains(name)) names.add(name);
            return MemorySegment.ofAddress(0x1000L * (1 + names.indexOf(name)));
        }

        @Override public Arena arena() { return arena; }
        @Override public MemorySegment tensor(String name) { return address("tensor " + name); }
        @Override public MemorySegment weight(String name) { return address("weight " + name); }
        @Override public long weightBytes(String name) { throw new UnsupportedOperationException(); }
        @Override public WeightLayout weightLayout() { return f.weightLayout(); }
        @Override public Kernel kernel(String name) { throw new UnsupportedOperationException("no GPU in this test"); }
        @Override public ForwardProgram.Dims dims() { return f.program().dims(); }
        @Override public CaptureKey key() { return key; }
        @Override public int maxModelLen() { return 2048; }
        @Override public int pagesPerSeq() { return 128; }
        @Override public int multiprocessors() { return 132; }
        @Override public boolean pdl() { return true; }
        @Override public int maxActiveClusters(Impl impl, int size) { throw new UnsupportedOperationException(); }
        @Override public CublasLtMatmul cublasLt(int m, int n, int k, String algo) { throw new UnsupportedOperationException(); }
    }
}
