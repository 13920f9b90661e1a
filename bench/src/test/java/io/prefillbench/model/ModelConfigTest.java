package io.prefillbench.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prefillbench.BenchException;
import org.junit.jupiter.api.Test;

class ModelConfigTest {

    private static ModelConfig shape(int hidden, int qHeads, int kvHeads, int headDim, int ffn, int vocab) {
        return new ModelConfig("t", hidden, 2, qHeads, kvHeads, headDim, ffn, vocab, 10000, 1e-5f, false, true, 128);
    }

    @Test
    void derivedDimensions() {
        ModelConfig c = Presets.byName("ernie-4.5-21b-a3b-attn");
        assertEquals(5, c.group());
        assertEquals((20 + 8) * 128, c.qkvDim());
        assertEquals(2560, c.attnDim());
        assertEquals(512, c.kvDim());
    }

    @Test
    void paramsCountedByHand() {
        ModelConfig c = Presets.byName("ernie-4.5-0.3b");
        long layer = 1024 + 1280L * 1024 + 1024L * 1024 + 1024 + 6144L * 1024 + 1024L * 3072;
        long expected = 103424L * 1024 + 1024 + 18 * layer;
        assertEquals(expected, c.params());
        assertEquals(2 * expected, c.weightBytes());

        ModelConfig untied = Presets.byName("tiny-bias");
        ModelConfig tied = Presets.byName("tiny");
        // untied head adds vocab*hidden; the bias adds qkvDim per layer
        assertEquals(tied.params() + 512L * 256 + 2L * 512, untied.params());
    }

    @Test
    void acceptsSupportedShapes() {
        shape(256, 4, 2, 64, 512, 512).validate();
        shape(640, 5, 1, 128, 1024, 1024).validate();
        shape(4096, 64, 1, 64, 512, 512).validate(); // group 64 is the limit
    }

    @Test
    void rejectsUnsupportedShapes() {
        assertMessage(shape(256, 4, 2, 96, 512, 512), "head dim 96");
        assertMessage(shape(256, 5, 2, 64, 512, 512), "q heads 5 not divisible by kv heads 2");
        assertMessage(shape(8192, 128, 1, 64, 512, 512), "GQA group 128");
        assertMessage(shape(1000, 4, 2, 64, 512, 512), "hidden = 1000 is not a multiple of 64");
        assertMessage(shape(256, 4, 2, 64, 500, 512), "ffn = 500");
        assertMessage(shape(256, 4, 2, 64, 512, 50000), "vocab = 50000");
        assertMessage(shape(256, 4, 0, 64, 512, 512), "kv heads must be positive");
        assertMessage(new ModelConfig("t", 256, 0, 4, 2, 64, 512, 512, 1e4, 1e-5f, false, true, 128), "layers must be positive");
        assertMessage(new ModelConfig("t", 256, 2, 4, 2, 64, 512, 512, 1e4, 1e-5f, false, true, 0), "max positions");
        assertMessage(new ModelConfig("t", 256, 2, 4, 2, 64, 512, 512, 0, 1e-5f, false, true, 128), "rope theta");
        assertMessage(new ModelConfig("t", 256, 2, 4, 2, 64, 512, 512, 1e4, 0f, false, true, 128), "eps");
    }

    /** Upper bounds keep every width and buffer size inside int/long: 2^31-64 is a multiple of 64 but must not pass. */
    @Test
    void rejectsWidthsThatWouldOverflow() {
        assertMessage(shape(256, 4, 2, 64, Integer.MAX_VALUE - 63, 512), "ffn = 2147483584 is above the limit " + ModelConfig.MAX_WIDTH);
        assertMessage(shape(1 << 19, 4, 2, 64, 512, 512), "hidden = 524288 is above the limit");
        assertMessage(shape(256, 4, 2, 64, 512, 1 << 22), "vocab = 4194304 is above the limit");
        // 4096 q heads of 128 with 64 kv heads: each field fits, the fused qkv width does not
        assertMessage(shape(256, 4096, 64, 128, 512, 512), "qkv dim (q heads + 2 kv heads) * head dim = 540672 is above the limit");
        shape(16384, 128, 8, 128, 53248, 262144).validate(); // the largest real dense models pass
    }

    /** The label function renames fields, so a config.json or a flag is named the way the user wrote it. */
    @Test
    void messagesUseTheCallersFieldNames() {
        BenchException e = assertThrows(BenchException.class, () -> shape(256, 4, 2, 96, 512, 512)
                .validate("model config /x/config.json", f -> f.equals(ModelConfig.HEAD_DIM) ? "head_dim" : f));
        assertEquals("model config /x/config.json: head_dim 96 unsupported (kernels support 64 or 128)", e.getMessage());
    }

    private static void assertMessage(ModelConfig c, String fragment) {
        BenchException e = assertThrows(BenchException.class, c::validate);
        assertEquals(2, e.exitCode());
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }
}
