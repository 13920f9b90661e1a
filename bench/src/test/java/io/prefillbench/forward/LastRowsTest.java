package io.prefillbench.forward;

import io.prefillbench.model.Presets;
import io.prefillbench.reference.CpuReference;
import io.prefillbench.reference.KvCache;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The last layer on each sequence's last row (v78, {@link ForwardProgram#lastLayerOnLastRows}, {@link Lowering#lastRowsOnly}):
 * on the CPU reference the rewritten program gives the written one's logits bit for bit (fresh prompts, chunked prefill over
 * cached prefixes, decodes), and a rewrite that gathers the wrong tensor does not; lowered where a last_rows row asks, the
 * last layer's o and MLP count sequences and run at the sequence capacity, the buffer layout holds, and other sizes keep
 * the written forward.
 */
class LastRowsTest {
    private static final String ERNIE = "ernie-4.5-0.3b";

    /** Runs the same steps (prompt lengths per step, each continuing its sequence) through {@code program} on a fresh cache. */
    private static List<float[][]> run(CpuReference ref, ForwardProgram program, List<int[][]> steps) {
        KvCache cache = ref.newCache();
        List<KvCache.Sequence> seqs = new ArrayList<>();
        List<float[][]> out = new ArrayList<>();
        for (int[][] step : steps) {
            List<CpuReference.Chunk> chunks = new ArrayList<>();
            for (int s = 0; s < step.length; s++) {
                if (seqs.size() <= s) seqs.add(cache.newSequence());
                if (step[s].length > 0) chunks.add(new CpuReference.Chunk(seqs.get(s), step[s]));
            }
            out.add(ref.prefill(program, cache, chunks).logits());
        }
        return out;
    }

    private static int[] tokens(Random rnd, int len, int vocab) {
        int[] t = new int[len];
        for (int i = 0; i < len; i++) t[i] = rnd.nextInt(vocab);
        return t;
    }

    /** Three steps: fresh prompts of mixed lengths, then chunks continuing some of them, then one-token decodes. */
    private static List<int[][]> steps(Random rnd, int vocab) {
        return List.of(
                new int[][] {tokens(rnd, 7, vocab), tokens(rnd, 1, vocab), tokens(rnd, 20, vocab), tokens(rnd, 3, vocab)},
                new int[][] {tokens(rnd, 5, vocab), tokens(rnd, 0, vocab), tokens(rnd, 12, vocab), tokens(rnd, 1, vocab)},
                new int[][] {tokens(rnd, 1, vocab), tokens(rnd, 1, vocab), tokens(rnd, 1, vocab), tokens(rnd, 1, vocab)});
    }

    @Test
    void theRewrittenProgramGivesTheSameLogitsBitForBitOnTheCpuReference() {
        for (String preset : List.of("tiny", "tiny-bias")) {
            var model = Presets.byName(preset);
            CpuReference ref = new CpuReference(model, 7);
            ForwardProgram written = ForwardProgram.of(model), last = written.lastLayerOnLastRows();
            assertTrue(last.lastRowsOnly());
            assertFalse(written.lastRowsOnly());
            List<int[][]> steps = steps(new Random(78), model.vocab());
            List<float[][]> want = run(ref, written, steps), got = run(ref, last, steps);
            for (int i = 0; i < steps.size(); i++) {
                assertEquals(want.get(i).length, got.get(i).length);
                for (int s = 0; s < want.get(i).length; s++) {
                    assertTrue(Arrays.equals(want.get(i)[s], got.get(i)[s]), preset + " step " + i + " sequence " + s + ": logits differ");
                }
            }
        }
    }

    @Test
    void aGatherOfTheWrongTensorChangesTheLogits() {
        var model = Presets.byName("tiny");
        CpuReference ref = new CpuReference(model, 7);
        ForwardProgram written = ForwardProgram.of(model), last = written.lastLayerOnLastRows();
        // planted: the residual rows gathered from the normed hidden instead of the residual
        List<Op> ops = last.ops().stream().map(o -> o.kind() == OpKind.GATHER_LAST_ROWS ? o.withRead("b", ForwardProgram.HIDDEN) : o).toList();
        ForwardProgram planted = new ForwardProgram(last.dims(), ops, last.tensors());
        List<int[][]> steps = steps(new Random(78), model.vocab());
        float[][] want = run(ref, written, steps).get(0), got = run(ref, planted, steps).get(0);
        boolean anyDiffers = false;
        for (int s = 0; s < want.length; s++) anyDiffers |= !Arrays.equals(want[s], got[s]);
        assertTrue(anyDiffers, "the check must see a gather of the wrong tensor");
    }

    @Test
    void theRewriteMovesTheLastLayersOAndMlpToSequenceRows() {
        ForwardProgram p = ForwardProgram.of(Presets.byName(ERNIE)).lastLayerOnLastRows();
        int last = p.dims().layers() - 1;
        List<String> names = p.ops().stream().map(Op::name).toList();
        String l = "L" + last + ".";
        assertEquals(names.indexOf(l + "attention") + 1, names.indexOf(l + ForwardProgram.GATHER_LAST), "the gather right after the last attention");
        for (String n : List.of(l + "o", l + "post_norm", l + "gate_up", l + "silu_mul", l + "down", "final_norm")) {
            Op o = p.ops().get(names.indexOf(n));
            assertEquals(Count.SEQS, o.rows(), n);
        }
        assertEquals(OpKind.ADD_RMSNORM, p.ops().get(names.indexOf("final_norm")).kind());
        assertEquals(Count.TOKENS, p.ops().get(names.indexOf("L" + (last - 1) + ".down")).rows(), "earlier layers unchanged");
        assertEquals(Count.TOKENS, p.ops().get(names.indexOf(l + "qkv")).rows(), "the last layer's qkv still writes every row's K and V");
        assertThrows(IllegalStateException.class, p::lastLayerOnLastRows, "rewritten once");
    }

    @Test
    void loweredWhereTheRowAsksAtTheSequenceCapacity() {
        ImplChoices rows = ForwardTestSupport.withLastRows(ImplChoices.bundled(), 129, 512);
        LoweredForward f = ForwardTestSupport.lower(ERNIE, "16,128,512", 32, 132, ImplRegistry.standard(), rows);
        LoweredPlan p512 = f.plan(512), p128 = f.plan(128), p16 = f.plan(16);
        assertTrue(p512.program().lastRowsOnly());
        assertFalse(p128.program().lastRowsOnly(), "the row starts at 129");
        assertFalse(p16.program().lastRowsOnly());
        LoweredOp gather = p512.op("L17." + ForwardProgram.GATHER_LAST);
        assertEquals("gather_last_rows", gather.impl().name());
        assertEquals(32, gather.grid().atCapacity(p512.key())[0], "one block per capacity sequence");
        for (String n : List.of("L17.o", "L17.down")) {
            LoweredOp o = p512.op(n);
            assertTrue(o.describe(p512.key()).contains(" m=32"), n + " at the sequence capacity: " + o.describe(p512.key()));
            assertTrue(o.impl().name().startsWith("gemm_bf16_stream_m32"), n + " on a 32-row streaming kernel: " + o.impl().name());
        }
        assertTrue(p512.op("L16.o").describe(p512.key()).contains(" m=512"), "the layer before runs every row");
        // fusion rows are matched at the GEMM's row capacity, as GEMM rows: SiLU fused as at size 32 (17..32's row), not 512's
        assertEquals("gemm_bf16_stream_m32_n32_silu", p512.op("L17.gate_up").impl().name());
        assertTrue(p512.ops().stream().noneMatch(o -> o.op().name().equals("L17.silu_mul")), "silu_mul fused into the last gate_up");
        assertEquals("gemm_bf16_tma_128x192s4_silu", p512.op("L16.gate_up").impl().name(), "512's row for the other layers");
        assertEquals(OpKind.ADD_RMSNORM, p512.op("final_norm").op().kind());
        assertTrue(p512.ops().stream().noneMatch(o -> o.op().kind() == OpKind.FINAL_NORM_GATHER));
        assertEquals(List.of(), LayoutCheck.violations(f.everyPlan(), f.layout()));
        ImplChoices everyRow = ForwardTestSupport.withoutLastRows(ImplChoices.bundled());
        assertEquals(f.plan(128).ops().size(), ForwardTestSupport.lower(ERNIE, "16,128,512", 32, 132, ImplRegistry.standard(),
                everyRow).plan(128).ops().size(), "128 keeps its plan");
        assertTrue(ForwardTestSupport.lower(ERNIE, "16,128,512", 32, 132, ImplRegistry.standard(), ImplChoices.bundled()).plan(128)
                .program().lastRowsOnly(), "the bundled row (33..512) reaches 128");
    }

    @Test
    void theFreshPlansFoldAttentionIntoOInEveryLayerButTheLast() {
        // tiny's bundled attention_into_o row (1..16, fresh) beside a last_rows row at 1..16
        LoweredForward f = ForwardTestSupport.lower("tiny", "16", 16, 132, ImplRegistry.standard(), ForwardTestSupport.withLastRows(ImplChoices.bundled(), 1, 16));
        LoweredPlan fresh = f.freshPlan(16).orElseThrow();
        assertTrue(fresh.program().lastRowsOnly());
        assertEquals(ImplRegistry.GEMM_STREAM_M16_N32_ATTN, fresh.op("L0.o").impl().name());
        assertEquals(OpKind.ATTENTION, fresh.op("L1.attention").op().kind());
        assertEquals(ForwardProgram.LAST_ATTN, fresh.op("L1.o").op().in("a"), "the last o reads the gathered rows");
        assertEquals(List.of(), LayoutCheck.violations(f.everyPlan(), f.layout()));
    }

    @Test
    void refusedBesidePersistentLayers() {
        ImplChoices rows = ForwardTestSupport.withLastRows(ForwardTestSupport.persistentAt(16), 16, 16);
        var e = assertThrows(IllegalStateException.class, () -> ForwardTestSupport.lower(ERNIE, "16", 16, 132, ImplRegistry.standard(), rows));
        assertTrue(e.getMessage().contains("drop one of the two rows"), e.getMessage());
    }
}
