package io.prefillbench.cli;

import io.prefillbench.BenchException;
import io.prefillbench.advise.Advice;
import io.prefillbench.advise.Advisor;
import io.prefillbench.advise.Budgets;
import io.prefillbench.advise.CurveReader;
import io.prefillbench.advise.LatencyCurve;
import io.prefillbench.advise.RequestLengths;
import io.prefillbench.plan.PaddingGuard;
import io.prefillbench.results.ResultsIo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/**
 * {@code bench.jar advise}: no GPU. Chooses the capture sizes that minimise expected prefill latency over a
 * workload, from a measured latency curve, within budgets; compares with the user's sizes and common ladders.
 */
@Command(name = "advise", mixinStandardHelpOptions = true,
        description = {"Chooses capture sizes from a measured latency curve (prefill --sweep JSON or CSV) and a workload.",
                "Exact (dynamic programming); no GPU needed."})
final class AdviseCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--curve", required = true, paramLabel = "FILE",
            description = "Sweep JSON of prefill --sweep, or CSV with header tokens,eager_ms,graph_ms[,graph_mib][,capture_ms].")
    Path curveFile;

    @Option(names = "--lengths", paramLabel = "FILE", description = "Workload: one prompt length (tokens) a line.")
    Path lengths;

    @Option(names = "--length-dist", paramLabel = "DIST", description = "Workload drawn from lognormal:MU,SIGMA or uniform:A:B.")
    String lengthDist;

    @Option(names = "--samples", defaultValue = "10000", description = "Requests drawn from --length-dist (default: ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of --length-dist (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--max-model-len", defaultValue = "4096", description = "Longest prompt; drawn lengths are clamped to it (default: ${DEFAULT-VALUE}).")
    int maxModelLen;

    @Option(names = "--max-graphs", paramLabel = "K", description = "At most K capture sizes.")
    Integer maxGraphs;

    @Option(names = "--max-graph-mib", paramLabel = "MIB", description = "At most this much graph memory in all (needs graph_mib in the curve).")
    Double maxGraphMib;

    @Option(names = "--max-capture-ms", paramLabel = "MS", description = "At most this much capture time in all (needs capture_ms in the curve).")
    Double maxCaptureMs;

    @Option(names = "--pad-ratio", defaultValue = "2.0", description = "Padding guard as in prefill (default: ${DEFAULT-VALUE}).")
    double padRatio;

    @Option(names = "--pad-slack", defaultValue = "64", description = "Padding guard as in prefill (default: ${DEFAULT-VALUE}).")
    int padSlack;

    @Option(names = "--sizes", split = ",", paramLabel = "N", description = "Your current capture sizes, for comparison.")
    List<Integer> sizes;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the advice as JSON (schema " + Advice.SCHEMA + ").")
    Path json;

    @Option(names = "--force", description = "Replace an existing --json file that prefillbench did not write.")
    boolean force;

    /** A sweep curve's devices block (where the latencies were measured); none for a CSV curve. */
    private static List<io.prefillbench.results.Device> devices(Path curve) {
        try {
            com.fasterxml.jackson.databind.JsonNode t = ResultsIo.readTree(curve);
            if (!t.path("devices").isArray()) return null;
            List<io.prefillbench.results.Device> out = new java.util.ArrayList<>();
            for (com.fasterxml.jackson.databind.JsonNode d : t.path("devices"))
                out.add(ResultsIo.mapper().convertValue(d, io.prefillbench.results.Device.class));
            return out;
        } catch (RuntimeException e) { // a CSV curve is no JSON: it names no device
            return null;
        }
    }

    @Override
    public Integer call() {
        if ((lengths == null) == (lengthDist == null))
            throw new BenchException("give the workload as exactly one of --lengths FILE or --length-dist lognormal:MU,SIGMA|uniform:A:B");
        if (maxModelLen < 1) throw new BenchException("--max-model-len must be >= 1, got " + maxModelLen);
        if (maxGraphs != null && maxGraphs < 0) throw new BenchException("--max-graphs must be >= 0, got " + maxGraphs);
        if (maxGraphMib != null && !(maxGraphMib >= 0 && Double.isFinite(maxGraphMib)))
            throw new BenchException("--max-graph-mib must be a finite number >= 0, got " + maxGraphMib);
        if (maxCaptureMs != null && !(maxCaptureMs >= 0 && Double.isFinite(maxCaptureMs)))
            throw new BenchException("--max-capture-ms must be a finite number >= 0, got " + maxCaptureMs);
        PaddingGuard guard;
        try {
            guard = new PaddingGuard(padRatio, padSlack);
        } catch (IllegalArgumentException e) {
            throw new BenchException("--pad-ratio/--pad-slack: " + e.getMessage());
        }
        // checked before the work: the output must not replace an input or a file that is not ours
        List<Path> inputs = lengths == null ? List.of(curveFile) : List.of(curveFile, lengths);
        Path target = json == null ? null : OutputPath.check("--json", json, inputs, force);
        int[] current = sizes == null ? null : sizes.stream().mapToInt(Integer::intValue).distinct().sorted().toArray();
        LatencyCurve curve = CurveReader.read(curveFile);
        int[] requests;
        String source;
        if (lengths != null) {
            requests = RequestLengths.read(lengths, maxModelLen);
            source = lengths.toString();
        } else {
            requests = RequestLengths.sample(lengthDist, samples, seed, maxModelLen);
            source = lengthDist + " (" + samples + " samples, seed " + seed + ", clamped to 1.." + maxModelLen + ")";
        }
        Budgets budgets = new Budgets(maxGraphs == null ? Integer.MAX_VALUE : maxGraphs,
                maxGraphMib == null ? Double.POSITIVE_INFINITY : maxGraphMib, maxCaptureMs == null ? Double.POSITIVE_INFINITY : maxCaptureMs);
        Advice a = new Advisor(curve, guard).advise(curveFile.toString(), requests, source, budgets, current)
                .withProvenance(RunMeta.hostMeta(List.copyOf(spec.commandLine().getParseResult().originalArgs())), devices(curveFile));

        PrintWriter out = spec.commandLine().getOut();
        out.print(markdown(a, curve));
        out.flush();
        if (json != null) {
            ResultsIo.writeAtomically(target, a);
            spec.commandLine().getErr().println("wrote " + json);
            spec.commandLine().getErr().flush();
        }
        return 0;
    }

    static String markdown(Advice a, LatencyCurve curve) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "curve: %s, %d candidate sizes %d..%d (host p50 per forward)%n", a.curve(), curve.size(),
                curve.minTokens(), curve.maxTokens()));
        sb.append(String.format(Locale.ROOT, "workload: %s: %d requests, %d..%d tokens, mean %.1f%n", a.workload().source(),
                a.workload().requests(), a.workload().minTokens(), a.workload().maxTokens(), a.workload().meanTokens()));
        sb.append(String.format(Locale.ROOT, "padding guard: eager when padded > %.2fx tokens and padding > %d tokens; "
                + "above the largest size: chunks of the largest size, the remainder served by the same rule%n", a.guard().padRatio(), a.guard().padSlack()));
        Advice.Limits b = a.budgets();
        sb.append("budgets: ").append(b.maxGraphs() == null && b.maxGraphMib() == null && b.maxCaptureMs() == null ? "none"
                : (b.maxGraphs() == null ? "" : "<= " + b.maxGraphs() + " graphs ") + (b.maxGraphMib() == null ? "" : "<= " + b.maxGraphMib() + " MiB ")
                + (b.maxCaptureMs() == null ? "" : "<= " + b.maxCaptureMs() + " ms capture")).append("\n\n");
        sb.append("chosen sizes (").append(a.sizes().size()).append("): ").append(join(a.sizes())).append("\n\n");
        sb.append("| sizes | count | expected mean ms | p99 ms | mean vs chosen | graph MiB | capture ms | list |\n");
        sb.append("|---|---:|---:|---:|---:|---:|---:|---|\n");
        for (Advice.Row r : a.comparisons())
            sb.append(String.format(Locale.ROOT, "| %s | %d | %.4f | %.4f | %+.2f%% | %s | %s | %s |%n", r.name(), r.sizes().size(), r.expectedMs(),
                    r.p99Ms(), 100 * (r.expectedMs() / a.expectedMs() - 1), opt(r.graphMib()), opt(r.captureMs()), abbreviate(r.sizes())));
        if (!a.marginal().isEmpty()) {
            sb.append("\nmarginal value (mean ms per request saved by each chosen size, i.e. lost when it alone is removed):\n\n");
            sb.append("| size | saved ms | saved % |\n|---:|---:|---:|\n");
            for (Advice.Marginal m : a.marginal())
                sb.append(String.format(Locale.ROOT, "| %d | %.4f | %.2f%% |%n", m.size(), m.savedMs(), 100 * m.savedMs() / a.expectedMs()));
        }
        return sb.toString();
    }

    private static String opt(Double v) {
        return v == null ? "-" : String.format(Locale.ROOT, "%.1f", v);
    }

    private static String join(List<Integer> s) {
        return s.isEmpty() ? "none (eager only)" : s.stream().map(String::valueOf).collect(Collectors.joining(","));
    }

    private static String abbreviate(List<Integer> s) {
        if (s.size() <= 12) return join(s);
        return join(s.subList(0, 5)) + ",…," + join(s.subList(s.size() - 3, s.size()));
    }
}
