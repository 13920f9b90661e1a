package io.prefillbench.advise;

import io.prefillbench.BenchException;
import io.prefillbench.plan.PaddingGuard;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Runs the optimizer and builds the comparison rows and marginal values of an {@link Advice}. */
public final class Advisor {
    private final LatencyCurve curve;
    private final ServingModel model;
    private final PaddingGuard guard;

    public Advisor(LatencyCurve curve, PaddingGuard guard) {
        this.curve = curve;
        this.guard = guard;
        this.model = new ServingModel(curve, guard);
    }

    public Advice advise(String curveName, int[] requests, String workloadSource, Budgets budgets, int[] current) {
        if (current != null)
            for (int s : current)
                if (s < curve.minTokens() || s > curve.maxTokens())
                    throw new BenchException("--sizes: " + s + " is outside the curve's range " + curve.minTokens() + ".." + curve.maxTokens()
                            + "; the curve has no graph latency there (sweep a wider range)");
        SizeOptimizer.Choice choice = new SizeOptimizer(curve, guard).optimize(requests, budgets);
        int[] chosen = choice.sizes();
        List<Advice.Row> rows = new ArrayList<>();
        Advice.Row best = row("chosen", chosen, requests);
        rows.add(best);
        if (current != null) rows.add(row("current (--sizes)", current, requests));
        int lo = curve.minTokens(), hi = curve.maxTokens();
        rows.add(row("powers of two", Ladders.powersOfTwo(lo, hi), requests));
        rows.add(row("vLLM-like ladder", Ladders.vllmLike(lo, hi), requests));
        rows.add(row("SGLang-like ladder", Ladders.sglangLike(lo, hi), requests));
        rows.add(row("no graphs (eager)", new int[0], requests));

        List<Advice.Marginal> marginal = new ArrayList<>();
        for (int i = 0; i < chosen.length; i++) {
            int[] without = new int[chosen.length - 1];
            for (int j = 0, k = 0; j < chosen.length; j++) if (j != i) without[k++] = chosen[j];
            marginal.add(new Advice.Marginal(chosen[i], model.expected(without, requests).meanMs() - best.expectedMs()));
        }
        int min = Arrays.stream(requests).min().orElseThrow(), max = Arrays.stream(requests).max().orElseThrow();
        double mean = Arrays.stream(requests).average().orElseThrow();
        return new Advice(Advice.SCHEMA, curveName, new Advice.Workload(workloadSource, requests.length, min, max, mean),
                new Advice.Guard(guard.maxPadRatio(), guard.slackTokens()),
                new Advice.Limits(budgets.maxGraphs() == Integer.MAX_VALUE ? null : budgets.maxGraphs(),
                        budgets.limitsMemory() ? budgets.maxGraphMib() : null, budgets.limitsCapture() ? budgets.maxCaptureMs() : null),
                best.sizes(), best.expectedMs(), best.p99Ms(), best.graphMib(), best.captureMs(), rows, marginal, null, null);
    }

    private Advice.Row row(String name, int[] sizes, int[] requests) {
        ServingModel.Expected e = model.expected(sizes, requests);
        Double mib = curve.hasGraphMib() ? Arrays.stream(sizes).mapToDouble(curve::graphMib).sum() : null;
        Double cap = curve.hasCaptureMs() ? Arrays.stream(sizes).mapToDouble(curve::captureMs).sum() : null;
        return new Advice.Row(name, Arrays.stream(sizes).boxed().toList(), e.meanMs(), e.p99Ms(), mib, cap);
    }
}
