package io.prefillbench.serve;

import org.HdrHistogram.Histogram;

import java.util.List;

/**
 * What a serving run measured: TTFT and TPOT percentiles (HdrHistogram, 3 significant digits,
 * milliseconds), throughput over the makespan (first arrival .. last completion), the share of
 * steps replayed from graphs, padding waste, and how many steps were prefill-only, decode-only or mixed.
 */
public record ServeSummary(int requests, double makespanS, Percentiles ttftMs, Percentiles tpotMs, double requestsPerS, double outputTokensPerS,
                           double totalTokensPerS, int steps, int graphSteps, double graphShare, long realTokens, long paddedTokens,
                           double paddingWaste, int prefillSteps, int decodeSteps, int mixedSteps, double meanStepTokens) {

    /** p50/p90/p99/max and mean of one latency, milliseconds; count 0 and zeros when nothing was recorded. */
    public record Percentiles(long count, double p50, double p90, double p99, double max, double mean) {
        static Percentiles of(Histogram h) {
            if (h.getTotalCount() == 0) return new Percentiles(0, 0, 0, 0, 0, 0);
            return new Percentiles(h.getTotalCount(), ms(h.getValueAtPercentile(50)), ms(h.getValueAtPercentile(90)),
                    ms(h.getValueAtPercentile(99)), ms(h.getMaxValue()), h.getMean() / 1e3);
        }

        private static double ms(long micros) {
            return micros / 1e3;
        }
    }

    static ServeSummary of(List<RequestRecord> reqs, List<StepRecord> steps, double makespanS) {
        Histogram ttft = new Histogram(3), tpot = new Histogram(3);
        long out = 0, total = 0;
        for (RequestRecord r : reqs) {
            ttft.recordValue(Math.max(1, Math.round(r.ttftMs() * 1e3)));
            if (r.tpotMs() != null) tpot.recordValue(Math.max(1, Math.round(r.tpotMs() * 1e3)));
            out += r.outputTokens();
            total += r.outputTokens() + r.promptTokens();
        }
        int graph = 0, prefill = 0, decode = 0, mixed = 0;
        long real = 0, padded = 0;
        for (StepRecord s : steps) {
            if (s.graph()) graph++;
            switch (s.kind()) {
                case "prefill" -> prefill++;
                case "decode" -> decode++;
                default -> mixed++;
            }
            real += s.tokens();
            padded += s.paddedTokens();
        }
        double span = Math.max(makespanS, 1e-9);
        return new ServeSummary(reqs.size(), makespanS, Percentiles.of(ttft), Percentiles.of(tpot), reqs.size() / span, out / span, total / span,
                steps.size(), graph, steps.isEmpty() ? 0 : (double) graph / steps.size(), real, padded,
                padded == 0 ? 0 : (double) (padded - real) / padded, prefill, decode, mixed, steps.isEmpty() ? 0 : (double) real / steps.size());
    }
}
