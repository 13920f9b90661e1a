package io.prefillbench.report;

import com.fasterxml.jackson.databind.JsonNode;
import io.prefillbench.BenchException;
import io.prefillbench.results.BatchShape;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The PyTorch baseline of {@code bench/python/torch_prefill.py} (schema {@value #SCHEMA}): per prompt length and
 * mode (e.g. compile-cudagraphs), host latency percentiles in nanoseconds.
 */
public record TorchBaseline(String device, String model, String torchVersion, String gitSha, String timestamp, List<String> argv,
                            List<Point> points) {
    public static final String SCHEMA = "prefillbench/torch-baseline/v1";

    /**
     * One prompt length (or equal-length batch) in one mode; latencies in ns.
     *
     * @param seqLens the batch's sequence lengths: {@code [tokens]} for one prompt, N times L for a batch "NxL"
     */
    public record Point(int tokens, String mode, double p50, double p90, double p99, double max, double mean, long count,
                        List<Integer> seqLens) {
    }

    /** Sequence lengths of a results row: its "batch" ("NxL", N prompts of L tokens) or one prompt of its tokens. */
    static List<Integer> seqLens(Path file, int i, int tokens, JsonNode batch) {
        if (batch.isMissingNode() || batch.isNull()) return List.of(tokens);
        return BatchShape.parse(batch.asText()).filter(b -> b.positive() && (long) b.seqs() * b.tokens() == tokens).map(BatchShape::seqLens)
                .orElseThrow(() -> new BenchException(file + ": results[" + i + "].batch \"" + batch.asText()
                        + "\" is not NxL with N * L = tokens (" + tokens + ")"));
    }

    static TorchBaseline fromTree(Path file, JsonNode tree) {
        if (!tree.path("complete").asBoolean(false)) throw new BenchException(file + ": PyTorch baseline is incomplete (\"complete\" is not true)");
        JsonNode results = tree.path("results");
        if (!results.isArray() || results.isEmpty()) throw new BenchException(file + ": PyTorch baseline has no \"results\"");
        List<Point> pts = new ArrayList<>();
        for (int i = 0; i < results.size(); i++) {
            JsonNode r = results.get(i);
            if (!r.path("tokens").canConvertToInt() || r.path("tokens").asInt() < 1)
                throw new BenchException(file + ": results[" + i + "].tokens is not a positive integer");
            List<Integer> lens = seqLens(file, i, r.get("tokens").asInt(), r.path("batch"));
            for (var e : r.properties()) {
                if (!e.getValue().isObject()) continue;
                JsonNode s = e.getValue();
                if (!s.path("p50").isNumber()) throw new BenchException(file + ": results[" + i + "]." + e.getKey() + " has no numeric p50");
                pts.add(new Point(r.get("tokens").asInt(), e.getKey(), s.path("p50").asDouble(), s.path("p90").asDouble(Double.NaN),
                        s.path("p99").asDouble(Double.NaN), s.path("max").asDouble(Double.NaN), s.path("mean").asDouble(Double.NaN),
                        s.path("count").asLong(0), lens));
            }
        }
        if (pts.isEmpty()) throw new BenchException(file + ": PyTorch baseline has no timed mode");
        List<String> argv = new ArrayList<>();
        tree.path("meta").path("argv").forEach(a -> argv.add(a.asText()));
        JsonNode meta = tree.path("meta");
        return new TorchBaseline(tree.path("devices").path(0).path("name").asText("unknown"), tree.path("config").path("model").asText("?"),
                meta.path("torch").asText("?"), meta.path("gitSha").asText("?"), meta.path("timestamp").asText("?"), argv, List.copyOf(pts));
    }
}
