package io.prefillbench.advise;

import io.prefillbench.plan.PaddingGuard;

import java.util.Arrays;

/**
 * What a request costs under a set of capture sizes, computed directly (the reference the optimizer is tested
 * against). A request of T tokens:
 * <ul>
 *   <li>no sizes: eager, chunked like the engine at its longest forward, the curve's last row L:
 *       {@code floor(T / L)·eager(L) + eager(T mod L)};</li>
 *   <li>T at most the largest size M: served by the rule below;</li>
 *   <li>T above M: chunked as the engine does, {@code floor(T / M)} chunks of exactly M tokens (each replays the
 *       graph of M, no padding) and the remainder {@code T mod M}, if any, served by the rule.</li>
 * </ul>
 * The rule for {@code u <= M} tokens: the smallest size {@code s >= u} replays when the padding guard allows it
 * (cost {@code graph(s)}), else the forward runs eager (cost {@code eager(u)}).
 */
public record ServingModel(LatencyCurve curve, PaddingGuard guard) {

    /** Per-request cost in ms for the given sizes (ascending, distinct, inside the curve's range). */
    public double[] costs(int[] sizes, int[] requests) {
        double[] c = new double[requests.length];
        for (int i = 0; i < requests.length; i++) c[i] = cost(sizes, requests[i]);
        return c;
    }

    public double cost(int[] sizes, int t) {
        if (sizes.length == 0) {
            int big = curve.maxTokens(), r = t % big;
            return (t / big) * curve.eagerMs(big) + (r == 0 ? 0 : curve.eagerMs(r));
        }
        int m = sizes[sizes.length - 1];
        if (t <= m) return serve(sizes, t);
        int r = t % m;
        return (t / m) * curve.graphMs(m) + (r == 0 ? 0 : serve(sizes, r));
    }

    private double serve(int[] sizes, int u) {
        int i = Arrays.binarySearch(sizes, u);
        int s = sizes[i >= 0 ? i : -i - 1];
        return guard.decide(u, s).mode() == PaddingGuard.Mode.GRAPH ? curve.graphMs(s) : curve.eagerMs(u);
    }

    /** Mean and p99 (nearest rank) of the per-request costs. */
    public Expected expected(int[] sizes, int[] requests) {
        double[] c = costs(sizes, requests);
        return Expected.of(c);
    }

    /** Mean and p99 over requests, in ms. */
    public record Expected(double meanMs, double p99Ms) {
        static Expected of(double[] costs) {
            double sum = 0;
            for (double v : costs) sum += v;
            double[] s = costs.clone();
            Arrays.sort(s);
            int rank = (int) Math.ceil(0.99 * s.length);
            return new Expected(sum / s.length, s[Math.clamp(rank - 1, 0, s.length - 1)]);
        }
    }
}
