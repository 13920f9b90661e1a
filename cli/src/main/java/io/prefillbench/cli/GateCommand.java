package io.prefillbench.cli;

import io.prefillbench.BenchException;
import io.prefillbench.gate.Gate;
import io.prefillbench.gate.GateOptions;
import io.prefillbench.gate.GateOutcome;
import io.prefillbench.gate.Metric;
import io.prefillbench.results.BenchInput;
import io.prefillbench.results.ResultsIo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code bench gate --baseline F --current F}: noise-aware regression check of the graph speedup; see {@link Gate}
 * for the statistic. Exit 0 pass, 1 regression (a failing metric, or a baseline workload missing), 2 unusable input
 * or runs that cannot be compared (different device, preset or run conditions; too few samples).
 */
@Command(name = "gate", mixinStandardHelpOptions = true,
        description = {"Compares a run against a baseline (both prefill results or both JMH JSON).",
                "Exit 0: pass; 1: a --fail-on metric is SLOWER with confidence, or a baseline workload is missing;",
                "2: unusable input, or runs whose device, preset or run conditions differ."})
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

    @Option(names = "--allow-config-diff", description = "compare runs whose recorded run conditions (PDL, sizes, iterations, padding guard, ...) differ")
    boolean allowConfigDiff;

    @Option(names = "--allow-missing", description = "pass although the current run lacks workloads of the baseline (normally exit 1)")
    boolean allowMissing;

    @Option(names = "--fail-on", split = ",", defaultValue = "ratio,graph", paramLabel = "METRIC",
            description = "metrics whose SLOWER verdict fails the gate: ratio, graph, eager (default: ${DEFAULT-VALUE})")
    List<String> failOn;

    @Option(names = "--min-samples", defaultValue = "" + GateOptions.DEFAULT_MIN_SAMPLES,
            description = "fewest samples per mode a compared workload may have (default: ${DEFAULT-VALUE})")
    int minSamples;

    @Option(names = "--resamples", defaultValue = "2000", description = "bootstrap resamples per workload (default: ${DEFAULT-VALUE})")
    int resamples;

    @Option(names = "--seed", defaultValue = "1", description = "bootstrap seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--json", paramLabel = "FILE", description = "also write the verdict as JSON")
    Path json;

    @Option(names = "--force", description = "replace an existing --json file that prefillbench did not write")
    boolean force;

    @Override
    public Integer call() {
        GateOptions options;
        try {
            options = new GateOptions(tolerance, confidence, allowMismatch, resamples, seed, Metric.parse(failOn), minSamples,
                    allowConfigDiff, allowMissing);
        } catch (IllegalArgumentException e) {
            throw new BenchException(e.getMessage());
        }
        Path verdict = json == null ? null : OutputPath.check("--json", json, List.of(baseline, current), force);
        BenchInput base = BenchInput.read(baseline);
        BenchInput cur = BenchInput.read(current);
        GateOutcome outcome = Gate.compare(base, cur, options);
        PrintWriter out = spec.commandLine().getOut();
        out.print(outcome.toMarkdown());
        out.flush();
        if (verdict != null) ResultsIo.writeAtomically(verdict, outcome);
        return outcome.exitCode();
    }
}
