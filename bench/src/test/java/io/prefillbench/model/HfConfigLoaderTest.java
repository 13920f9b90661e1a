package io.prefillbench.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prefillbench.BenchException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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

    /** Shape errors name the file (not its folder, not the model's name) and the config.json key. */
    @Test
    void unsupportedShapesNameTheFileAndField() throws IOException {
        Path a = write("a", QWEN.replace("\"num_key_value_heads\": 2", "\"num_key_value_heads\": 4"));
        assertError(a, "model config " + a + ": num_attention_heads 14 not divisible by num_key_value_heads 4");
        Path b = write("b", QWEN.replace("{", "{\"head_dim\": 256, "));
        assertError(b, "model config " + b + ": head_dim 256 unsupported");
        // 896 / 12 is not integral and no head_dim is given
        assertError(write("c", QWEN.replace("\"num_attention_heads\": 14", "\"num_attention_heads\": 12")),
                "not divisible by num_attention_heads 12");
        assertError(write("d", QWEN.replace("151936", "151937")), "config.json: vocab_size = 151937 is not a multiple of 64");
        // head dim derived from hidden_size / num_attention_heads: both named
        assertError(write("e", QWEN.replace("\"num_attention_heads\": 14", "\"num_attention_heads\": 28")),
                "head dim (hidden_size / num_attention_heads) 32 unsupported");
        assertError(write("f", QWEN.replace("4864", "1048576")), "intermediate_size = 1048576 is above the limit");
    }

    /** Experts planned as one dense FFN would misstate everything: refused, naming the file and the field. */
    @Test
    void mixtureOfExpertsIsRefused() throws IOException {
        for (String field : List.of("num_experts", "moe_num_experts", "num_local_experts", "n_routed_experts")) {
            Path f = write(field, QWEN.replace("{", "{\"" + field + "\": 64, "));
            assertError(f, "model config " + f + ": " + field + " = 64: Mixture-of-Experts models are not supported");
        }
        // a dense config that spells out zero experts is still dense
        assertEquals(896, HfConfigLoader.load(write("dense", QWEN.replace("{", "{\"num_experts\": 0, ")), w -> { }).hidden());
    }

    /** Fields read but not modelled are named in one warning each; a plain bf16 config warns about nothing. */
    @Test
    void ignoredFieldsAreWarnedAbout() throws IOException {
        List<String> none = new ArrayList<>();
        HfConfigLoader.load(write("plain", QWEN.replace("{", "{\"torch_dtype\": \"bfloat16\", \"rope_scaling\": null, ")), none::add);
        assertEquals(List.of(), none);

        List<String> warnings = new ArrayList<>();
        Path f = write("odd", QWEN.replace("{", "{\"torch_dtype\": \"float32\", \"use_qk_norm\": true, "
                + "\"rope_scaling\": {\"rope_type\": \"yarn\", \"factor\": 4.0}, "));
        HfConfigLoader.load(f, warnings::add);
        assertEquals(3, warnings.size(), warnings.toString());
        for (String w : warnings) assertTrue(w.startsWith("warning: model config " + f + ": "), w);
        assertTrue(warnings.stream().anyMatch(w -> w.contains("rope_scaling = {\"rope_type\":\"yarn\"")), warnings.toString());
        assertTrue(warnings.stream().anyMatch(w -> w.contains("use_qk_norm = true is ignored")), warnings.toString());
        assertTrue(warnings.stream().anyMatch(w -> w.contains("torch_dtype = \"float32\" is ignored")), warnings.toString());

        List<String> qwen3 = new ArrayList<>();
        HfConfigLoader.load(write("q3", QWEN.replace("\"qwen2\"", "\"qwen3\"")), qwen3::add);
        assertEquals(1, qwen3.size(), qwen3.toString());
        assertTrue(qwen3.getFirst().contains("model_type \"qwen3\" normalizes q and k"), qwen3.getFirst());
    }

    private static void assertError(Path file, String fragment) {
        BenchException e = assertThrows(BenchException.class, () -> HfConfigLoader.load(file, w -> { }));
        assertEquals(2, e.exitCode());
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }
}
