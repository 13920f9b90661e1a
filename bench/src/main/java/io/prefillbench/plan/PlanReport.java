package io.prefillbench.plan;

import io.prefillbench.BenchException;
import io.prefillbench.forward.BufferLayout;
import io.prefillbench.forward.ForwardProgram;
import io.prefillbench.forward.ImplChoices;
import io.prefillbench.forward.ImplRegistry;
import io.prefillbench.forward.LoweredForward;
import io.prefillbench.forward.LoweredOp;
import io.prefillbench.forward.LoweredPlan;
import io.prefillbench.forward.OpKind;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a set of capture sizes means for one model: attention tile capacity per size (exact worst
 * case against the {@code [1, ..., 1, rest]} heuristic), padding waste for given prompt lengths,
 * static buffer memory and weight memory. Pure data (serializable as JSON) plus
 * {@link #toMarkdown()}.
 */
public record PlanReport(PlanShape shape, List<Integer> captureSizes, int maxNumSeqs, int smCount, int maxModelLen,
                         PaddingGuard guard, long params, long weightBytes, List<SizeRow> sizes,
                         List<PromptRow> prompts, List<BufferLayout.Slice> buffers, long bufferBytes, List<BucketRow> lowered) {
    /** Upper limit of {@code maxNumSeqs}: engines use 256 to 1024. */
    public static final int MAX_NUM_SEQS_LIMIT = 1024;

    /**
     * One capture size.
     *
     * @param seqs           sequences the worst case uses: {@code min(maxNumSeqs, size)}
     * @param exactTiles     largest tile count over all splits (the capacity to capture)
     * @param heuristicTiles tiles of {@code [1, ..., 1, rest]}
     * @param under          the heuristic under-counts: a graph captured with it overflows
     * @param worstSplit     a split reaching {@code exactTiles}, as {@code "31x13 + 109"}
     * @param gemmSplits     split-K of qkv/o/gate_up/down/lm_head at this size
     * @param tileRows       rows per attention tile of the size's plain plan (the tile counts are in these tiles)
     */
    public record SizeRow(int size, int seqs, int exactTiles, int heuristicTiles, boolean under, String worstSplit,
                          String gemmSplits, int tileRows) {
    }

    /**
     * One capture size's lowered plan in brief.
     *
     * @param launches       kernel launches (and library calls) per forward
     * @param perLayer       launches of decoder layer 0
     * @param gemms          per GEMM of layer 0 and the LM head: implementation and splits
     * @param workspaceBytes split-K workspace the plan uses (sum over its workspace tensors)
     * @param ops            the lowered ops, one line each (only for the first and last size and 16 / 512)
     * @param mmaTiles       a layer GEMM at this size, above the streaming kernels' 64 rows, runs our mma.sync tiles
     *                       ({@link GemmTiling}) rather than a library call: where the H200 measured them 1.5-1.7x
     *                       slower than cuBLASLt (results/README.md, seventh session)
     * @param decodeGraph    null, or what the size's decode graph (uniform-decode batches) runs differently
     * @param freshGraph     null, or what the size's fresh-prompt graph (batches without a cached prefix) runs differently
     */
    public record BucketRow(int size, int launches, int perLayer, String gemms, long workspaceBytes, List<String> ops,
                            boolean mmaTiles, String decodeGraph, String freshGraph, int smemCarveout) {
        public BucketRow(int size, int launches, int perLayer, String gemms, long workspaceBytes, List<String> ops, boolean mmaTiles) {
            this(size, launches, perLayer, gemms, workspaceBytes, ops, mmaTiles, null, null, -1);
        }
    }

    /**
     * The ops a decode plan runs on other implementations than the plain plan, as "op kind: plain -> decode" once each,
     * paired by op name (the plans may differ in their ops: a plain plan whose attention took over rope_kv has no rope op,
     * shown as "rope_kv in IMPL -> rope_kv_write"; an op of the plain plan the other folded into one of its ops, as
     * "attention IMPL -> in IMPL").
     */
    static String decodeDifference(LoweredPlan plain, LoweredPlan decode) {
        java.util.Map<String, String> plainImpl = new java.util.HashMap<>();
        java.util.Map<String, LoweredOp> plainOp = new java.util.HashMap<>();
        for (LoweredOp a : plain.ops()) {
            plainImpl.put(a.op().name(), a.impl().name());
            plainOp.put(a.op().name(), a);
            for (String f : a.fused()) plainImpl.putIfAbsent(f, "in " + a.impl().name());
        }
        java.util.Set<String> seen = new java.util.LinkedHashSet<>();
        for (LoweredOp b : decode.ops()) {
            String a = plainImpl.getOrDefault(b.op().name(), "none");
            if (!a.equals(b.impl().name())) seen.add(b.op().kind().name().toLowerCase(Locale.ROOT) + " " + a + " -> " + b.impl().name());
            for (String f : b.fused()) {
                LoweredOp own = plainOp.get(f);  // an op the plain plan runs on its own
                if (own != null) seen.add(own.op().kind().name().toLowerCase(Locale.ROOT) + " " + own.impl().name() + " -> in " + b.impl().name());
            }
        }
        return String.join(", ", seen);
    }

    /**
     * One prompt run alone.
     *
     * @param bucket         capture size used, or null when the prompt is longer than all
     * @param mode           GRAPH, EAGER or CHUNKED
     * @param steps          forward steps (1 unless chunked)
     * @param computedTokens tokens the steps compute, padding included
     * @param wastePercent   padding share of the computed tokens
     * @param reason         why, per step for chunked prompts
     */
    public record PromptRow(int promptLen, Integer bucket, String mode, int steps, int computedTokens,
                            double wastePercent, String reason) {
    }

    /**
     * Computes the report.
     *
     * @param promptLens prompt lengths for the padding table (may be empty)
     * @throws BenchException on bad input (maxNumSeqs, smCount, maxModelLen, prompt lengths)
     */
    public static PlanReport build(PlanShape shape, CaptureSizes sizes, int maxNumSeqs, int smCount, int maxModelLen,
                                   int[] promptLens, PaddingGuard guard) {
        return build(shape, sizes, maxNumSeqs, smCount, maxModelLen, promptLens, guard, ImplChoices.bundled());
    }

    /** {@link #build}, lowered with {@code choices} instead of the bundled measurements file. */
    public static PlanReport build(PlanShape shape, CaptureSizes sizes, int maxNumSeqs, int smCount, int maxModelLen,
                                   int[] promptLens, PaddingGuard guard, ImplChoices choices) {
        if (maxNumSeqs < 1 || maxNumSeqs > MAX_NUM_SEQS_LIMIT) {
            throw new BenchException("max num seqs must be in [1, " + MAX_NUM_SEQS_LIMIT + "], got " + maxNumSeqs);
        }
        if (smCount < 1) {
            throw new BenchException("SM count must be >= 1, got " + smCount);
        }
        if (maxModelLen < 1) {
            throw new BenchException("max model len must be >= 1, got " + maxModelLen);
        }
        if (sizes.largest() > maxModelLen) {
            throw new BenchException("capture size " + sizes.largest() + " is above the max model len " + maxModelLen);
        }
        LoweredForward lowered = lower(shape, sizes, maxNumSeqs, smCount, maxModelLen, choices);
        List<SizeRow> rows = new ArrayList<>();
        int group = shape.group();
        for (int size : sizes.sizes()) {
            int rpt = lowered.plan(size).key().tileRows();  // the plain plan's attention tiles
            int[] worst = TileMath.worstCaseSplit(size, maxNumSeqs, group, rpt);
            int exact = TileMath.sumTiles(worst, group, rpt);
            int heuristic = TileMath.heuristicTiles(size, maxNumSeqs, group, rpt);
            rows.add(new SizeRow(size, worst.length, exact, heuristic, heuristic < exact, describeSplit(worst),
                    gemmSplits(lowered.plan(size)), rpt));
        }
        List<PromptRow> prompts = new ArrayList<>();
        for (int i = 0; i < promptLens.length; i++) {
            if (promptLens[i] < 1) {
                throw new BenchException("prompt length " + promptLens[i] + " (entry " + (i + 1) + ") must be >= 1");
            }
            if (promptLens[i] > maxModelLen) {
                throw new BenchException("prompt length " + promptLens[i] + " is above the max model len " + maxModelLen);
            }
            prompts.add(promptRow(promptLens[i], sizes, guard));
        }
        List<BufferLayout.Slice> buffers = lowered.layout().slices();
        long bufferBytes = lowered.layout().totalBytes();
        List<BucketRow> buckets = new ArrayList<>();
        for (LoweredPlan p : lowered.all()) {
            int size = p.key().size();
            boolean listOps = size == 16 || size == 512 || size == sizes.sizes()[0] || size == sizes.largest();
            long ws = 0;
            for (String w : p.workspaces().keySet()) ws += p.bytes(w);
            buckets.add(new BucketRow(size, p.launchCount(), p.launchesPerLayer(0), gemmImpls(p), ws,
                    listOps ? opLines(p) : List.of(), mmaTiles(p), lowered.decodePlan(size).map(d -> decodeDifference(p, d)).orElse(null),
                    lowered.freshPlan(size).map(d -> decodeDifference(p, d)).orElse(null), p.smemCarveout()));
        }
        return new PlanReport(shape, sizes.asList(), maxNumSeqs, smCount, maxModelLen, guard, shape.params(),
                shape.weightBytes(), List.copyOf(rows), List.copyOf(prompts), List.copyOf(buffers), bufferBytes, List.copyOf(buckets));
    }

    /** Rows whose heuristic capacity is too small. */
    public List<SizeRow> underCounted() {
        return sizes.stream().filter(SizeRow::under).toList();
    }

    static PromptRow promptRow(int len, CaptureSizes sizes, PaddingGuard guard) {
        if (len <= sizes.largest()) {
            PaddingGuard.Decision d = guard.decide(len, sizes);
            return new PromptRow(len, sizes.bucketFor(len).getAsInt(), d.mode().name(), 1, d.paddedTokens(),
                    d.wastePercent(), d.reason());
        }
        ChunkPlan plan = new ChunkPlanner(sizes.largest(), 1).plan(new int[] {len});
        int computed = 0;
        List<String> reasons = new ArrayList<>();
        for (ChunkPlan.Step step : plan.steps()) {
            PaddingGuard.Decision d = guard.decide(step.tokens(), sizes);
            computed += d.paddedTokens();
            reasons.add(d.reason());
        }
        double waste = 100.0 * (computed - len) / computed;
        String reason = plan.steps().size() + " chunks of <= " + sizes.largest() + " tokens; last: " + reasons.getLast();
        return new PromptRow(len, null, "CHUNKED", plan.steps().size(), computed, waste, reason);
    }

    /** Run-length form of a split, ascending lengths: {@code [13, 13, 109] -> "2x13 + 109"}. */
    static String describeSplit(int[] lens) {
        TreeMap<Integer, Integer> counts = new TreeMap<>();
        for (int len : lens) {
            counts.merge(len, 1, Integer::sum);
        }
        StringBuilder sb = new StringBuilder();
        counts.forEach((len, n) -> sb.append(sb.isEmpty() ? "" : " + ").append(n == 1 ? "" : n + "x").append(len));
        return sb.toString();
    }

    /**
     * The forward of this shape lowered for every size on an sm_90 device with {@code smCount} SMs
     * and the bundled measurements file: the same lowering the engine runs.
     */
    public static LoweredForward lower(PlanShape shape, CaptureSizes sizes, int maxNumSeqs, int smCount, int maxModelLen) {
        return lower(shape, sizes, maxNumSeqs, smCount, maxModelLen, ImplChoices.bundled());
    }

    /** {@link #lower}, with {@code choices} instead of the bundled measurements file. */
    public static LoweredForward lower(PlanShape shape, CaptureSizes sizes, int maxNumSeqs, int smCount, int maxModelLen,
                                       ImplChoices choices) {
        return LoweredForward.of(ForwardProgram.of(ForwardProgram.Dims.of(shape)), sizes, maxNumSeqs, maxModelLen, smCount, 90,
                ImplRegistry.standard(), choices);
    }

    /**
     * The lowered ops of one size in issue order, one line each, led by the stream column
     * ({@code s0} main, {@code s1} the side branch, indented); a main-stream op that is a fork or join
     * point says which branch it forks after it or joins before it.
     */
    static List<String> opLines(LoweredPlan p) {
        Map<String, List<String>> forks = new java.util.HashMap<>(), joins = new java.util.HashMap<>();
        for (LoweredOp o : p.ops()) {
            if (o.stream() == 0) continue;
            forks.computeIfAbsent(o.forkAfter(), x -> new ArrayList<>()).add(o.op().name());
            joins.computeIfAbsent(o.joinBefore(), x -> new ArrayList<>()).add(o.op().name());
        }
        List<String> lines = new ArrayList<>();
        for (LoweredOp o : p.ops()) {
            StringBuilder sb = new StringBuilder(o.stream() == 0 ? "s0  " : "  s" + o.stream() + "  ").append(o.describe(p.key()));
            String name = o.op().name();
            if (o.stream() == 0 && joins.containsKey(name)) sb.append("  <- join ").append(String.join(",", joins.get(name)));
            if (o.stream() == 0 && forks.containsKey(name)) sb.append("  -> fork ").append(String.join(",", forks.get(name)));
            lines.add(sb.toString());
        }
        return lines;
    }

    /** Splits of the GEMMs of layer 0 and the LM head, in program order: {@code "8/8/2/8/1"}. */
    static String gemmSplits(LoweredPlan p) {
        StringBuilder sb = new StringBuilder();
        for (LoweredOp o : p.ops()) {
            if (o.op().kind() == OpKind.GEMM && (o.op().layer() == 0 || o.op().layer() < 0)) {
                sb.append(sb.isEmpty() ? "" : "/").append(o.splits());
            }
        }
        return sb.toString();
    }

    /**
     * {@code base} plus, for every decoder-layer GEMM shape that some plan of {@code forward} runs on our mma.sync tiles
     * above 64 rows ({@link #mmaTiles}), one {@code cublaslt_gemm} range row from 65 to the largest capture size, for
     * the forward's arch; rows already in {@code base} keep winning where they match (exact rows first). The new rows are
     * unmeasured and say so: they are what {@code plan --cublaslt-rows} writes for {@code prefill --impl-choices}.
     */
    public static ImplChoices withCublasLtRanges(ImplChoices base, LoweredForward forward, String source) {
        java.util.Set<List<Integer>> shapes = new java.util.LinkedHashSet<>();
        int largest = 0, arch = 0;
        for (LoweredPlan p : forward.all()) {
            largest = Math.max(largest, p.key().size());
            arch = p.key().arch();
            for (LoweredOp o : p.ops()) if (onMmaTiles(p, o)) shapes.add(List.of(o.op().n(), o.op().k()));
        }
        List<ImplChoices.GemmRow> rows = new ArrayList<>(base.gemm());
        int from = StreamTiling.Variant.M64.rows() + 1;
        for (List<Integer> s : shapes) {
            rows.add(new ImplChoices.GemmRow(s.get(0), s.get(1), from, arch, "cublaslt_gemm", 0, source, null, Math.max(from, largest)));
        }
        return base.withGemm(base.provenance(), rows);
    }

    /**
     * What to say about {@code sizes} whose layer GEMMs run our mma.sync tiles (plan's note, and the one prefill, sweep and
     * serve print on stderr).
     */
    public static String mmaTilesNote(List<Integer> sizes) {
        return "at " + (sizes.size() == 1 ? "size " : "sizes ") + sizes.toString().replaceAll("[\\[\\]]", "")
                + " this model's layer GEMMs run our mma.sync tiles: the implementation choices have no row for them. On the"
                + " H200 such sizes of ERNIE-4.5-0.3B ran 1.5-1.7x slower than with cuBLASLt (results/README.md, seventh"
                + " session); `plan --cublaslt-rows FILE` writes cuBLASLt range rows for them, to measure with `prefill --impl-choices FILE`.";
    }

    /** Whether a decoder-layer GEMM of this plan with more than 64 rows runs one of our mma.sync tile kernels. */
    public static boolean mmaTiles(LoweredPlan p) {
        return p.ops().stream().anyMatch(o -> onMmaTiles(p, o));
    }

    /**
     * A decoder-layer GEMM above the streaming kernels' 64 rows on gemm.cu's mma.sync tiles: neither a library call nor
     * a streaming kernel nor a wgmma + TMA tile (a measurements row chose those).
     */
    private static boolean onMmaTiles(LoweredPlan p, LoweredOp o) {
        String k = o.impl().kernel();
        return o.op().kind() == OpKind.GEMM && o.op().layer() >= 0 && !o.impl().library()
                && p.key().capacity(o.op().rows()) > StreamTiling.Variant.M64.rows() && !k.startsWith("gemm_bf16_stream")
                && !k.startsWith("gemm_bf16_tma_");
    }

    /**
     * Implementation and splits of the GEMMs of layer 0 and the LM head: {@code "qkv gemm_bf16 s8, ..."}; a persistent
     * layer 0 (its GEMMs inside one kernel) as {@code "layer layer_persistent"}.
     */
    static String gemmImpls(LoweredPlan p) {
        StringBuilder sb = new StringBuilder();
        for (LoweredOp o : p.ops()) {
            if (o.op().kind() == OpKind.LAYER && o.op().layer() == 0) sb.append(sb.isEmpty() ? "" : ", ").append("layer ").append(o.impl().name());
            if (o.op().kind() == OpKind.GEMM && (o.op().layer() == 0 || o.op().layer() < 0)) {
                String name = o.op().name();
                sb.append(sb.isEmpty() ? "" : ", ").append(name.substring(name.indexOf('.') + 1)).append(' ').append(o.impl().name())
                        .append(o.splits() > 1 ? " s" + o.splits() : "").append(o.fused().isEmpty() ? "" : " +" + String.join("+", o.fused()));
            }
        }
        return sb.toString();
    }

    /** The report as markdown: a header, then the size, prompt and memory tables. */
    public String toMarkdown() {
        StringBuilder md = new StringBuilder();
        md.append("# Capture plan\n\n");
        md.append("Model: ").append(shape.describe()).append('\n');
        md.append(String.format(Locale.ROOT, "Capture sizes: %s; max num seqs %d; SMs %d; max model len %d; "
                        + "rows per attention tile %d (a size whose attention runs a half-tile form says so in its row); "
                        + "padding guard: eager when padded > %.2fx tokens and > %d tokens of padding%n%n",
                csv(captureSizes), maxNumSeqs, smCount, maxModelLen, TileMath.ROWS_PER_TILE,
                guard.maxPadRatio(), guard.slackTokens()));

        md.append("## Attention tiles per capture size\n\n");
        md.append("| size | seqs | rows per tile | worst-case tiles (exact) | [1,...,1,rest] tiles | flag | worst split | split-K qkv/o/gate_up/down/lm_head |\n");
        md.append("|---:|---:|---:|---:|---:|:---|:---|:---|\n");
        for (SizeRow r : sizes) {
            md.append(String.format(Locale.ROOT, "| %d | %d | %d | %d | %d | %s | %s | %s |%n", r.size(), r.seqs(), r.tileRows(),
                    r.exactTiles(), r.heuristicTiles(), r.under() ? "UNDER by " + (r.exactTiles() - r.heuristicTiles()) : "ok",
                    r.worstSplit(), r.gemmSplits()));
        }
        List<SizeRow> under = underCounted();
        md.append('\n').append(under.isEmpty()
                ? "The heuristic split reaches the worst case at every size.\n\n"
                : under.size() + " size(s) UNDER: a graph captured with [1,...,1,rest] has too few attention tiles "
                        + "for some batches; capture with the worst split.\n\n");

        if (!prompts.isEmpty()) {
            md.append("## Prompt padding (each prompt alone)\n\n");
            md.append("| prompt | bucket | mode | steps | computed tokens | waste % | reason |\n");
            md.append("|---:|---:|:---|---:|---:|---:|:---|\n");
            for (PromptRow p : prompts) {
                md.append(String.format(Locale.ROOT, "| %d | %s | %s | %d | %d | %.1f | %s |%n", p.promptLen(),
                        p.bucket() == null ? "-" : p.bucket().toString(), p.mode(), p.steps(), p.computedTokens(),
                        p.wastePercent(), p.reason()));
            }
            md.append('\n');
        }

        md.append("## Lowered forward per capture size\n\n");
        md.append("| size | launches / forward | per layer | workspace MiB | GEMMs of layer 0 and the LM head |\n|---:|---:|---:|---:|:---|\n");
        for (BucketRow b : lowered) {
            md.append(String.format(Locale.ROOT, "| %d | %d | %d | %s | %s |%n", b.size(), b.launches(), b.perLayer(),
                    mib(b.workspaceBytes()), b.gemms()));
        }
        List<Integer> tiles = lowered.stream().filter(BucketRow::mmaTiles).map(BucketRow::size).toList();
        if (!tiles.isEmpty()) md.append("\nNote: ").append(mmaTilesNote(tiles)).append('\n');
        List<BucketRow> decode = lowered.stream().filter(b -> b.decodeGraph() != null).toList();
        if (!decode.isEmpty()) {
            md.append("\nDecode graphs (a second graph per size, replayed by uniform-decode batches: every sequence one new token after a cached prefix):\n");
            for (BucketRow b : decode) md.append("- size ").append(b.size()).append(": ").append(b.decodeGraph()).append('\n');
        }
        List<BucketRow> fresh = lowered.stream().filter(b -> b.freshGraph() != null).toList();
        if (!fresh.isEmpty()) {
            md.append("\nFresh-prompt graphs (another graph per size, replayed by batches without a cached prefix; mixed steps replay the plain one):\n");
            for (BucketRow b : fresh) md.append("- size ").append(b.size()).append(": ").append(b.freshGraph()).append('\n');
        }
        List<BucketRow> carved = lowered.stream().filter(b -> b.smemCarveout() >= 0).toList();
        if (!carved.isEmpty()) {
            md.append("\nShared memory split (smemCarveout rows: every kernel launch of the size's graphs asks for this share of the SM's "
                    + "L1 / shared memory as shared memory; other sizes take the driver's split per kernel):\n");
            for (BucketRow b : carved) md.append("- size ").append(b.size()).append(": ").append(b.smemCarveout()).append(" %\n");
        }
        md.append('\n');
        for (BucketRow b : lowered) {
            if (b.ops().isEmpty()) continue;
            md.append("### Lowered ops at size ").append(b.size()).append(" (").append(b.perLayer())
                    .append(" kernels per layer, ").append(b.launches()).append(" per forward; stream: s0 main, s1 side branch)\n\n```\n");
            for (String line : b.ops()) md.append(line).append('\n');
            md.append("```\n\n");
        }

        md.append("## Buffer layout (one allocation; slices of tensors never live together may share memory)\n\n");
        md.append("| buffer | shape | bytes | MiB | offset |\n|:---|:---|---:|---:|---:|\n");
        for (BufferLayout.Slice b : buffers) {
            md.append(String.format(Locale.ROOT, "| %s | %s | %d | %s | %d |%n", b.name(), b.shape(), b.bytes(), mib(b.bytes()), b.offset()));
        }
        md.append(String.format(Locale.ROOT, "| **total** | | %d | **%s** | |%n%n", bufferBytes, mib(bufferBytes)));
        md.append(String.format(Locale.ROOT, "Weights: %,d parameters, %s MiB bf16 (KV cache not included).%n",
                params, mib(weightBytes)));
        return md.toString();
    }

    static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.2f", bytes / (1024.0 * 1024.0));
    }

    private static String csv(List<Integer> values) {
        StringBuilder sb = new StringBuilder();
        values.forEach(v -> sb.append(sb.isEmpty() ? "" : ",").append(v));
        return sb.toString();
    }
}
