package io.prefillbench.results;

import java.util.List;
import java.util.Map;

/**
 * What was asked of the run: every option of {@code prefill} that changes timing. Files written before a field
 * existed lack it; Jackson then leaves it null, which means "unknown" (the gate warns and does not compare it).
 *
 * @param model          preset name, e.g. "ernie-4.5-0.3b"
 * @param modelShape     free-form shape of the preset (hidden size, layers, ...), shown as-is in reports
 * @param sizes          captured graph sizes in tokens, ascending
 * @param iterations     --iterations as given (not used when {@code timedBy} names a duration)
 * @param gemm           GEMM policy, e.g. "bucket-invariant" (older results: "batch-invariant")
 * @param maxModelLen    nullable: --max-model-len (sizes the KV cache)
 * @param timedBy        nullable: "iterations" or "duration 5.0 s" (--duration)
 * @param pdl            nullable: programmatic dependent launch on (--pdl / --no-pdl)
 * @param padRatio       nullable: padding guard ratio (--pad-ratio)
 * @param padSlack       nullable: padding guard slack in tokens (--pad-slack)
 * @param modeOrder      nullable: order of eager and graph within a timed pair, e.g. {@link #ABBA}
 * @param slowdownCycles nullable: planted graph-only busy kernel (--slowdown-cycles), 0 when none
 * @param implChoices    nullable: the implementation choices the lowering read (bundled or --impl-choices), with a digest
 * @param libraryEdges   nullable: captured graphs let our kernel after a cuBLASLt call launch early (--library-edges,
 *                       on with PDL by default; false with --no-library-edges or --no-pdl)
 * @param hostTiming     nullable: where the host samples come from (--host-timing): "separate: ..." (forwards without the
 *                       GPU-timing events, since the twenty-sixth session) or "events: ..." (the event-timed forwards; files
 *                       without the field were timed that way)
 * @param firstTokens    nullable: how the host waited for a forward's first tokens (--first-tokens): "sync: ..."
 *                       (cudaStreamSynchronize) or "spin: ..." (the host spins on argmax's pinned output); a file without
 *                       the field synchronized, which {@link #conditions()} says ({@link #FIRST_TOKENS_SYNC})
 * @param warmupMs       nullable: --warmup-ms, the least time each workload warmed up for besides {@code warmup}
 *                       iterations; 0: none (a file without the field had none, which {@link #conditions()} says)
 * @param primeMs        nullable: --prime-ms, the least time heavy forwards ran before each workload; 0: none (a file
 *                       without the field was not primed, which {@link #conditions()} says)
 * @param layoutWith     nullable: the other implementation choices the buffer layout also covered (--layout-with), each with
 *                       its digest, after {@link #LAYOUT_OWN}; null: the run's own plans only, as in every file before the
 *                       field ({@link #conditions()} says so)
 * @param l2PersistBytes nullable: bytes of the LM head's weight its launches kept in the device's L2 set-aside across
 *                       forwards (--l2-persist); 0: none, as in every file before the field ({@link #conditions()} says so)
 */
public record RunConfig(String model, Map<String, Object> modelShape, List<Integer> sizes, int maxNumSeqs, int warmup,
                        int iterations, long seed, String gemm, Integer maxModelLen, String timedBy, Boolean pdl,
                        Double padRatio, Integer padSlack, String modeOrder, Long slowdownCycles, String implChoices,
                        Boolean libraryEdges, String hostTiming, String firstTokens, Long warmupMs, Long primeMs, String layoutWith,
                        Long l2PersistBytes) {
    /** Eager first in even iterations, graph first in odd ones, warm-up included: neither mode always goes first. */
    public static final String ABBA = "abba: eager-graph, graph-eager, ...";
    /** {@code firstTokens} of every run before the field existed (FirstTokenWait.SYNC's record). */
    public static final String FIRST_TOKENS_SYNC = "sync: cudaStreamSynchronize after the forward's launch";
    /** {@code layoutWith}'s meaning when absent, and the head of its value when present. */
    public static final String LAYOUT_OWN = "own plans";

    /** As before the layout field: the layout over the run's own plans. */
    public RunConfig(String model, Map<String, Object> modelShape, List<Integer> sizes, int maxNumSeqs, int warmup,
                     int iterations, long seed, String gemm, Integer maxModelLen, String timedBy, Boolean pdl,
                     Double padRatio, Integer padSlack, String modeOrder, Long slowdownCycles, String implChoices,
                     Boolean libraryEdges, String hostTiming, String firstTokens, Long warmupMs, Long primeMs) {
        this(model, modelShape, sizes, maxNumSeqs, warmup, iterations, seed, gemm, maxModelLen, timedBy, pdl, padRatio, padSlack,
                modeOrder, slowdownCycles, implChoices, libraryEdges, hostTiming, firstTokens, warmupMs, primeMs, null, null);
    }

    /** As before the L2 field: nothing held in the L2 set-aside. */
    public RunConfig(String model, Map<String, Object> modelShape, List<Integer> sizes, int maxNumSeqs, int warmup,
                     int iterations, long seed, String gemm, Integer maxModelLen, String timedBy, Boolean pdl,
                     Double padRatio, Integer padSlack, String modeOrder, Long slowdownCycles, String implChoices,
                     Boolean libraryEdges, String hostTiming, String firstTokens, Long warmupMs, Long primeMs, String layoutWith) {
        this(model, modelShape, sizes, maxNumSeqs, warmup, iterations, seed, gemm, maxModelLen, timedBy, pdl, padRatio, padSlack,
                modeOrder, slowdownCycles, implChoices, libraryEdges, hostTiming, firstTokens, warmupMs, primeMs, layoutWith, null);
    }

    /** Bytes the run held in the L2 set-aside: 0 for a file without the field (no run before it set any aside). */
    public long l2Persisted() {
        return l2PersistBytes == null ? 0 : l2PersistBytes;
    }

    /**
     * The run conditions the gate compares, by name, in a fixed order; values are null where the file predates the
     * field. The model is compared separately (as the preset).
     */
    public Map<String, Object> conditions() {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("sizes", sizes);
        m.put("maxNumSeqs", maxNumSeqs);
        m.put("maxModelLen", maxModelLen);
        m.put("warmup", warmup);
        m.put("iterations", iterations);
        m.put("timedBy", timedBy);
        m.put("seed", seed);
        m.put("gemm", gemm);
        m.put("pdl", pdl);
        m.put("padRatio", padRatio);
        m.put("padSlack", padSlack);
        m.put("modeOrder", modeOrder);
        m.put("slowdownCycles", slowdownCycles);
        m.put("implChoices", implChoices);
        m.put("libraryEdges", libraryEdges);
        m.put("hostTiming", hostTiming);
        m.put("firstTokens", firstTokens == null ? FIRST_TOKENS_SYNC : firstTokens);  // known, not unknown: every older run synced
        m.put("warmupMs", warmupMs == null ? 0L : warmupMs);  // known too: every older run warmed up by count only
        m.put("primeMs", primeMs == null ? 0L : primeMs);  // known too: no older run was primed
        m.put("layoutWith", layoutWith == null ? LAYOUT_OWN : layoutWith);  // known too: every older run laid out its own plans
        m.put("l2PersistBytes", l2Persisted());  // known too: no older run set L2 aside
        return m;
    }
}
