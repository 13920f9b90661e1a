package io.prefillbench.model;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.prefillbench.BenchException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads the shape of a model from a Hugging Face {@code config.json} (only the shape: weights are
 * synthetic). Every failure is a {@link BenchException} (exit 2) naming the file and the field.
 */
public final class HfConfigLoader {

    private static final ObjectMapper JSON = new ObjectMapper();

    private HfConfigLoader() {}

    public static ModelConfig load(Path file) {
        if (Files.isDirectory(file)) {
            file = file.resolve("config.json");
        }
        String where = file.toString();
        JsonNode root;
        try {
            root = JSON.readTree(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            throw new BenchException("model config " + where + " not found");
        } catch (JacksonException e) {
            throw new BenchException("model config " + where + " is not valid JSON: "
                    + e.getOriginalMessage());
        } catch (IOException e) {
            throw new BenchException("cannot read model config " + where + ": " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new BenchException("model config " + where + " is not a JSON object");
        }
        Fields f = new Fields(root, where);

        int hidden = f.requiredInt("hidden_size");
        int heads = f.requiredInt("num_attention_heads");
        int layers = f.requiredInt("num_hidden_layers");
        int ffn = f.requiredInt("intermediate_size");
        int vocab = f.requiredInt("vocab_size");
        int maxPositions = f.requiredInt("max_position_embeddings");
        int kvHeads = f.optionalInt("num_key_value_heads", heads);
        if (heads <= 0) {
            throw new BenchException("model config " + where + ": num_attention_heads must be positive, got " + heads);
        }
        int headDim;
        if (f.present("head_dim")) {
            headDim = f.requiredInt("head_dim");
        } else {
            if (hidden % heads != 0) {
                throw new BenchException("model config " + where + ": hidden_size " + hidden
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
        return new ModelConfig(name, hidden, layers, heads, kvHeads, headDim, ffn, vocab, theta, eps,
                bias, tied, maxPositions).validate();
    }

    /** Typed access to top-level fields; JSON null counts as absent. */
    private record Fields(JsonNode root, String where) {

        boolean present(String field) {
            JsonNode n = root.get(field);
            return n != null && !n.isNull();
        }

        int requiredInt(String field) {
            if (!present(field)) {
                throw new BenchException("model config " + where + " lacks required field " + field);
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
                throw new BenchException("model config " + where + ": field " + field + " = " + n + " is out of range");
            }
            return (int) d;
        }

        private BenchException wrongType(String field, String expected, JsonNode n) {
            return new BenchException("model config " + where + ": field " + field + " must be "
                    + expected + ", got " + n.getNodeType().toString().toLowerCase() + " " + n);
        }
    }
}
