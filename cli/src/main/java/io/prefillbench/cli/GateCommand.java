package io.prefillbench.cli;

import io.prefillbench.BenchException;
import io.prefillbench.advise.Advice;
import io.prefillbench.gate.Gate;
import io.prefillbench.gate.GateOptions;
import io.prefillbench.gate.GateOutcome;
import io.prefillbench.gate.Metric;
import io.prefillbench.results.BenchInput;
import io.prefillbench.report.ReportInput;
import io.prefillbench.report.TorchBaseline;
import io.prefillbench.results.ResultsIo;
import io.prefillbench.results.ServeResults;
import io.prefillbench.results.SweepResults;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
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
            description = {"metrics whose SLOWER verdict fails the gate: ratio, graph, eager (default: ${DEFAULT-VALUE},",
                    "or the baseline's policy file <baseline>.fail-on beside it when there is one)"})
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
        // a device whose eager path is too noisy to gate carries a policy beside its baseline; an explicit --fail-on wins
        List<String> metrics = failOn;
        String policyNote = null;
        Path policy = policyFile(baseline);
        if (!spec.commandLine().getParseResult().hasMatchedOption("--fail-on") && Files.isRegularFile(policy)) {
            metrics = readPolicy(policy);
            policyNote = "policy: --fail-on " + String.join(",", metrics) + " from " + policy + " (beside the baseline; an explicit --fail-on overrides it)";
        }
        GateOptions options;
        try {
            options = new GateOptions(tolerance, confidence, allowMismatch, resamples, seed, Metric.parse(metrics), minSamples,
                    allowConfigDiff, allowMissing);
        } catch (IllegalArgumentException e) {
            throw new BenchException(e.getMessage());
        }
        Path verdict = json == null ? null : OutputPath.check("--json", json, List.of(baseline, current), force);
        BenchInput base = readGateable(baseline);
        BenchInput cur = readGateable(current);
        GateOutcome outcome = Gate.compare(base, cur, options);
        PrintWriter out = spec.commandLine().getOut();
        if (policyNote != null) out.println(policyNote);
        out.print(outcome.toMarkdown());
        out.flush();
        if (verdict != null) {
            // the verdict with where it comes from: this gate run (jar commit, argv, time) and the compared runs' GPU
            com.fasterxml.jackson.databind.node.ObjectNode tree = ResultsIo.mapper().valueToTree(outcome);
            tree.set("meta", ResultsIo.mapper().valueToTree(RunMeta.hostMeta(List.copyOf(spec.commandLine().getParseResult().originalArgs()))));
            if (base instanceof BenchInput.Prefill p) tree.set("devices", ResultsIo.mapper().valueToTree(p.results().devices()));
            ResultsIo.writeAtomically(verdict, tree);
        }
        return outcome.exitCode();
    }

    /** The baseline's policy file: {@code <baseline without .json>.fail-on}. */
    static Path policyFile(Path baseline) {
        String name = baseline.getFileName().toString();
        String stem = name.endsWith(".json") ? name.substring(0, name.length() - ".json".length()) : name;
        return baseline.resolveSibling(stem + ".fail-on");
    }

    /** Metric names of a policy file: comma- or whitespace-separated, lines starting with # are the reason. */
    static List<String> readPolicy(Path file) {
        try {
            List<String> names = new java.util.ArrayList<>();
            for (String line : Files.readAllLines(file)) {
                if (line.strip().startsWith("#")) continue;
                for (String n : line.split("[,\\s]+")) if (!n.isBlank()) names.add(n.strip());
            }
            if (names.isEmpty()) throw new BenchException(file + ": a gate policy file names at least one of ratio,graph,eager");
            return names;
        } catch (java.io.IOException e) {
            throw new BenchException(file + ": cannot read the gate policy (" + e.getMessage() + ")");
        }
    }

    /** Files the tool writes that gate does not compare, by schema, with what to do with them instead. */
    private static final Map<String, String> NOT_GATED = Map.of(
            ServeResults.SCHEMA, "a serve run; gate compares prefill runs only (prefill results or JMH JSON): chart serve runs with `report`",
            SweepResults.SCHEMA, "a prefill --sweep file; gate compares prefill runs without --sweep (or JMH JSON): chart sweeps with `report`",
            Advice.SCHEMA, "advise output; gate compares prefill runs only (prefill results or JMH JSON)",
            TorchBaseline.SCHEMA, "a PyTorch baseline; gate compares prefill runs only (prefill results or JMH JSON): compare it with `report`",
            ReportInput.JMH_META_SCHEMA, "a JMH provenance sidecar; gate the JMH result file beside it");

    /** A prefill results or JMH file; any other file the tool writes is refused (exit 2) by what it is, not by its schema alone. */
    private static BenchInput readGateable(Path file) {
        String schema = ResultsIo.readTree(file).path("schema").asText("");
        String what = NOT_GATED.get(schema);
        if (what != null) throw new BenchException(file + ": " + what);
        return BenchInput.read(file);
    }
}
