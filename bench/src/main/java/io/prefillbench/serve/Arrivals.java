package io.prefillbench.serve;

import io.prefillbench.BenchException;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The requests of a serving run, sorted by arrival: Poisson arrivals at a rate, or a trace, each
 * bounded by a request count and/or an arrival window; prompt token ids random from the seed.
 * Requests that cannot fit the KV cache of one sequence ({@code prompt + output - 1 > max-model-len})
 * are rejected here, before any GPU work; lognormal lengths are clamped to fit instead.
 */
public final class Arrivals {
    private Arrivals() {
    }

    /**
     * @param ratePerSecond mean arrivals per second (exponential gaps)
     * @param requests      stop after this many (null: no count bound)
     * @param durationS     stop at arrivals after this many seconds (null: no window bound)
     */
    public static List<Request> poisson(double ratePerSecond, LengthDistribution prompt, LengthDistribution output, Integer requests,
                                        Double durationS, int maxModelLen, int vocab, long seed) {
        if (!(ratePerSecond > 0) || Double.isInfinite(ratePerSecond)) throw new BenchException("--rate must be a positive number of requests per second, got " + ratePerSecond);
        checkBounds(requests, durationS);
        checkFits(prompt, output, maxModelLen);
        Random rnd = new Random(seed);
        List<Request> out = new ArrayList<>();
        double t = 0;
        long limit = durationS == null ? Long.MAX_VALUE : (long) (durationS * 1e9);
        while (requests == null || out.size() < requests) {
            t += -Math.log(1 - rnd.nextDouble()) / ratePerSecond;
            long at = (long) (t * 1e9);
            if (at > limit) break;
            int o = Math.min(output.sample(rnd), maxModelLen);
            int p = Math.min(prompt.sample(rnd), maxModelLen - o + 1);
            out.add(new Request(out.size(), at, rnd.ints(p, 0, vocab).toArray(), o));
        }
        if (out.isEmpty()) throw new BenchException("no request arrives within --duration " + durationS + " s at --rate " + ratePerSecond + ": raise one of them");
        return out;
    }

    /** The trace's requests, all of them unless bounded by {@code requests} / {@code durationS} (null: no bound). */
    public static List<Request> fromTrace(List<TraceFile.Entry> trace, Integer requests, Double durationS, int maxModelLen, int vocab, long seed) {
        if (requests != null || durationS != null) checkBounds(requests, durationS);
        Random rnd = new Random(seed);
        List<Request> out = new ArrayList<>();
        for (TraceFile.Entry e : trace) {
            if (requests != null && out.size() >= requests) break;
            if (durationS != null && e.arrivalMs() > durationS * 1e3) break;
            if (e.promptTokens() + e.outputTokens() - 1 > maxModelLen) {
                throw new BenchException("KV cache too small for the request on trace line " + e.line() + ": prompt " + e.promptTokens()
                        + " + output " + e.outputTokens() + " - 1 tokens exceed --max-model-len " + maxModelLen);
            }
            out.add(new Request(out.size(), Math.round(e.arrivalMs() * 1e6), rnd.ints(e.promptTokens(), 0, vocab).toArray(), e.outputTokens()));
        }
        if (out.isEmpty()) throw new BenchException("no trace request arrives within --duration " + durationS + " s");
        return out;
    }

    /** Fixed and uniform lengths must fit one sequence's KV at their largest; lognormal ones are clamped. */
    public static void checkFits(LengthDistribution prompt, LengthDistribution output, int maxModelLen) {
        boolean clamped = prompt instanceof LengthDistribution.LogNormal || output instanceof LengthDistribution.LogNormal;
        long need = clamped ? (long) prompt.min() + output.min() - 1 : (long) prompt.max() + output.max() - 1;
        if (need > maxModelLen) {
            throw new BenchException("KV cache too small for one request: prompt " + (clamped ? prompt.min() : prompt.max()) + " + output "
                    + (clamped ? output.min() : output.max()) + " - 1 tokens exceed --max-model-len " + maxModelLen
                    + " (raise --max-model-len or shorten --prompt-len/--output-len)");
        }
    }

    private static void checkBounds(Integer requests, Double durationS) {
        if (requests == null && durationS == null) throw new BenchException("bound the run with --requests N or --duration SECONDS");
        if (requests != null && requests < 1) throw new BenchException("--requests must be at least 1, got " + requests);
        if (durationS != null && !(durationS > 0)) throw new BenchException("--duration must be a positive number of seconds, got " + durationS);
    }
}
