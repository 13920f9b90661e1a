package io.prefillbench.results;

import java.util.List;

/**
 * One measured prefill batch. {@code eager} and {@code graph} hold paired samples: sample i of each was
 * measured back to back (A B A B ...), so their sample arrays have equal length.
 *
 * @param seqLens    sequence lengths of the batch
 * @param tokens     sum of seqLens
 * @param paddedSize graph size the batch was padded to
 * @param fallback   null when a captured graph ran; otherwise why the graph path fell back (then
 *                   {@code graph} holds the timing of the fallback path)
 * @param histogramLogs nullable: HdrHistogram logs written beside the results file
 */
public record Workload(String name, List<Integer> seqLens, int tokens, int paddedSize, String fallback,
                       LaunchCounts launchesPerForward, ModeTiming eager, ModeTiming graph, Speedup speedup,
                       HistogramLogs histogramLogs) {

    /** Row label used by report and gate: name and padded size. */
    public String label() {
        return name + "@" + paddedSize;
    }
}
