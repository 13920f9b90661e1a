package io.prefillbench.gate;

import io.prefillbench.BenchException;

import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** The three things the gate judges per row, each with its own verdict column. */
public enum Metric {
    /** current speedup / baseline speedup (eager/graph): what CUDA graphs buy now against what they bought */
    RATIO,
    /** graph latency, baseline / current */
    GRAPH,
    /** eager latency, baseline / current */
    EAGER;

    /** Ratio and graph latency: a drop in either is a graph-path regression; eager alone is not. */
    public static final Set<Metric> DEFAULT_FAIL_ON = Set.copyOf(EnumSet.of(RATIO, GRAPH));

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses "ratio,graph,eager" (any subset, at least one). */
    public static Set<Metric> parse(List<String> names) {
        EnumSet<Metric> out = EnumSet.noneOf(Metric.class);
        for (String n : names) {
            try {
                out.add(valueOf(n.strip().toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new BenchException("--fail-on: '" + n + "' is not a metric; use any of ratio,graph,eager");
            }
        }
        if (out.isEmpty()) throw new BenchException("--fail-on: name at least one of ratio,graph,eager");
        return Set.copyOf(out);
    }
}
