package io.prefillbench.results;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.file.Path;

/** An input file of report and gate: a prefillbench results file or a JMH result file, told apart by shape. */
public sealed interface BenchInput {
    Path source();

    record Prefill(Path source, Results results) implements BenchInput {
    }

    record Jmh(Path source, JmhResults jmh) implements BenchInput {
    }

    /** Reads either kind; BenchException (exit 2) for anything unreadable. */
    static BenchInput read(Path file) {
        JsonNode tree = ResultsIo.readTree(file);
        if (JmhResults.looksLikeJmh(tree)) return new Jmh(file, JmhResults.fromTree(file, tree));
        return new Prefill(file, ResultsIo.fromTree(file, tree));
    }
}
