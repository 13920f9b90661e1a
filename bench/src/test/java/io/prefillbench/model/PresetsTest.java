package io.prefillbench.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prefillbench.BenchException;
import org.junit.jupiter.api.Test;

class PresetsTest {

    @Test
    void defaultComesFirstAndAllValidate() {
        assertEquals(Presets.DEFAULT, Presets.names().getFirst());
        assertEquals(7, Presets.names().size());
        for (Presets.Preset p : Presets.all()) {
            assertEquals(p.name(), p.config().name());
            p.config().validate();
        }
    }

    @Test
    void shapesMatchThePublishedConfigs() {
        ModelConfig e = Presets.byName("ernie-4.5-0.3b");
        assertEquals(1024, e.hidden());
        assertEquals(8, e.group());
        assertTrue(e.tieWordEmbeddings());
        assertFalse(e.qkvBias());

        ModelConfig q = Presets.byName("qwen2.5-0.5b");
        assertTrue(q.qkvBias());
        assertEquals(7, q.group());
        assertEquals(1e-6f, q.rmsNormEps());

        assertEquals(4, Presets.byName("llama-3.2-1b").group());
        assertEquals(5, Presets.byName("tiny-g5").group());
        assertTrue(Presets.preset("ernie-4.5-21b-a3b-attn").description().contains("dense stand-in for the MoE FFN"));

        ModelConfig tb = Presets.byName("tiny-bias");
        assertTrue(tb.qkvBias());
        assertFalse(tb.tieWordEmbeddings());
    }

    @Test
    void unknownNameListsKnownOnes() {
        BenchException ex = assertThrows(BenchException.class, () -> Presets.byName("gpt-5"));
        assertEquals(2, ex.exitCode());
        assertTrue(ex.getMessage().contains("'gpt-5'"), ex.getMessage());
        for (String n : Presets.names()) {
            assertTrue(ex.getMessage().contains(n), ex.getMessage());
        }
    }
}
