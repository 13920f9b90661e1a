package io.prefillbench.advise;

import io.prefillbench.plan.PaddingGuard;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The DP against brute force over every subset of candidate sizes, on seeded random curves, workloads and budgets. */
class SizeOptimizerPropertyTest {

    record Instance(LatencyCurve curve, PaddingGuard guard, int[] requests, Budgets budgets) {
    }

    static Instance randomInstance(SplittableRandom rng) {
        int n = rng.nextInt(1, 10);
        TreeSet<Integer> tokens = new TreeSet<>();
        while (tokens.size() < n) tokens.add(rng.nextInt(1, 200));
        List<LatencyCurve.Row> rows = new ArrayList<>();
        for (int t : tokens) {
            double eager = 0.5 + 0.01 * t + rng.nextDouble(); // noisy, not monotone
            double graph = eager * rng.nextDouble(0.4, 1.3); // sometimes slower than eager
            rows.add(new LatencyCurve.Row(t, eager, graph, rng.nextDouble(0.1, 3), rng.nextDouble(0.5, 5)));
        }
        LatencyCurve curve = new LatencyCurve(rows);
        PaddingGuard guard = new PaddingGuard(rng.nextDouble(1, 3), rng.nextInt(0, 40));
        int[] requests = new int[rng.nextInt(1, 60)];
        int maxLen = curve.maxTokens() * 3; // long ones are chunked
        for (int i = 0; i < requests.length; i++) requests[i] = rng.nextInt(1, maxLen + 1);
        int k = rng.nextInt(4) == 0 ? Integer.MAX_VALUE : rng.nextInt(0, n + 1);
        double mib = rng.nextBoolean() ? Double.POSITIVE_INFINITY : rng.nextDouble(0, 8);
        double ms = rng.nextBoolean() ? Double.POSITIVE_INFINITY : rng.nextDouble(0, 12);
        return new Instance(curve, guard, requests, new Budgets(k, mib, ms));
    }

    /** Optimum over all 2^n subsets that fit the budgets, evaluated directly by the serving model. */
    static double bruteForce(Instance in) {
        ServingModel model = new ServingModel(in.curve(), in.guard());
        int n = in.curve().size();
        double best = Double.POSITIVE_INFINITY;
        for (int mask = 0; mask < (1 << n); mask++) {
            int[] sizes = new int[Integer.bitCount(mask)];
            double mib = 0, ms = 0;
            for (int i = 0, k = 0; i < n; i++)
                if ((mask & (1 << i)) != 0) {
                    sizes[k++] = in.curve().row(i).tokens();
                    mib += in.curve().row(i).graphMib();
                    ms += in.curve().row(i).captureMs();
                }
            if (!in.budgets().fits(sizes.length, in.budgets().limitsMemory() ? mib : 0, in.budgets().limitsCapture() ? ms : 0)) continue;
            best = Math.min(best, model.expected(sizes, in.requests()).meanMs());
        }
        return best;
    }

    @Test
    void dpMatchesBruteForceOnSeededRandomInstances() {
        SplittableRandom rng = new SplittableRandom(20261125L);
        int withBudgets = 0, chunked = 0;
        for (int trial = 0; trial < 600; trial++) {
            Instance in = randomInstance(rng);
            SizeOptimizer.Choice c = new SizeOptimizer(in.curve(), in.guard()).optimize(in.requests(), in.budgets());
            double brute = bruteForce(in);
            String what = "trial " + trial + " " + in;
            assertEquals(brute, c.meanMs(), 1e-9 * Math.max(1, brute), what);
            // the sizes the DP reports really have the cost it claims, and fit the budgets
            ServingModel model = new ServingModel(in.curve(), in.guard());
            assertEquals(c.meanMs(), model.expected(c.sizes(), in.requests()).meanMs(), 1e-9 * Math.max(1, brute), what);
            double mib = 0, ms = 0;
            for (int s : c.sizes()) {
                mib += in.curve().row(in.curve().indexOf(s)).graphMib();
                ms += in.curve().row(in.curve().indexOf(s)).captureMs();
            }
            assertTrue(in.budgets().fits(c.sizes().length, in.budgets().limitsMemory() ? mib : 0, in.budgets().limitsCapture() ? ms : 0), what);
            if (in.budgets().limitsMemory() || in.budgets().limitsCapture() || in.budgets().maxGraphs() < in.curve().size()) withBudgets++;
            if (c.sizes().length > 0 && Arrays.stream(in.requests()).anyMatch(t -> t > c.sizes()[c.sizes().length - 1])) chunked++;
        }
        assertTrue(withBudgets > 300, "budgets exercised in " + withBudgets + " instances");
        assertTrue(chunked > 200, "chunking exercised in " + chunked + " instances");
    }

    @Test
    void chunkingCostsFullChunksOfTheLargestSizePlusTheRemainderByTheRule() {
        // sizes 8 and 32; 75 tokens = 2 x 32 + 11; 11 pads to 32 (2.9x, 21 tokens over slack 16): eager(11)
        LatencyCurve curve = new LatencyCurve(List.of(new LatencyCurve.Row(8, 1.0, 0.5, 1, 1), new LatencyCurve.Row(32, 2.0, 1.5, 1, 1)));
        ServingModel model = new ServingModel(curve, new PaddingGuard(2.0, 16));
        double eager11 = 1.0 + (11 - 8) / 24.0 * 1.0;
        assertEquals(2 * 1.5 + eager11, model.cost(new int[]{8, 32}, 75), 1e-12);
        assertEquals(2 * 1.5 + 0.5, model.cost(new int[]{8, 32}, 72), 1e-12); // remainder 8 replays size 8
        assertEquals(2 * 1.5, model.cost(new int[]{8, 32}, 64), 1e-12); // no remainder
        assertEquals(1.5, model.cost(new int[]{8, 32}, 20), 1e-12); // 20 -> 32 within 16 tokens slack
        assertEquals(2 * 2.0 + eager11, model.cost(new int[0], 75), 1e-12); // no graphs: eager chunks of the last row, 32
    }

    @Test
    void knownOptimumOnAHandMadeCurve() {
        // every request is 100 tokens: the 128 graph (0.8 ms) beats eager (1.5) and the 256 graph (1.9)
        LatencyCurve curve = new LatencyCurve(List.of(new LatencyCurve.Row(64, 1.2, 0.6, 1, 1),
                new LatencyCurve.Row(128, 1.7, 0.8, 1, 1), new LatencyCurve.Row(256, 2.5, 1.9, 1, 1)));
        int[] requests = new int[50];
        Arrays.fill(requests, 100);
        SizeOptimizer.Choice c = new SizeOptimizer(curve, PaddingGuard.DEFAULT).optimize(requests, Budgets.NONE);
        assertArrayEquals(new int[]{128}, c.sizes());
        assertEquals(0.8, c.meanMs(), 1e-12);
        // with no graph allowed, eager at 100 tokens: 1.2 + 36/64 * 0.5
        SizeOptimizer.Choice none = new SizeOptimizer(curve, PaddingGuard.DEFAULT).optimize(requests, new Budgets(0, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY));
        assertArrayEquals(new int[0], none.sizes());
        assertEquals(1.2 + 36 / 64.0 * 0.5, none.meanMs(), 1e-12);
    }
}
