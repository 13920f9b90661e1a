package io.prefillbench.cli;

import io.prefillbench.BenchException;
import io.prefillbench.gate.Gate;
import io.prefillbench.gate.GateOptions;
import io.prefillbench.gate.GateOutcome;
import io.prefillbench.results.BenchInput;
import io.prefillbench.results.ResultsIo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code bench gate --baseline F --current F}: noise-aware regression check of the graph speedup; see {@link Gate}
 * for the statistic. Exit 0 pass, 1 regression (a SLOWER row), 2 unusable input.
 */
@Command(name = "gate", mixinStandardHelpOptions = true,
        description = {"Compares a run against a baseline (both prefill results or both JMH JSON).",
                "Exit 0: pass; 1: some workload is SLOWER with confidence; 2: unusable input."})
public final class GateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--baseline", required = true, paramLabel = "FILE", description = "baseline results or JMH JSON")
    Path baseline;

    @Option(names = "--current", required = true, paramLabel = "FILE", description = "current results or JMH JSON")
    Path current;

    @Option(names = "--tolerance", defaultValue = "0.05", description = "relative change that counts (default: ${DEFAULT-VALUE})")
    double tolerance;

    @Option(names = "--confidence", defaultValue = "0.95", description = "one-sided confidence of each bound (default: ${DEFAULT-VALUE})")
    double confidence;

    @Option(names = "--allow-mismatch", description = "compare runs of different devices or presets")
    boolean allowMismatch;

    @Option(names = "--resamples", defaultValue = "2000", description = "bootstrap resamples per workload (default: ${DEFAULT-VALUE})")
    int resamples;

    @Option(names = "--seed", defaultValue = "1", description = "bootstrap seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--json", paramLabel = "FILE", description = "also write the verdict as JSON")
    Path json;

    @Override
    public Integer call() {
        GateOptions options;
        try {
            options = new GateOptions(tolerance, confidence, allowMismatch, resamples, seed);
        } catch (IllegalArgumentException e) {
            throw new BenchException(e.getMessage());
        }
        BenchInput base = BenchInput.read(baseline);
        BenchInput cur = BenchInput.read(current);
        GateOutcome outcome = Gate.compare(base, cur, options);
        PrintWriter out = spec.commandLine().getOut();
        out.print(outcome.toMarkdown());
        out.flush();
        if (json != null) ResultsIo.writeAtomically(json, outcome);
        return outcome.exitCode();
    }
}
