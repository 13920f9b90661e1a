package io.prefillbench.advise;

import io.prefillbench.BenchException;
import io.prefillbench.plan.PaddingGuard;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;

/**
 * Chooses, among the curve's rows, the capture sizes that minimise the mean cost of {@link ServingModel} over a
 * workload, exactly.
 *
 * <p><b>Why a DP is exact.</b> Fix the largest chosen size M. Every request then breaks into a fixed part (the
 * {@code floor(T/M)} full chunks of a request longer than M, each {@code graph(M)}) and at most one "unit" of
 * {@code u <= M} tokens (T itself, or its remainder), and a unit's cost depends only on the two chosen sizes
 * around it: the next size up {@code b} (graph(b) when the guard allows padding u to b, else eager(u)). So the
 * total is a sum over the intervals {@code (a, b]} between consecutive chosen sizes, and a shortest path over the
 * sorted candidates ending at M is the optimum for that M. The outer loop tries every M (and the empty set).
 * The count limit K is a layer of the DP (paths of at most K edges).
 *
 * <p><b>Memory and capture-time budgets</b> are additive per chosen size, so they are extra knapsack dimensions.
 * Instead of discretising them (measured values are not on a grid, so rounding would not be exact), each DP state
 * keeps the Pareto set of labels (cost, MiB, capture ms): a label is dropped only when another at the same state
 * is no worse in all three, which cannot lose the optimum because everything added after the state depends only
 * on the state, and totals over budget are dropped at once. Without these budgets each state holds one label and
 * this is the plain DP: O(K·n³) for n candidates (O(n³) without a count limit). With them the label sets are in
 * practice small; past {@link #MAX_LABELS} labels the search stops with a message rather than guess.
 */
public final class SizeOptimizer {
    static final long MAX_LABELS = 20_000_000L;

    /**
     * The chosen sizes and the mean cost the DP computed for them (equal, up to rounding, to
     * {@link ServingModel#expected}).
     */
    public record Choice(int[] sizes, double meanMs) {
    }

    private final LatencyCurve curve;
    private final PaddingGuard guard;

    public SizeOptimizer(LatencyCurve curve, PaddingGuard guard) {
        this.curve = curve;
        this.guard = guard;
    }

    private static final class Label {
        final double cost, mib, ms;
        final int row;
        final Label prev;

        Label(double cost, double mib, double ms, int row, Label prev) {
            this.cost = cost;
            this.mib = mib;
            this.ms = ms;
            this.row = row;
            this.prev = prev;
        }
    }

    public Choice optimize(int[] requests, Budgets budgets) {
        if (requests.length == 0) throw new IllegalArgumentException("no requests");
        TreeMap<Integer, Integer> counts = new TreeMap<>();
        for (int t : requests) counts.merge(t, 1, Integer::sum);
        int n = curve.size();
        boolean trackMib = budgets.limitsMemory(), trackMs = budgets.limitsCapture();
        if (trackMib && !curve.hasGraphMib()) throw new BenchException("--max-graph-mib needs graph memory in the curve (graph_mib column)");
        if (trackMs && !curve.hasCaptureMs()) throw new BenchException("--max-capture-ms needs capture times in the curve (capture_ms column)");
        boolean trackCount = budgets.maxGraphs() < n;
        int layers = trackCount ? budgets.maxGraphs() : 1;

        ServingModel eagerOnly = new ServingModel(curve, guard);
        double bestTotal = 0;
        for (var e : counts.entrySet()) bestTotal += e.getValue() * eagerOnly.cost(new int[0], e.getKey());
        int[] best = new int[0];
        long labels = 0;

        for (int m = 0; m < n && layers > 0; m++) {
            int big = curve.row(m).tokens();
            // units (one per request: T itself or its remainder) weighted by count; prefix sums over token values
            double fixed = 0;
            double[] w = new double[big + 1];
            for (var e : counts.entrySet()) {
                int t = e.getKey(), c = e.getValue();
                if (t <= big) w[t] += c;
                else {
                    fixed += (double) c * (t / big) * curve.row(m).graphMs();
                    if (t % big != 0) w[t % big] += c;
                }
            }
            double[] cnt = new double[big + 1], eag = new double[big + 1];
            for (int u = 1; u <= big; u++) {
                cnt[u] = cnt[u - 1] + w[u];
                eag[u] = eag[u - 1] + (w[u] == 0 ? 0 : w[u] * curve.eagerMs(u));
            }
            // lowest unit each row's graph may serve under the guard (allowed units are upward closed)
            int[] lowest = new int[m + 1];
            for (int j = 0; j <= m; j++) lowest[j] = lowestServed(curve.row(j).tokens());

            // labels[k][j]: sets of labels for paths of k+1 sizes (or any count when untracked) ending at row j
            @SuppressWarnings("unchecked")
            List<Label>[][] at = new List[layers][m + 1];
            for (int k = 0; k < layers; k++) {
                for (int j = 0; j <= m; j++) {
                    LatencyCurve.Row rj = curve.row(j);
                    double mibJ = trackMib ? rj.graphMib() : 0, msJ = trackMs ? rj.captureMs() : 0;
                    List<Label> cand = new ArrayList<>();
                    if (k == 0) {
                        Label l = new Label(interval(0, j, lowest[j], cnt, eag), mibJ, msJ, j, null);
                        if (budgets.fits(1, l.mib, l.ms)) cand.add(l);
                    }
                    int fromLayer = trackCount ? k - 1 : 0;
                    if (fromLayer >= 0) {
                        for (int i = 0; i < j; i++) {
                            List<Label> src = at[fromLayer][i];
                            if (src == null || src.isEmpty()) continue;
                            double step = interval(curve.row(i).tokens(), j, lowest[j], cnt, eag);
                            for (Label p : src) {
                                double mib = p.mib + mibJ, ms = p.ms + msJ;
                                if (budgets.fits(1, mib, ms)) cand.add(new Label(p.cost + step, mib, ms, j, p));
                            }
                        }
                    }
                    List<Label> kept = pareto(cand);
                    labels += kept.size();
                    if (labels > MAX_LABELS)
                        throw new BenchException("the --max-graph-mib/--max-capture-ms budgets make the exact search too large ("
                                + MAX_LABELS + " labels); give a coarser curve (fewer rows) or drop one budget");
                    at[k][j] = kept;
                }
            }
            for (int k = 0; k < layers; k++) {
                List<Label> end = at[k][m];
                if (end == null) continue;
                for (Label l : end) {
                    double total = l.cost + fixed;
                    if (total < bestTotal) {
                        bestTotal = total;
                        best = sizesOf(l);
                    }
                }
            }
        }
        return new Choice(best, bestTotal / requests.length);
    }

    /** Summed cost of the units in (a, row j]: graph(row j) from {@code lowest} up, eager below it. */
    private double interval(int a, int j, int lowest, double[] cnt, double[] eag) {
        int b = curve.row(j).tokens();
        int firstGraph = Math.max(a + 1, lowest);
        double cost = 0;
        if (firstGraph <= b) cost += curve.row(j).graphMs() * (cnt[b] - cnt[firstGraph - 1]);
        int lastEager = Math.min(b, firstGraph - 1);
        if (lastEager > a) cost += eag[lastEager] - eag[a];
        return cost;
    }

    /** Smallest u in [1, size] the guard lets replay the graph of {@code size}; monotone, so binary search. */
    private int lowestServed(int size) {
        int lo = 1, hi = size; // decide(size, size) is always GRAPH (no padding)
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (guard.decide(mid, size).mode() == PaddingGuard.Mode.GRAPH) hi = mid;
            else lo = mid + 1;
        }
        return lo;
    }

    private static List<Label> pareto(List<Label> cand) {
        if (cand.size() <= 1) return cand;
        cand.sort(Comparator.comparingDouble((Label l) -> l.cost).thenComparingDouble(l -> l.mib).thenComparingDouble(l -> l.ms));
        List<Label> kept = new ArrayList<>();
        outer:
        for (Label c : cand) {
            for (Label k : kept) if (k.mib <= c.mib && k.ms <= c.ms) continue outer; // k.cost <= c.cost by order
            kept.add(c);
        }
        return kept;
    }

    private int[] sizesOf(Label l) {
        List<Integer> s = new ArrayList<>();
        for (Label x = l; x != null; x = x.prev) s.add(curve.row(x.row).tokens());
        int[] a = s.stream().mapToInt(Integer::intValue).toArray();
        Arrays.sort(a);
        return a;
    }
}
