package io.prefillbench.gate;

import io.prefillbench.results.Results;
import io.prefillbench.results.SyntheticRuns;
import io.prefillbench.results.SyntheticRuns.Shape;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Error rates of the gate over 1000 seeded trials per scenario, each a baseline and a current run of 200 paired
 * samples with typical noise (shared drift 5%, own jitter 8%, 1% outliers). The printed rates go into the notes.
 */
class GateStatisticsTest {
    static final int TRIALS = 1000, SAMPLES = 200;
    static final Shape LONG = SyntheticRuns.ERNIE_SHAPES.get(3); // eager 2.43 ms, graph 1.31 ms: speedup ~1.85
    static final GateOptions OPTIONS = GateOptions.defaults().withResamples(300);

    record Tally(int slower, int slowerByRatio, int noisy) {
    }

    static Tally trials(long salt, double eagerFactor, double graphFactor) {
        int[] counts = IntStream.range(0, TRIALS).parallel().mapToObj(t -> {
            SplittableRandom rng = new SplittableRandom(salt * 1_000_003L + t);
            Results base = SyntheticRuns.quickRun(rng, SAMPLES, LONG, SyntheticRuns.Noise.TYPICAL, 1, 1);
            Results cur = SyntheticRuns.quickRun(rng, SAMPLES, LONG, SyntheticRuns.Noise.TYPICAL, eagerFactor, graphFactor);
            GateOutcome o = Gate.comparePrefill("base", base, "cur", cur, OPTIONS.withSeed(t));
            GateRow row = o.rows().getFirst();
            return new int[]{o.regressed() ? 1 : 0, row.ratioVerdict() == Verdict.SLOWER ? 1 : 0,
                    row.verdict() == Verdict.NOISY ? 1 : 0};
        }).reduce(new int[3], (a, b) -> new int[]{a[0] + b[0], a[1] + b[1], a[2] + b[2]});
        return new Tally(counts[0], counts[1], counts[2]);
    }

    @Test
    void aaRunsPassInAtLeast99PercentOfTrials() {
        Tally aa = trials(1, 1, 1);
        System.out.printf("gate A/A: false alarm (exit 1) in %d/%d trials = %.1f%% (ratio metric alone %d), NOISY %d%n",
                aa.slower(), TRIALS, 100.0 * aa.slower() / TRIALS, aa.slowerByRatio(), aa.noisy());
        assertTrue(aa.slower() <= TRIALS / 100, "false alarm rate above 1%: " + aa);
    }

    @Test
    void graphTenPercentSlowerIsCaught() {
        // graph latency x 1/0.9: the speedup ratio drops by exactly 10%, and the graph p50 rises by 11%
        Tally t = trials(2, 1, 1 / 0.9);
        System.out.printf("gate planted -10%% ratio (graph slower): detected in %d/%d trials = %.1f%% (ratio metric alone %.1f%%)%n",
                t.slower(), TRIALS, 100.0 * t.slower() / TRIALS, 100.0 * t.slowerByRatio() / TRIALS);
        assertTrue(t.slower() >= TRIALS * 95 / 100, "detection below 95%: " + t);
    }

    @Test
    void ratioOnlyDropIsCaughtByTheRatioMetric() {
        // eager 10% faster, graph unchanged: only the speedup ratio (-10%) can see this
        Tally t = trials(3, 0.9, 1);
        System.out.printf("gate planted -10%% ratio (eager faster, graph same): detected in %d/%d trials = %.1f%%%n",
                t.slower(), TRIALS, 100.0 * t.slower() / TRIALS);
        assertEquals(t.slower(), t.slowerByRatio(), "graph metric must not fire when graph latency is unchanged");
        assertTrue(t.slower() >= TRIALS * 85 / 100, "ratio-only detection below 85%: " + t);
    }
}
