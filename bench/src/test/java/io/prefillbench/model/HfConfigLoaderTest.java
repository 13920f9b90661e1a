package io.prefillbench.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prefillbench.BenchException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HfConfigLoaderTest {

    @TempDir
    Path dir;

    private static final String QWEN = """
            {"architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "hidden_size": 896,
             "intermediate_size": 4864, "num_attention_heads": 14, "num_hidden_layers": 24,
             "num_key_value_heads": 2, "max_position_embeddings": 32768, "rms_norm_eps": 1e-06,
             "rope_theta": 1000000.0, "tie_word_embeddings": true, "vocab_size": 151936}
            """;

    private Path write(String name, String json) throws IOException {
        Path d = Files.createDirectories(dir.resolve(name));
        return Files.writeString(d.resolve("config.json"), json);
    }

    @Test
    void qwenConfigMatchesPreset() throws IOException {
        ModelConfig c = HfConfigLoader.load(write("Qwen2.5-0.5B", QWEN));
        ModelConfig p = Presets.byName("qwen2.5-0.5b");
        assertEquals("Qwen2.5-0.5B", c.name()); // directory name when _name_or_path is absent
        assertEquals(p.hidden(), c.hidden());
        assertEquals(p.layers(), c.layers());
        assertEquals(p.qHeads(), c.qHeads());
        assertEquals(p.kvHeads(), c.kvHeads());
        assertEquals(64, c.headDim()); // 896 / 14
        assertEquals(p.ffn(), c.ffn());
        assertEquals(p.vocab(), c.vocab());
        assertEquals(1e6, c.ropeTheta());
        assertEquals(1e-6f, c.rmsNormEps());
        assertTrue(c.qkvBias(), "qwen2 implies qkv bias");
        assertTrue(c.tieWordEmbeddings());
        assertEquals(32768, c.maxPositions());
    }

    @Test
    void defaultsAndExplicitHeadDim() throws IOException {
        Path f = write("m", """
                {"_name_or_path": "org/model", "hidden_size": 2560, "num_attention_heads": 20,
                 "num_hidden_layers": 2, "intermediate_size": 3072, "vocab_size": 1024,
                 "max_position_embeddings": 4096, "head_dim": 128}
                """);
        ModelConfig c = HfConfigLoader.load(f.getParent()); // a directory resolves to its config.json
        assertEquals("org/model", c.name());
        assertEquals(20, c.kvHeads(), "kv heads default to heads");
        assertEquals(128, c.headDim());
        assertEquals(10000.0, c.ropeTheta());
        assertEquals(1e-6f, c.rmsNormEps());
        assertFalse(c.tieWordEmbeddings());
        assertFalse(c.qkvBias());
    }

    @Test
    void attentionBiasFlag() throws IOException {
        String json = QWEN.replace("\"qwen2\"", "\"llama\"").replace("{", "{\"attention_bias\": true, ");
        assertTrue(HfConfigLoader.load(write("a", json)).qkvBias());
        String noBias = QWEN.replace("\"qwen2\"", "\"llama\"");
        assertFalse(HfConfigLoader.load(write("b", noBias)).qkvBias());
    }

    @Test
    void missingFile() {
        assertError(dir.resolve("nope/config.json"), "not found");
    }

    @Test
    void notJson() throws IOException {
        assertError(write("x", "{\"hidden_size\": 12,,}"), "not valid JSON");
        assertError(write("y", "[1, 2]"), "not a JSON object");
        assertError(write("z", ""), "not a JSON object");
    }

    @Test
    void missingRequiredFieldIsNamed() throws IOException {
        assertError(write("x", QWEN.replace("\"vocab_size\": 151936", "\"vocab\": 1")), "lacks required field vocab_size");
        assertError(write("y", QWEN.replace("\"hidden_size\": 896,", "")), "lacks required field hidden_size");
    }

    @Test
    void wrongTypes() throws IOException {
        assertError(write("a", QWEN.replace("896", "\"896\"")), "hidden_size must be an integer, got string");
        assertError(write("b", QWEN.replace("896", "896.5")), "hidden_size must be an integer");
        assertError(write("c", QWEN.replace("1000000.0", "\"big\"")), "rope_theta must be a number");
        assertError(write("d", QWEN.replace("\"tie_word_embeddings\": true", "\"tie_word_embeddings\": 1")),
                "tie_word_embeddings must be true or false");
        assertError(write("e", QWEN.replace("896", "1e12")), "hidden_size = 1.0E12 is out of range");
        // an integral float is fine
        assertEquals(896, HfConfigLoader.load(write("f", QWEN.replace("896", "896.0"))).hidden());
    }

    @Test
    void unsupportedShapes() throws IOException {
        assertError(write("a", QWEN.replace("\"num_key_value_heads\": 2", "\"num_key_value_heads\": 4")),
                "heads not divisible by kv heads");
        assertError(write("b", QWEN.replace("{", "{\"head_dim\": 80, ")), "head dim 80");
        // 896 / 12 is not integral and no head_dim is given
        assertError(write("c", QWEN.replace("\"num_attention_heads\": 14", "\"num_attention_heads\": 12")),
                "not divisible by num_attention_heads 12");
        assertError(write("d", QWEN.replace("151936", "151937")), "vocab = 151937 is not a multiple of 64");
    }

    private static void assertError(Path file, String fragment) {
        BenchException e = assertThrows(BenchException.class, () -> HfConfigLoader.load(file));
        assertEquals(2, e.exitCode());
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }
}
