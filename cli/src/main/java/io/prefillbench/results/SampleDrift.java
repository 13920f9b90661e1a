package io.prefillbench.results;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * How a mode's host samples moved within its timed loop: the median of the first fifth against the median of the last.
 * Why: a warm-up too short for the JIT leaves its compilation inside the timed loop (or a busy host slows part of it), and
 * the p50 then mixes two speeds.
 * The committed H200 prefill files of 2026-11-30..12-01 show it: 191 of their 686 workload modes moved beyond both bounds
 * below, 188 of them faster at the end (the first workload's eager forwards by up to 35 %, 73 graph modes by 5-10 %);
 * s29 call 4's tiny graph read 53 us for 70 % of its loop, then 45.6.
 *
 * <p>Reported when the move exceeds {@link #LIMIT} and four standard errors of the difference of the two medians (each
 * fifth's spread from its median absolute deviation, on a log scale), so that a noisy host's fifths alone do not read as a
 * drift.
 *
 * <p>Two shapes move the fifths apart. A warm-up too short for the JIT is a <em>trend</em>: the loop starts slow and settles.
 * A host busy for part of the loop <em>comes and goes</em>: a middle fifth is back at the first fifth's speed after one at
 * the last's (s30 call 1: run B's short eager read 573 us in its first tenth and in its seventh and eighth, 476-489
 * otherwise, under --warmup-ms 1000). The two ask for different fixes: a longer warm-up, or a quieter host.
 *
 * @param firstMs       median of the first fifth of the samples, ms
 * @param lastMs        median of the last fifth, ms
 * @param noiseLog      standard error of ln(lastMs / firstMs) from the two fifths' spread
 * @param comesAndGoes  a middle fifth is nearer the first fifth's median after an earlier one was nearer the last's
 */
public record SampleDrift(double firstMs, double lastMs, double noiseLog, boolean comesAndGoes) {
    /** A move beyond this fraction is reported (when also beyond the noise). */
    public static final double LIMIT = 0.05;
    /** What each shape asks for, as gate and report say it beside the lines of {@link #beyondLimit(Results)}. */
    public static final String READING = "a trend: a warm-up too short; comes and goes: a host busy for part of the loop";
    /** Fewer samples say nothing: a fifth of them must hold a median of its own. */
    public static final int MIN_SAMPLES = 50;

    /** The drift of {@code samplesNs} in run order, or empty when there are too few to tell. */
    public static Optional<SampleDrift> of(long[] samplesNs) {
        if (samplesNs == null || samplesNs.length < MIN_SAMPLES) return Optional.empty();
        int k = samplesNs.length / 5;
        long[] first = Arrays.copyOfRange(samplesNs, 0, k), last = Arrays.copyOfRange(samplesNs, samplesNs.length - k, samplesNs.length);
        double a = SpeedupStats.median(first), b = SpeedupStats.median(last);
        // the median of k samples has a standard error of ~1.2533 sigma / sqrt(k); sigma ~1.4826 MAD (log scale)
        double se = 1.2533 * Math.sqrt((sq(logSigma(first, a)) + sq(logSigma(last, b))) / k);
        // fifths 2..4: once one sits on the last fifth's side of the midpoint, a later one back on the first's side
        double mid = (a + b) / 2;
        boolean settled = false, back = false;
        for (int f = 1; f < 4; f++) {
            double m = SpeedupStats.median(Arrays.copyOfRange(samplesNs, f * k, (f + 1) * k));
            boolean firstSide = (m - mid) * (a - mid) > 0;
            if (!firstSide) settled = true;
            else if (settled) back = true;
        }
        return Optional.of(new SampleDrift(a / 1e6, b / 1e6, se, back));
    }

    private static double logSigma(long[] xs, double median) {
        double[] dev = new double[xs.length];
        for (int i = 0; i < xs.length; i++) dev[i] = Math.abs(Math.log(xs[i] / median));
        Arrays.sort(dev);
        int n = dev.length;
        return 1.4826 * (n % 2 == 1 ? dev[n / 2] : (dev[n / 2 - 1] + dev[n / 2]) / 2);
    }

    private static double sq(double x) {
        return x * x;
    }

    /** last / first - 1: negative when the loop got faster. */
    public double change() {
        return lastMs / firstMs - 1;
    }

    public boolean beyondLimit() {
        return Math.abs(change()) > LIMIT && Math.abs(Math.log(lastMs / firstMs)) > 4 * noiseLog;
    }

    /**
     * One line per workload mode of {@code r} whose samples moved beyond both bounds, e.g. "short graph: 0.453 -> 0.421 ms
     * (-7.1 %, a trend)" or "(..., comes and goes)".
     */
    public static List<String> beyondLimit(Results r) {
        List<String> lines = new ArrayList<>();
        for (Workload w : r.workloads()) {
            for (String mode : List.of("eager", "graph")) {
                ModeTiming t = mode.equals("eager") ? w.eager() : w.graph();
                if (t == null) continue;
                of(t.samplesHostNs()).filter(SampleDrift::beyondLimit).ifPresent(d -> lines.add(String.format(Locale.ROOT,
                        "%s %s: %.3f -> %.3f ms (%+.1f %%, %s)", w.name(), mode, d.firstMs(), d.lastMs(), 100 * d.change(),
                        d.comesAndGoes() ? "comes and goes" : "a trend")));
            }
        }
        return lines;
    }
}
