package io.prefillbench.results;

import com.fasterxml.jackson.databind.JsonNode;
import io.prefillbench.BenchException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A JMH result file ({@code -rf json}): an array of {benchmark, mode, params, primaryMetric}. The prefill benchmark
 * has {@code @Param mode} with values "eager" and "graph"; this pairs the two at every other parameter point.
 *
 * @param rows     paired points in file order
 * @param unpaired labels of points that had only one of the two modes
 */
public record JmhResults(Path source, List<JmhComparison> rows, List<String> unpaired) {

    public static JmhResults read(Path file) {
        return fromTree(file, ResultsIo.readTree(file));
    }

    /** True when a parsed JSON file looks like JMH output (a top-level array). */
    public static boolean looksLikeJmh(JsonNode tree) {
        return tree.isArray();
    }

    public static JmhResults fromTree(Path file, JsonNode tree) {
        if (!tree.isArray()) throw new BenchException(file + ": not a JMH result file (expected a JSON array)");
        if (tree.isEmpty()) throw new BenchException(file + ": JMH result file has no benchmarks");
        // key -> [eager, graph]; LinkedHashMap keeps file order for the report
        Map<String, JmhScore[]> scores = new LinkedHashMap<>();
        Map<String, TreeMap<String, String>> paramsOf = new LinkedHashMap<>();
        for (int i = 0; i < tree.size(); i++) {
            JsonNode b = tree.get(i);
            String at = file + ": entry " + i;
            String benchmark = text(b, "benchmark", at);
            String jmhMode = text(b, "mode", at);
            JsonNode params = b.get("params");
            if (params == null || !params.isObject() || !params.has("mode"))
                throw new BenchException(at + " (" + benchmark + ") has no @Param mode (eager|graph)");
            String mode = params.get("mode").asText();
            TreeMap<String, String> rest = new TreeMap<>();
            params.properties().forEach(e -> {
                if (!e.getKey().equals("mode")) rest.put(e.getKey(), e.getValue().asText());
            });
            JsonNode pm = b.get("primaryMetric");
            if (pm == null || !pm.has("score")) throw new BenchException(at + " (" + benchmark + ") has no primaryMetric.score");
            JmhScore score = new JmhScore(num(pm.get("score")), num(pm.get("scoreError")),
                    pm.path("scoreUnit").asText(""), raw(pm.get("rawData")));
            String key = benchmark + "|" + jmhMode + "|" + rest;
            JmhScore[] pair = scores.computeIfAbsent(key, k -> new JmhScore[2]);
            paramsOf.putIfAbsent(key, rest);
            switch (mode) {
                case "eager" -> pair[0] = score;
                case "graph" -> pair[1] = score;
                default -> throw new BenchException(at + " has @Param mode=\"" + mode + "\"; expected eager or graph");
            }
        }
        List<JmhComparison> rows = new ArrayList<>();
        List<String> unpaired = new ArrayList<>();
        for (var e : scores.entrySet()) {
            String[] parts = e.getKey().split("\\|", 3);
            JmhScore[] pair = e.getValue();
            JmhComparison c = new JmhComparison(parts[0], parts[1], paramsOf.get(e.getKey()), pair[0], pair[1]);
            if (pair[0] == null || pair[1] == null) unpaired.add(c.label() + (pair[0] == null ? " (no eager)" : " (no graph)"));
            else rows.add(c);
        }
        if (rows.isEmpty()) throw new BenchException(file + ": no benchmark point has both mode=eager and mode=graph");
        return new JmhResults(file, List.copyOf(rows), List.copyOf(unpaired));
    }

    private static String text(JsonNode b, String field, String at) {
        JsonNode n = b.get(field);
        if (n == null || !n.isTextual()) throw new BenchException(at + " has no \"" + field + "\"");
        return n.asText();
    }

    /** JMH writes NaN as the string "NaN". */
    private static double num(JsonNode n) {
        if (n == null || n.isNull()) return Double.NaN;
        if (n.isNumber()) return n.asDouble();
        try {
            return Double.parseDouble(n.asText());
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    /** rawData is [fork][iteration]; flattened. */
    private static double[] raw(JsonNode rawData) {
        if (rawData == null || !rawData.isArray()) return new double[0];
        List<Double> vals = new ArrayList<>();
        for (JsonNode fork : rawData) for (JsonNode v : fork) vals.add(num(v));
        return vals.stream().mapToDouble(Double::doubleValue).filter(Double::isFinite).toArray();
    }
}
