package io.prefillbench.cli;

import io.prefillbench.BenchException;
import io.prefillbench.plan.CaptureSizes;

import java.util.stream.IntStream;

/**
 * The token counts of {@code prefill --sweep A:B:STEP}: A, A+STEP, ... up to B, each split into {@code sequences}
 * near-equal sequences. Validated before the GPU is touched.
 */
record SweepRange(int from, int to, int step, int sequences) {
    /** More points than this make a sweep too long to be worth it; sweep a coarser STEP. */
    static final int MAX_POINTS = 512;

    static SweepRange parse(String spec, int sequences, int maxModelLen, int maxNumSeqs) {
        String[] p = spec.strip().split(":", -1);
        int a, b, step;
        try {
            if (p.length != 3) throw new NumberFormatException();
            a = Integer.parseInt(p[0].strip());
            b = Integer.parseInt(p[1].strip());
            step = Integer.parseInt(p[2].strip());
        } catch (NumberFormatException e) {
            throw new BenchException("--sweep '" + spec + "': expected A:B:STEP (token counts), e.g. 8:512:8");
        }
        if (a < 1 || b < a) throw new BenchException("--sweep " + spec + ": need 1 <= A <= B");
        if (step < 1) throw new BenchException("--sweep " + spec + ": STEP must be >= 1");
        int limit = Math.min(CaptureSizes.HARD_CAP, maxModelLen);
        if (b > limit) throw new BenchException("--sweep " + spec + ": B = " + b + " is above --max-model-len / the size cap " + limit);
        long points = (long) (b - a) / step + 1;
        if (points > MAX_POINTS)
            throw new BenchException("--sweep " + spec + " has " + points + " points; at most " + MAX_POINTS + " (use a larger STEP)");
        if (sequences < 1) throw new BenchException("--sweep-batch must be >= 1, got " + sequences);
        if (sequences > maxNumSeqs) throw new BenchException("--sweep-batch " + sequences + " is above --max-num-seqs " + maxNumSeqs);
        if (sequences > a) throw new BenchException("--sweep-batch " + sequences + " needs A >= " + sequences + " (one token per sequence at least)");
        return new SweepRange(a, b, step, sequences);
    }

    int[] tokens() {
        return IntStream.iterate(from, t -> t <= to, t -> t + step).toArray();
    }

    /** {@code tokens} split into {@link #sequences} lengths differing by at most one. */
    int[] split(int tokens) {
        int[] lens = new int[sequences];
        for (int i = 0; i < sequences; i++) lens[i] = tokens / sequences + (i < tokens % sequences ? 1 : 0);
        return lens;
    }
}
