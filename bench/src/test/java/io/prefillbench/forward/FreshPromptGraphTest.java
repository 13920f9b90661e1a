package io.prefillbench.forward;

import io.prefillbench.engine.SeqInput;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A size's fresh-prompt graph (s26): rows scoped {@code "batch": "fresh"} give a size a third plan, lowered for batches
 * without a cached prefix, where they change what the size runs; mixed steps keep the plain plan, uniform decodes the decode
 * plan. The bundled case: ERNIE-4.5-0.3B's attention at 65..128 on the t32 form for fresh prompts only.
 */
class FreshPromptGraphTest {
    private static final CaptureKey PLAIN = new CaptureKey(128, 16, 64, 132, 90);

    @Test
    void theBundledFreshRowGivesErnieAFreshPromptGraphAt65To128Only() {
        LoweredForward f = ForwardTestSupport.lower("ernie-4.5-0.3b", "16,64,80,128,256", 16, 132, ImplRegistry.standard(), ImplChoices.bundled());
        for (int size : new int[] {80, 128}) {
            LoweredPlan plain = f.plan(size), fresh = f.freshPlan(size).orElseThrow();
            assertTrue(fresh.key().fresh() && !plain.key().fresh());
            assertEquals(ImplRegistry.ATTENTION_WG_EARLY_T32, fresh.op("L0.attention").impl().name(), "size " + size);
            assertEquals(ImplRegistry.ATTENTION_WG_EARLY, plain.op("L0.attention").impl().name(), "size " + size);
            assertEquals(32, fresh.key().tileRows());
            assertEquals(64, plain.key().tileRows());
            // every other op is the plain plan's
            for (int i = 0; i < plain.ops().size(); i++) {
                if (plain.ops().get(i).op().kind() == OpKind.ATTENTION) continue;
                assertEquals(plain.ops().get(i).impl().name(), fresh.ops().get(i).impl().name(), plain.ops().get(i).op().name());
            }
            assertTrue(f.decodePlan(size).isEmpty());
        }
        // sizes where the fresh key lowers to the plain plan get no third graph (16 has one: attention_into_o, v74.1)
        for (int size : new int[] {64, 256}) assertTrue(f.freshPlan(size).isEmpty(), "size " + size);
        assertEquals(ImplRegistry.GEMM_STREAM_M16_N32_ATTN, f.freshPlan(16).orElseThrow().op("L0.o").impl().name());
        assertTrue(f.everyPlan().contains(f.freshPlan(128).orElseThrow()), "the engine binds it");
        // without the row: none
        LoweredForward none = ForwardTestSupport.lower("ernie-4.5-0.3b", "80,128", 16, 132, ImplRegistry.standard(), ImplChoices.none());
        assertTrue(none.plans(CaptureKey.Batch.FRESH).isEmpty());
        // the plan report names it
        String dump = OpDump.of(f);
        assertTrue(dump.contains("# fresh-prompt graph: size=128 "), dump.lines().filter(l -> l.startsWith("#")).toList().toString());
    }

    @Test
    void rowsServeTheGraphsTheirBatchNames() {
        CaptureKey decode = PLAIN.forDecode(), fresh = PLAIN.forBatch(CaptureKey.Batch.FRESH);
        for (CaptureKey k : List.of(PLAIN, decode, fresh)) assertTrue(ImplChoices.FusionRow.serves(null, k), "no batch: every graph");
        assertTrue(ImplChoices.FusionRow.serves("prefill", PLAIN));
        assertTrue(ImplChoices.FusionRow.serves("prefill", fresh), "prefill rows serve the fresh-prompt graph too");
        assertFalse(ImplChoices.FusionRow.serves("prefill", decode));
        assertTrue(ImplChoices.FusionRow.serves("fresh", fresh));
        assertFalse(ImplChoices.FusionRow.serves("fresh", PLAIN));
        assertFalse(ImplChoices.FusionRow.serves("fresh", decode));
        assertTrue(ImplChoices.FusionRow.serves("decode", decode));
        assertFalse(ImplChoices.FusionRow.serves("decode", fresh));
        // planted: an unknown batch is refused, naming the three
        var e = assertThrows(IllegalArgumentException.class,
                () -> new ImplChoices.FusionRow("silu_into_gate_up", 128, 90, "test", null, null, null, null, "new"));
        assertTrue(e.getMessage().contains("none of \"decode\", \"prefill\", \"fresh\""), e.getMessage());
        var a = assertThrows(IllegalArgumentException.class,
                () -> new ImplChoices.AttentionRow("attention_prefill_wg_early_t32", 16, 2, 64, 128, null, 90, "test", "prefill"));
        assertTrue(a.getMessage().contains("neither \"decode\" nor \"fresh\""), a.getMessage());
    }

    @Test
    void aFreshAttentionRowWinsOnlyForTheFreshKey() {
        ImplChoices c = new ImplChoices(new ImplChoices.Provenance("test", "-", "-", "-"), List.of(), List.of(), List.of(), List.of(),
                List.of(new ImplChoices.AttentionRow("attention_prefill_wg_early", 16, 2, 64, 17, 512, 90, "plain"),
                        new ImplChoices.AttentionRow("attention_prefill_wg_early_t32", 16, 2, 64, 65, 128, 90, "fresh", "fresh")));
        ForwardProgram.Dims d = ForwardProgram.of(io.prefillbench.model.Presets.byName("ernie-4.5-0.3b")).dims();
        assertEquals("attention_prefill_wg_early", c.attention(PLAIN, d).orElseThrow().impl());
        assertEquals("attention_prefill_wg_early_t32", c.attention(PLAIN.forBatch(CaptureKey.Batch.FRESH), d).orElseThrow().impl());
        assertEquals("attention_prefill_wg_early", c.attention(PLAIN.forDecode(), d).orElseThrow().impl());
        assertTrue(c.scopesByBatch(PLAIN, d));
    }

    @Test
    void aBatchIsFreshWhenNoSequenceHasACachedPrefix() {
        assertTrue(SeqInput.fresh(List.of(new SeqInput(new int[] {1, 2}, 0, 0), new SeqInput(new int[] {3}, 0, 1))));
        assertFalse(SeqInput.fresh(List.of(new SeqInput(new int[] {1, 2}, 0, 0), new SeqInput(new int[] {3}, 5, 1))), "a decode in it");
        assertFalse(SeqInput.fresh(List.of()));
        assertFalse(SeqInput.uniformDecode(List.of(new SeqInput(new int[] {3}, 0, 1))), "a one-token prompt is fresh, not a decode");
    }
}
