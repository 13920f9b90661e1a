package io.prefillbench.model;

import io.prefillbench.BenchException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Named model shapes. The real models' shapes come from their published config.json; the tiny
 * ones exist for tests (CPU reference runs them in milliseconds).
 *
 * <p>Not modelled: llama-3.2-1b's "llama3" RoPE frequency scaling (the table uses plain
 * theta^(-2i/D)), and ERNIE 4.5 21B-A3B's mixture-of-experts FFN (a dense stand-in is used).
 * Neither changes the kernel or graph-launch cost structure this benchmark measures.
 */
public final class Presets {

    /** A preset: its config plus one line saying what it stands for. */
    public record Preset(String name, String description, ModelConfig config) {}

    public static final String DEFAULT = "ernie-4.5-0.3b";

    private static final Map<String, Preset> PRESETS = new LinkedHashMap<>();

    static {
        add("ernie-4.5-0.3b", "ERNIE 4.5 0.3B dense (baidu/ERNIE-4.5-0.3B-PT shape)",
                1024, 18, 16, 2, 64, 3072, 103424, 500000, 1e-5f, false, true, 131072);
        add("qwen2.5-0.5b", "Qwen2.5 0.5B (qkv bias, tied embeddings)",
                896, 24, 14, 2, 64, 4864, 151936, 1000000, 1e-6f, true, true, 32768);
        add("llama-3.2-1b", "Llama 3.2 1B (llama3 rope scaling not modelled)",
                2048, 16, 32, 8, 64, 8192, 128256, 500000, 1e-5f, false, true, 131072);
        add("ernie-4.5-21b-a3b-attn",
                "ERNIE 4.5 21B-A3B attention shape (GQA group 5, head dim 128); dense stand-in for the MoE FFN",
                2560, 28, 20, 4, 128, 3072, 103424, 500000, 1e-5f, false, true, 131072);
        add("tiny", "test model: 2 layers, hidden 256, GQA group 2",
                256, 2, 4, 2, 64, 512, 512, 10000, 1e-5f, false, true, 4096);
        add("tiny-g5", "test model: 2 layers, hidden 640, head dim 128, GQA group 5",
                640, 2, 5, 1, 128, 1024, 1024, 10000, 1e-5f, false, true, 4096);
        add("tiny-bias", "test model: tiny with qkv bias and an untied LM head",
                256, 2, 4, 2, 64, 512, 512, 10000, 1e-5f, true, false, 4096);
    }

    private Presets() {}

    private static void add(String name, String description, int hidden, int layers, int qHeads,
            int kvHeads, int headDim, int ffn, int vocab, double theta, float eps, boolean bias,
            boolean tied, int maxPositions) {
        ModelConfig c = new ModelConfig(name, hidden, layers, qHeads, kvHeads, headDim, ffn, vocab,
                theta, eps, bias, tied, maxPositions).validate();
        PRESETS.put(name, new Preset(name, description, c));
    }

    /** The config of a preset; BenchException (exit 2) listing the known names otherwise. */
    public static ModelConfig byName(String name) {
        return preset(name).config();
    }

    public static Preset preset(String name) {
        Preset p = PRESETS.get(name);
        if (p == null) {
            throw new BenchException("unknown model preset '" + name + "' (known: "
                    + String.join(", ", names()) + ")");
        }
        return p;
    }

    /** Preset names, default first. */
    public static List<String> names() {
        return List.copyOf(PRESETS.keySet());
    }

    public static List<Preset> all() {
        return List.copyOf(PRESETS.values());
    }
}
