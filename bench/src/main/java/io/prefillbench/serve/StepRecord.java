package io.prefillbench.serve;

/**
 * One executed step, as logged: when it started (ms after the run start), how long it took on the
 * host, its composition, whether a graph replayed it and the tokens it computed.
 */
public record StepRecord(int index, double startMs, double hostMs, double gpuMs, String kind, int prefillSeqs, int prefillTokens,
                         int decodeSeqs, int tokens, int paddedTokens, boolean graph, int waiting, int running) {
    public static final String CSV_HEADER = "step,start_ms,host_ms,gpu_ms,kind,prefill_seqs,prefill_tokens,decode_seqs,tokens,padded_tokens,graph,waiting,running";

    public String csv() {
        return String.format(java.util.Locale.ROOT, "%d,%.3f,%.3f,%.3f,%s,%d,%d,%d,%d,%d,%b,%d,%d", index, startMs, hostMs, gpuMs, kind, prefillSeqs,
                prefillTokens, decodeSeqs, tokens, paddedTokens, graph, waiting, running);
    }

    /** Batch composition, e.g. [1,80,80,80] style: "3x1+1x80" is too lossy, so decode count and prefill tokens. */
    public String composition() {
        return decodeSeqs + "d+" + prefillSeqs + "p(" + prefillTokens + " tok)";
    }
}
