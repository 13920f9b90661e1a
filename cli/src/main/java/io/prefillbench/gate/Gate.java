package io.prefillbench.gate;

import io.prefillbench.BenchException;
import io.prefillbench.results.BenchInput;
import io.prefillbench.results.JmhComparison;
import io.prefillbench.results.JmhResults;
import io.prefillbench.results.Results;
import io.prefillbench.results.SampleDrift;
import io.prefillbench.results.SpeedupStats;
import io.prefillbench.results.Workload;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Compares a current run against a baseline, per workload and padded size, and decides whether the graph path
 * regressed. Two metrics per row, both oriented so that above 1 is better:
 * <ul>
 *   <li><b>ratio change</b> q = (median eager / median graph)<sub>current</sub> / (median eager / median graph)<sub>baseline</sub>,
 *       the speedup CUDA graphs give now relative to what they gave;</li>
 *   <li><b>graph speed</b> s = median graph<sub>baseline</sub> / median graph<sub>current</sub>, so that a graph path that
 *       got slower in absolute terms is caught even when eager slowed down with it.</li>
 * </ul>
 * <b>Noise.</b> For prefill results the bounds come from a two-sample paired bootstrap: each resample draws n pairs
 * (eager i, graph i) with replacement from the baseline and, independently, from the current run, and computes q*
 * and s* from the four resampled medians. Drawing whole pairs keeps the back-to-back pairing (machine drift that hits
 * both modes of a pair cancels in the ratio); resampling the baseline too means a noisy baseline widens the
 * interval instead of being taken as exact. The one-sided bounds are the (1-c) and c percentiles of the resampled
 * values (c = confidence). For JMH inputs there are no samples; each score's scoreError (a 99.9% half-width) is
 * turned into a standard error of its log, the four add in quadrature for log q (two for log s), and the bounds
 * are exp(log q ± z<sub>c</sub>·se).
 * <p>
 * <b>Verdict</b> of a metric with bounds [L, U] and tolerance t:
 * SLOWER if U &lt; 1 - t (worse by more than the tolerance, with confidence c);
 * FASTER if L &gt; 1 + t; NOISY if neither, but the interval is wider than 2t and reaches past 1 - t or 1 + t (it
 * cannot tell a change beyond the tolerance from none); SAME otherwise. Each row has three such verdicts: the ratio,
 * graph latency and eager latency (NA for a mode not timed in both runs). A row fails when a metric named in
 * {@link GateOptions#failOn()} (default ratio and graph) is SLOWER, and says which; a one-mode row always gates its
 * mode's latency. The gate fails (exit 1) on a failed row or on a baseline workload the current run lacks (unless
 * allowed); it refuses (exit 2) runs whose device, preset or recorded run conditions differ, or with too few samples.
 * <p>
 * Why this passes A/A and catches a real drop: for an unchanged run q ≈ 1, so a false SLOWER needs the upper
 * bound to fall below 1 - t, i.e. the point estimate to sit t plus a one-sided c-bound below its true value; with
 * t = 5% that is far rarer than 1 - c. A 10% drop has q ≈ 0.90, so it is caught whenever the upper bound's
 * half-width is below about 5%, which paired samples of a few hundred give for per-sample noise up to ~10%.
 * GateStatisticsTest measures both rates.
 */
public final class Gate {
    private Gate() {
    }

    /** Compares two inputs of the same kind; BenchException (exit 2) if they cannot be compared. */
    public static GateOutcome compare(BenchInput baseline, BenchInput current, GateOptions o) {
        return switch (baseline) {
            case BenchInput.Prefill b when current instanceof BenchInput.Prefill c ->
                    comparePrefill(b.source().toString(), b.results(), c.source().toString(), c.results(), o);
            case BenchInput.Jmh b when current instanceof BenchInput.Jmh c -> compareJmh(b.jmh(), c.jmh(), o);
            default -> throw new BenchException("cannot compare " + kind(baseline) + " baseline " + baseline.source()
                    + " with " + kind(current) + " current " + current.source());
        };
    }

    public static GateOutcome comparePrefill(String baseName, Results base, String curName, Results cur, GateOptions o) {
        List<String> notes = new ArrayList<>();
        mismatch("device", base.deviceName(), cur.deviceName(), o, notes);
        mismatch("preset", base.config().model(), cur.config().model(), o, notes);
        RunConditions.check(base.config(), cur.config(), o.allowConfigDiff(), notes);
        // not a verdict: a drifting loop still has a p50, but one that mixes two speeds
        driftNotes("baseline", base, notes);
        driftNotes("current", cur, notes);
        Map<String, Workload> baseRows = byLabel(base.workloads());
        Map<String, Workload> curRows = byLabel(cur.workloads());
        List<GateRow> rows = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        int index = 0;
        for (var e : curRows.entrySet()) {
            Workload b = baseRows.get(e.getKey());
            if (b == null) {
                notes.add(e.getKey() + ": not in baseline, not compared");
                continue;
            }
            if (!((b.eager() != null && e.getValue().eager() != null) || (b.graph() != null && e.getValue().graph() != null))) {
                missing.add(e.getKey() + " (no mode timed in both runs)");
                continue;
            }
            enoughSamples(baseName, b, o);
            enoughSamples(curName, e.getValue(), o);
            rows.add(comparePaired(e.getKey(), b, e.getValue(), o, index++));
        }
        for (String label : baseRows.keySet()) if (!curRows.containsKey(label)) missing.add(label);
        if (rows.isEmpty()) throw new BenchException("no common workloads between baseline " + baseName + " and current " + curName);
        eagerOnlyRatioNotes(rows, o, notes);
        return new GateOutcome(baseName, curName, "prefill", o, rows, notes, missing);
    }

    private static void driftNotes(String side, Results r, List<String> notes) {
        for (String d : SampleDrift.beyondLimit(r))
            notes.add(side + "'s host samples moved within its timed loop: " + d + " (" + SampleDrift.READING + ")");
    }

    public static GateOutcome compareJmh(JmhResults base, JmhResults cur, GateOptions o) {
        List<String> notes = new ArrayList<>();
        List<String> bp = base.rows().stream().map(JmhComparison::preset).distinct().sorted().toList();
        List<String> cp = cur.rows().stream().map(JmhComparison::preset).distinct().sorted().toList();
        boolean presetsDiffer = !bp.equals(cp);
        mismatch("preset", String.join(",", bp), String.join(",", cp), o, notes);
        // with an accepted preset mismatch, points are matched without their preset
        Map<String, JmhComparison> baseRows = new LinkedHashMap<>();
        for (JmhComparison c : base.rows()) baseRows.putIfAbsent(c.label(!presetsDiffer), c);
        List<GateRow> rows = new ArrayList<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        double z = NormalQuantile.of(o.confidence());
        for (JmhComparison c : cur.rows()) {
            String key = c.label(!presetsDiffer);
            JmhComparison b = baseRows.get(key);
            if (b == null) {
                notes.add(c.label() + ": not in baseline, not compared");
                continue;
            }
            seen.add(key);
            rows.add(compareJmhPoint(c.label(), b, c, z, o));
        }
        List<String> missing = new ArrayList<>();
        for (String k : baseRows.keySet()) if (!seen.contains(k)) missing.add(k);
        for (String u : cur.unpaired()) notes.add("current " + u);
        if (rows.isEmpty())
            throw new BenchException("no common benchmark points between baseline " + base.source() + " and current " + cur.source());
        return new GateOutcome(base.source().toString(), cur.source().toString(), "jmh", o, rows, notes, missing);
    }

    /** The verdict of one metric (above 1 is better) from its bounds; see the class comment. */
    public static Verdict classify(Bounded m, double tolerance) {
        if (m.high() < 1 - tolerance) return Verdict.SLOWER;
        if (m.low() > 1 + tolerance) return Verdict.FASTER;
        boolean wide = !(m.width() <= 2 * tolerance); // NaN or infinite width is wide
        if (wide && (m.low() < 1 - tolerance || m.high() > 1 + tolerance)) return Verdict.NOISY;
        return Verdict.SAME;
    }

    /**
     * One workload. With both modes in both runs, all three metrics from one paired bootstrap; a mode timed in only one
     * run (or in neither) leaves its latency metric and the ratio n/a.
     */
    static GateRow comparePaired(String label, Workload base, Workload cur, GateOptions o, int rowIndex) {
        boolean eager = base.eager() != null && cur.eager() != null, graph = base.graph() != null && cur.graph() != null;
        // independent streams per row and per run, all derived from the one seed
        SplittableRandom root = new SplittableRandom(o.seed() * 0x9E3779B97F4A7C15L + rowIndex);
        double[][] mb = resampledMedians(base, o, root.split()); // [mode, resample], null rows for modes not timed
        double[][] mc = resampledMedians(cur, o, root.split());
        int r = o.resamples();
        double c = o.confidence();
        Double baseRatio = null;
        Bounded curBounds = null, change = null, graphSpeed = null, eagerSpeed = null;
        Double bme = eager ? median(base.eager()) : null, cme = eager ? median(cur.eager()) : null;
        Double bmg = graph ? median(base.graph()) : null, cmg = graph ? median(cur.graph()) : null;
        if (eager && graph) {
            baseRatio = bme / bmg;
            double curRatio = cme / cmg;
            double[] curRatios = new double[r], q = new double[r];
            for (int k = 0; k < r; k++) {
                curRatios[k] = mc[0][k] / mc[1][k];
                q[k] = curRatios[k] / (mb[0][k] / mb[1][k]);
            }
            curBounds = bounds(curRatio, curRatios, c);
            change = bounds(curRatio / baseRatio, q, c);
        }
        if (graph) graphSpeed = speed(bmg, cmg, mb[1], mc[1], c);
        if (eager) eagerSpeed = speed(bme, cme, mb[0], mc[0], c);
        return GateRow.judge(label, baseRatio, curBounds, change, "ms", ms(bmg), ms(cmg), graphSpeed, ms(bme), ms(cme), eagerSpeed, o);
    }

    /** {eager medians, graph medians} over the resamples; a mode not timed gets null. Pairs are drawn whole. */
    private static double[][] resampledMedians(Workload w, GateOptions o, SplittableRandom rng) {
        long[] e = w.eager() == null ? null : w.eager().samplesHostNs(), g = w.graph() == null ? null : w.graph().samplesHostNs();
        if (e != null && g != null) return SpeedupStats.resampleMedians(e, g, o.resamples(), rng);
        long[] only = e != null ? e : g;
        double[] m = SpeedupStats.resampleMedians(only, only, o.resamples(), rng)[0];
        return e != null ? new double[][] {m, null} : new double[][] {null, m};
    }

    private static Bounded speed(double base, double cur, double[] baseResampled, double[] curResampled, double c) {
        double[] s = new double[baseResampled.length];
        for (int k = 0; k < s.length; k++) s[k] = baseResampled[k] / curResampled[k];
        return bounds(base / cur, s, c);
    }

    private static double median(io.prefillbench.results.ModeTiming m) {
        return SpeedupStats.median(m.samplesHostNs());
    }

    private static Double ms(Double ns) {
        return ns == null ? null : ns / 1e6;
    }

    /** Too few samples make the bootstrap bounds meaningless (one pair gives [1.000, 1.000]): refused, exit 2. */
    private static void enoughSamples(String file, Workload w, GateOptions o) {
        int n = (w.eager() != null ? w.eager() : w.graph()).samplesHostNs().length;
        if (n < o.minSamples())
            throw new BenchException(file + ": " + w.label() + " has " + n + " sample" + (n == 1 ? "" : "s") + " per mode; gating needs at least "
                    + o.minSamples() + " (--min-samples); rerun with more --iterations");
    }

    static GateRow compareJmhPoint(String label, JmhComparison b, JmhComparison c, double z, GateOptions o) {
        double seRatioCur = hypot(c.eager().logStandardError(), c.graph().logStandardError());
        double seRatioBase = hypot(b.eager().logStandardError(), b.graph().logStandardError());
        Bounded curBounds = logNormal(c.ratio(), seRatioCur, z);
        Bounded change = logNormal(c.ratio() / b.ratio(), hypot(seRatioCur, seRatioBase), z);
        // latency speed: baseline time / current time, or current throughput / baseline throughput
        Bounded graphSpeed = jmhSpeed(b.graph(), c.graph(), c.higherIsBetter(), z);
        Bounded eagerSpeed = jmhSpeed(b.eager(), c.eager(), c.higherIsBetter(), z);
        return GateRow.judge(label, b.ratio(), curBounds, change, c.graph().unit(), b.graph().score(), c.graph().score(), graphSpeed,
                b.eager().score(), c.eager().score(), eagerSpeed, o);
    }

    private static Bounded jmhSpeed(io.prefillbench.results.JmhScore b, io.prefillbench.results.JmhScore c, boolean higherIsBetter, double z) {
        double speed = higherIsBetter ? c.score() / b.score() : b.score() / c.score();
        return logNormal(speed, hypot(b.logStandardError(), c.logStandardError()), z);
    }

    private static Bounded bounds(double estimate, double[] resampled, double confidence) {
        double[] sorted = resampled.clone();
        Arrays.sort(sorted);
        return new Bounded(estimate, SpeedupStats.quantile(sorted, 1 - confidence), SpeedupStats.quantile(sorted, confidence));
    }

    private static Bounded logNormal(double estimate, double logSe, double z) {
        if (!Double.isFinite(logSe)) return new Bounded(estimate, 0, Double.POSITIVE_INFINITY);
        return new Bounded(estimate, estimate * Math.exp(-z * logSe), estimate * Math.exp(z * logSe));
    }

    private static double hypot(double a, double b) {
        return Math.sqrt(a * a + b * b); // infinite stays infinite
    }

    private static Map<String, Workload> byLabel(List<Workload> ws) {
        Map<String, Workload> m = new LinkedHashMap<>();
        for (Workload w : ws) m.putIfAbsent(w.label(), w);
        return m;
    }

    /**
     * Rows that fail on the ratio only because eager got faster while the graph did not change: say so, since a
     * fast forward's eager is bound by the host's launch path and moves with the host (on the H200 8-17% between
     * two runs of one call while the graph moved <= 1.5%: results/README.md), so a ratio gate on such a forward
     * flags the host, not the graphs.
     */
    static void eagerOnlyRatioNotes(List<GateRow> rows, GateOptions o, List<String> notes) {
        for (GateRow r : rows) {
            if (!r.failed().equals(List.of(Metric.RATIO.label())) || r.eagerVerdict() != Verdict.FASTER
                    || r.graphVerdict() == Verdict.SLOWER || r.eagerSpeed() == null) continue;
            notes.add(String.format(java.util.Locale.ROOT,
                    "%s: the ratio fell because eager got faster (%+.1f%% latency) while the graph is %s; if eager is host-bound"
                            + " on this machine, gate graph replay alone with --fail-on graph", r.label(),
                    (1 / r.eagerSpeed().estimate() - 1) * 100, r.graphVerdict()));
        }
    }

    private static void mismatch(String what, String base, String cur, GateOptions o, List<String> notes) {
        if (base.equals(cur)) return;
        if (!o.allowMismatch())
            throw new BenchException(what + " differs: baseline \"" + base + "\", current \"" + cur + "\" (pass --allow-mismatch to compare anyway)");
        notes.add(what + " differs (allowed): baseline \"" + base + "\", current \"" + cur + "\"");
    }

    private static String kind(BenchInput in) {
        return in instanceof BenchInput.Jmh ? "JMH" : "prefill results";
    }
}
