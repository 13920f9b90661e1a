package io.prefillbench.results;

import com.fasterxml.jackson.annotation.JsonInclude;

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
 * @param profile        nullable (older files, {@code --no-profile}): GPU time per op family from the profiling pass
 * @param eagerEnqueueUs nullable: host time of issuing one eager forward's launches without synchronizing (median)
 * @param perLaunchUs    nullable: eagerEnqueueUs / eager launches per forward
 * @param decodeGraph    nullable: true when the batch's steps ran their size's decode plan and graph (uniform-decode
 *                       steps at a size with one); absent otherwise
 * @param freshGraph     nullable: true when the batch's steps ran their size's fresh-prompt plan and graph (no cached
 *                       prefix, at a size with one; since the twenty-sixth session); absent otherwise
 */
public record Workload(String name, List<Integer> seqLens, int tokens, int paddedSize, String fallback,
                       LaunchCounts launchesPerForward, ModeTiming eager, ModeTiming graph, Speedup speedup,
                       HistogramLogs histogramLogs,
                       @JsonInclude(JsonInclude.Include.NON_NULL) Profile profile,
                       @JsonInclude(JsonInclude.Include.NON_NULL) Double eagerEnqueueUs,
                       @JsonInclude(JsonInclude.Include.NON_NULL) Double perLaunchUs,
                       @JsonInclude(JsonInclude.Include.NON_NULL) Boolean decodeGraph,
                       @JsonInclude(JsonInclude.Include.NON_NULL) Boolean freshGraph) {

    /** A workload without the fresh-prompt marker (as files before it held). */
    public Workload(String name, List<Integer> seqLens, int tokens, int paddedSize, String fallback,
                    LaunchCounts launchesPerForward, ModeTiming eager, ModeTiming graph, Speedup speedup,
                    HistogramLogs histogramLogs, Profile profile, Double eagerEnqueueUs, Double perLaunchUs, Boolean decodeGraph) {
        this(name, seqLens, tokens, paddedSize, fallback, launchesPerForward, eager, graph, speedup, histogramLogs, profile, eagerEnqueueUs,
                perLaunchUs, decodeGraph, null);
    }

    /** A workload that ran the plain graphs only (decodeGraph absent). */
    public Workload(String name, List<Integer> seqLens, int tokens, int paddedSize, String fallback,
                    LaunchCounts launchesPerForward, ModeTiming eager, ModeTiming graph, Speedup speedup,
                    HistogramLogs histogramLogs, Profile profile, Double eagerEnqueueUs, Double perLaunchUs) {
        this(name, seqLens, tokens, paddedSize, fallback, launchesPerForward, eager, graph, speedup, histogramLogs, profile, eagerEnqueueUs,
                perLaunchUs, null, null);
    }

    /** A workload without the profiling pass and launch costs (as files before them held). */
    public Workload(String name, List<Integer> seqLens, int tokens, int paddedSize, String fallback,
                    LaunchCounts launchesPerForward, ModeTiming eager, ModeTiming graph, Speedup speedup,
                    HistogramLogs histogramLogs) {
        this(name, seqLens, tokens, paddedSize, fallback, launchesPerForward, eager, graph, speedup, histogramLogs, null, null, null, null, null);
    }

    /** Row label used by report and gate: name and padded size. */
    public String label() {
        return name + "@" + paddedSize;
    }
}
