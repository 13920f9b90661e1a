package io.prefillbench.gate;

import io.prefillbench.results.JmhComparison;
import io.prefillbench.results.JmhScore;
import org.junit.jupiter.api.Test;

import io.prefillbench.results.Results;
import io.prefillbench.results.SyntheticRuns;
import io.prefillbench.results.Workload;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GateTest {
    static final double T = 0.05;

    @Test
    void classifyFollowsTheDocumentedRules() {
        assertEquals(Verdict.SLOWER, Gate.classify(new Bounded(0.90, 0.88, 0.93), T));
        assertEquals(Verdict.FASTER, Gate.classify(new Bounded(1.10, 1.07, 1.12), T));
        assertEquals(Verdict.SAME, Gate.classify(new Bounded(1.00, 0.98, 1.02), T));
        // narrow but straddling the threshold: a borderline change, not a confident regression
        assertEquals(Verdict.SAME, Gate.classify(new Bounded(0.95, 0.93, 0.97), T));
        // wide and reaching past a threshold: cannot tell
        assertEquals(Verdict.NOISY, Gate.classify(new Bounded(0.90, 0.80, 1.01), T));
        assertEquals(Verdict.NOISY, Gate.classify(new Bounded(1.0, 0, Double.POSITIVE_INFINITY), T));
        // wide but confidently below: still a regression
        assertEquals(Verdict.SLOWER, Gate.classify(new Bounded(0.70, 0.55, 0.90), T));
        // zero tolerance: any confident change counts
        assertEquals(Verdict.SLOWER, Gate.classify(new Bounded(0.99, 0.985, 0.995), 0));
    }

    @Test
    void rowTakesTheWorseMetric() {
        assertEquals(Verdict.SLOWER, Verdict.worst(Verdict.FASTER, Verdict.SLOWER));
        assertEquals(Verdict.NOISY, Verdict.worst(Verdict.NOISY, Verdict.SAME));
        assertEquals(Verdict.FASTER, Verdict.worst(Verdict.SAME, Verdict.FASTER));
    }

    @Test
    void normalQuantileMatchesTables() {
        assertEquals(1.6448536, NormalQuantile.of(0.95), 1e-6);
        assertEquals(1.9599640, NormalQuantile.of(0.975), 1e-6);
        assertEquals(-2.3263479, NormalQuantile.of(0.01), 1e-6);
        assertEquals(3.0902323, NormalQuantile.of(0.999), 1e-6);
    }

    @Test
    void jmhBoundsComeFromScoreErrorsInQuadrature() {
        // 1% relative standard error on each of the four scores -> se(log q) = 2%
        double e = 0.01 * JmhScore.Z_999;
        JmhComparison base = point(2.0, 2.0 * e, 1.0, 1.0 * e);
        JmhComparison cur = point(2.0, 2.0 * e, 1.25, 1.25 * e); // graph 25% slower: ratio 1.6 vs 2.0
        GateRow row = Gate.compareJmhPoint("p", base, cur, NormalQuantile.of(0.95), GateOptions.defaults());
        assertEquals(0.8, row.ratioChange().estimate(), 1e-12);
        assertEquals(0.8 * Math.exp(1.6448536 * 0.02), row.ratioChange().high(), 1e-6);
        assertEquals(Verdict.SLOWER, row.verdict());
        GateRow same = Gate.compareJmhPoint("p", base, base, NormalQuantile.of(0.95), GateOptions.defaults());
        assertEquals(Verdict.SAME, same.verdict());
        JmhComparison unknown = new JmhComparison("b.fwd", "avgt", new TreeMap<>(Map.of("workload", "w")),
                new JmhScore(2.0, Double.NaN, "ms/op", new double[0]), new JmhScore(1.25, Double.NaN, "ms/op", new double[0]));
        assertEquals(Verdict.NOISY, Gate.compareJmhPoint("p", base, unknown, NormalQuantile.of(0.95), GateOptions.defaults()).verdict());
    }

    static final SyntheticRuns.Shape LONG = SyntheticRuns.ERNIE_SHAPES.get(3);
    static final SyntheticRuns.Noise QUIET = new SyntheticRuns.Noise(0.02, 0.02, 0);

    static Results run(long seed, double eagerFactor, double graphFactor) {
        return SyntheticRuns.quickRun(new SplittableRandom(seed), 300, LONG, QUIET, eagerFactor, graphFactor);
    }

    @Test
    void eagerFasterWithGraphUnchangedFailsOnTheRatioAndSaysSo() {
        GateOutcome o = Gate.comparePrefill("b", run(1, 1, 1), "c", run(2, 0.85, 1), GateOptions.defaults());
        GateRow row = o.rows().getFirst();
        assertEquals(Verdict.SLOWER, row.ratioVerdict());
        assertEquals(Verdict.FASTER, row.eagerVerdict());
        assertEquals(Verdict.SAME, row.graphVerdict());
        assertEquals(List.of("ratio"), row.failed());
        assertEquals(1, o.exitCode());
        assertTrue(o.toMarkdown().contains("**FAIL: ratio**"), o.toMarkdown());
        // and names why, with the way to gate the graph alone (the note is in the --json verdict too)
        assertTrue(o.notes().stream().anyMatch(n -> n.contains("the ratio fell because eager got faster (-1") && n.contains("--fail-on graph")),
                o.notes().toString());
    }

    @Test
    void aRatioFailureWithTheGraphSlowerGetsNoEagerNote() {
        // eager 15% faster and the graph 12% slower: a real regression, no hint to look away from the ratio
        GateOutcome o = Gate.comparePrefill("b", run(1, 1, 1), "c", run(2, 0.85, 1.12), GateOptions.defaults());
        assertEquals(1, o.exitCode());
        assertTrue(o.notes().stream().noneMatch(n -> n.contains("eager got faster")), o.notes().toString());
    }

    @Test
    void eagerSlowerAloneFailsOnlyWhenAskedFor() {
        // eager 15% slower, graph unchanged: the ratio improves, only the eager latency regressed
        Results base = run(1, 1, 1), cur = run(2, 1.15, 1);
        GateOutcome byDefault = Gate.comparePrefill("b", base, "c", cur, GateOptions.defaults());
        assertEquals(Verdict.SLOWER, byDefault.rows().getFirst().eagerVerdict());
        assertEquals(0, byDefault.exitCode(), byDefault.toMarkdown());
        GateOutcome strict = Gate.comparePrefill("b", base, "c", cur, GateOptions.defaults().withFailOn(Set.of(Metric.EAGER)));
        assertEquals(List.of("eager"), strict.rows().getFirst().failed());
        assertEquals(1, strict.exitCode());
    }

    @Test
    void graphSlowerWithEagerSlowerTooFailsOnGraphLatency() {
        // both 12% slower: the ratio is unchanged, the graph latency is what regressed
        GateOutcome o = Gate.comparePrefill("b", run(1, 1, 1), "c", run(2, 1.12, 1.12), GateOptions.defaults());
        GateRow row = o.rows().getFirst();
        assertEquals(Verdict.SAME, row.ratioVerdict());
        assertEquals(List.of("graph"), row.failed());
        assertEquals(1, o.exitCode());
    }

    @Test
    void oneModeRowsGateThatModesLatencyAndTheRatioIsNa() {
        Results base = eagerOnly(run(1, 1, 1)), same = eagerOnly(run(2, 1, 1)), slow = eagerOnly(run(3, 1.2, 1));
        GateRow row = Gate.comparePrefill("b", base, "c", same, GateOptions.defaults()).rows().getFirst();
        assertEquals(Verdict.NA, row.ratioVerdict());
        assertEquals(Verdict.NA, row.graphVerdict());
        assertEquals(Verdict.SAME, row.eagerVerdict());
        GateOutcome o = Gate.comparePrefill("b", base, "c", slow, GateOptions.defaults());
        assertEquals(List.of("eager"), o.rows().getFirst().failed()); // counts although --fail-on lacks eager
        assertTrue(o.toMarkdown().contains("| n/a | n/a | n/a | n/a |"), o.toMarkdown());
    }

    static Results eagerOnly(Results r) {
        Workload w = r.workloads().getFirst();
        Workload e = new Workload(w.name(), w.seqLens(), w.tokens(), w.paddedSize(), w.fallback(), w.launchesPerForward(),
                w.eager(), null, null, null);
        return new Results(r.schema(), true, r.meta(), r.devices(), r.config(), r.captures(), List.of(e), r.throttling());
    }

    static JmhComparison point(double eager, double eagerErr, double graph, double graphErr) {
        return new JmhComparison("b.fwd", "avgt", new TreeMap<>(Map.of("workload", "w")),
                new JmhScore(eager, eagerErr, "ms/op", new double[0]), new JmhScore(graph, graphErr, "ms/op", new double[0]));
    }
}
