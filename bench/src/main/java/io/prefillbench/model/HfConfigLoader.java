package io.prefillbench.model;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.prefillbench.BenchException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Reads the shape of a model from a Hugging Face {@code config.json} (only the shape: weights are
 * synthetic). Every failure is a {@link BenchException} (exit 2) naming the file and the field; fields it
 * reads but does not model are named in a warning.
 */
public final class HfConfigLoader {

    private static final ObjectMapper JSON = new ObjectMapper();

    private HfConfigLoader() {}

    /** Fields that make a config a Mixture-of-Experts model (Qwen2-MoE, ERNIE 4.5, Mixtral, DeepSeek). */
    private static final List<String> EXPERT_FIELDS = List.of("num_experts", "moe_num_experts", "num_local_experts", "n_routed_experts");
    /** Fields that switch on RMSNorm of q and k before RoPE. */
    private static final List<String> QK_NORM_FIELDS = List.of("qk_norm", "use_qk_norm", "qk_layernorm");
    /** model_type values whose attention always normalizes q and k, though their config.json does not say so. */
    private static final List<String> QK_NORM_MODEL_TYPES = List.of("qwen3", "olmo2", "gemma3");

    /** {@link #load(Path, Consumer)} with warnings on stderr. */
    public static ModelConfig load(Path file) {
        return load(file, System.err::println);
    }

    /**
     * Reads the shape, refusing what the kernels cannot run (experts, unsupported sizes) and warning, through
     * {@code warnings}, about fields the benchmark ignores (rope_scaling, q/k norm, a dtype other than bf16).
     */
    public static ModelConfig load(Path file, Consumer<String> warnings) {
        if (Files.isDirectory(file)) {
            file = file.resolve("config.json");
        }
        String where = "model config " + file;
        JsonNode root;
        try {
            root = JSON.readTree(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            throw new BenchException(where + " not found");
        } catch (JacksonException e) {
            throw new BenchException(where + " is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new BenchException("cannot read " + where + ": " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new BenchException(where + " is not a JSON object");
        }
        Fields f = new Fields(root, where);
        refuseExperts(f);

        int hidden = f.requiredInt("hidden_size");
        int heads = f.requiredInt("num_attention_heads");
        int layers = f.requiredInt("num_hidden_layers");
        int ffn = f.requiredInt("intermediate_size");
        int vocab = f.requiredInt("vocab_size");
        int maxPositions = f.requiredInt("max_position_embeddings");
        int kvHeads = f.optionalInt("num_key_value_heads", heads);
        if (heads <= 0) {
            throw new BenchException(where + ": num_attention_heads must be positive, got " + heads);
        }
        int headDim;
        boolean headDimGiven = f.present("head_dim");
        if (headDimGiven) {
            headDim = f.requiredInt("head_dim");
        } else {
            if (hidden % heads != 0) {
                throw new BenchException(where + ": hidden_size " + hidden
                        + " not divisible by num_attention_heads " + heads + " (and no head_dim given)");
            }
            headDim = hidden / heads;
        }
        double theta = f.optionalDouble("rope_theta", 10000.0);
        float eps = (float) f.optionalDouble("rms_norm_eps", 1e-6);
        boolean tied = f.optionalBool("tie_word_embeddings", false);
        String modelType = f.optionalString("model_type", "");
        // Qwen2 always has q/k/v bias but its config.json does not say so.
        boolean bias = "qwen2".equals(modelType)
                || f.optionalBool("attention_bias", false)
                || f.optionalBool("qkv_bias", false);
        String name = f.optionalString("_name_or_path", "");
        if (name.isBlank()) {
            Path dir = file.toAbsolutePath().getParent();
            name = dir != null && dir.getFileName() != null ? dir.getFileName().toString() : file.getFileName().toString();
        }
        warnIgnored(f, modelType, warnings);
        Map<String, String> labels = Map.of(ModelConfig.HIDDEN, "hidden_size", ModelConfig.LAYERS, "num_hidden_layers",
                ModelConfig.Q_HEADS, "num_attention_heads",
                ModelConfig.KV_HEADS, f.present("num_key_value_heads") ? "num_key_value_heads" : "num_key_value_heads (= num_attention_heads)",
                ModelConfig.HEAD_DIM, headDimGiven ? "head_dim" : "head dim (hidden_size / num_attention_heads)",
                ModelConfig.FFN, "intermediate_size", ModelConfig.VOCAB, "vocab_size",
                ModelConfig.MAX_POSITIONS, "max_position_embeddings", ModelConfig.ROPE_THETA, "rope_theta",
                ModelConfig.RMS_NORM_EPS, "rms_norm_eps");
        return new ModelConfig(name, hidden, layers, heads, kvHeads, headDim, ffn, vocab, theta, eps,
                bias, tied, maxPositions).validate(where, k -> labels.getOrDefault(k, k));
    }

    /** Planning experts as one dense FFN would misstate weights, buffers and launches: refused, not approximated. */
    private static void refuseExperts(Fields f) {
        for (String field : EXPERT_FIELDS) {
            if (!f.present(field)) continue;
            JsonNode n = f.root().get(field);
            boolean dense = n.isNumber() && n.asDouble() <= 1; // some dense configs carry num_experts: 0
            if (!dense) {
                throw new BenchException(f.where() + ": " + field + " = " + n + ": Mixture-of-Experts models are not supported"
                        + " (the kernels run one dense SwiGLU FFN per layer); use a dense model, or the attention-only preset"
                        + " --model ernie-4.5-21b-a3b-attn");
            }
        }
    }

    /** Fields that change the math but not the shape: the run stays meaningful for timing, so they are named, not refused. */
    private static void warnIgnored(Fields f, String modelType, Consumer<String> warnings) {
        String w = "warning: " + f.where() + ": ";
        if (f.present("rope_scaling")) {
            warnings.accept(w + "rope_scaling = " + oneLine(f.root().get("rope_scaling"))
                    + " is ignored: plain RoPE with rope_theta is used (same launches and cost)");
        }
        for (String field : QK_NORM_FIELDS) {
            if (f.present(field) && !(f.root().get(field).isBoolean() && !f.root().get(field).booleanValue())) {
                warnings.accept(w + field + " = " + f.root().get(field) + " is ignored: q/k norm is not modelled"
                        + " (the real model runs two more small kernels per layer)");
            }
        }
        if (QK_NORM_MODEL_TYPES.contains(modelType)) {
            warnings.accept(w + "model_type \"" + modelType + "\" normalizes q and k, which is not modelled"
                    + " (the real model runs two more small kernels per layer)");
        }
        if (f.present("torch_dtype")) {
            JsonNode d = f.root().get("torch_dtype");
            if (!(d.isTextual() && d.textValue().equals("bfloat16"))) {
                warnings.accept(w + "torch_dtype = " + d + " is ignored: weights and activations are bf16");
            }
        }
    }

    private static String oneLine(JsonNode n) {
        String s = n.toString();
        return s.length() > 80 ? s.substring(0, 77) + "..." : s;
    }

    /** Typed access to top-level fields; JSON null counts as absent. */
    private record Fields(JsonNode root, String where) {

        boolean present(String field) {
            JsonNode n = root.get(field);
            return n != null && !n.isNull();
        }

        int requiredInt(String field) {
            if (!present(field)) {
                throw new BenchException(where + " lacks required field " + field);
            }
            return toInt(field, root.get(field));
        }

        int optionalInt(String field, int fallback) {
            return present(field) ? toInt(field, root.get(field)) : fallback;
        }

        double optionalDouble(String field, double fallback) {
            if (!present(field)) {
                return fallback;
            }
            JsonNode n = root.get(field);
            if (!n.isNumber()) {
                throw wrongType(field, "a number", n);
            }
            return n.asDouble();
        }

        boolean optionalBool(String field, boolean fallback) {
            if (!present(field)) {
                return fallback;
            }
            JsonNode n = root.get(field);
            if (!n.isBoolean()) {
                throw wrongType(field, "true or false", n);
            }
            return n.booleanValue();
        }

        String optionalString(String field, String fallback) {
            if (!present(field)) {
                return fallback;
            }
            JsonNode n = root.get(field);
            if (!n.isTextual()) {
                throw wrongType(field, "a string", n);
            }
            return n.textValue();
        }

        private int toInt(String field, JsonNode n) {
            // 1024.0 is accepted as 1024; 1024.5 or 2^40 are not
            if (!n.isNumber() || (!n.isIntegralNumber() && n.asDouble() != Math.rint(n.asDouble()))) {
                throw wrongType(field, "an integer", n);
            }
            double d = n.asDouble();
            if (d > Integer.MAX_VALUE || d < Integer.MIN_VALUE) {
                throw new BenchException(where + ": field " + field + " = " + n + " is out of range");
            }
            return (int) d;
        }

        private BenchException wrongType(String field, String expected, JsonNode n) {
            return new BenchException(where + ": field " + field + " must be "
                    + expected + ", got " + n.getNodeType().toString().toLowerCase() + " " + n);
        }
    }
}
