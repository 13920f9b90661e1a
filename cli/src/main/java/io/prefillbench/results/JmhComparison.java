package io.prefillbench.results;

import java.util.Map;
import java.util.stream.Collectors;

/**
 * The eager and graph scores of one JMH benchmark at one parameter point (all params but {@code mode}).
 *
 * @param jmhMode JMH's own mode: avgt, sample, ss (time per op) or thrpt (ops per time)
 * @param params  the @Param values other than {@code mode}, sorted by name
 */
public record JmhComparison(String benchmark, String jmhMode, Map<String, String> params, JmhScore eager,
                            JmhScore graph) {

    /** True when a larger score is better (throughput); then the ratio is graph/eager. */
    public boolean higherIsBetter() {
        return "thrpt".equals(jmhMode);
    }

    /** Speedup of graph over eager: eager/graph time per op, or graph/eager throughput. Above 1: graph faster. */
    public double ratio() {
        return higherIsBetter() ? graph.score() / eager.score() : eager.score() / graph.score();
    }

    public String preset() {
        return params.getOrDefault("preset", "");
    }

    /** Row label: short benchmark name, JMH mode and params, e.g. "forward avgt preset=x workload=short". */
    public String label() {
        return label(true);
    }

    /** Row label, optionally without the preset (used when comparing across presets with --allow-mismatch). */
    public String label(boolean withPreset) {
        String shortName = benchmark.substring(benchmark.lastIndexOf('.') + 1);
        String ps = params.entrySet().stream()
                .filter(e -> withPreset || !e.getKey().equals("preset"))
                .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" "));
        return (shortName + " " + jmhMode + " " + ps).strip();
    }
}
