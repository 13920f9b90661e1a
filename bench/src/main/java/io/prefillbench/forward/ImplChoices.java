package io.prefillbench.forward;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.prefillbench.BenchException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Per-(shape, bucket, arch) implementation choices read from a measurements file kept in the
 * repository ({@code impl-choices.json} beside this class), with its provenance. A key with no row
 * gets the rule-based default of each implementation (today's {@link io.prefillbench.plan.GemmTiling}).
 * Rows are matched on the capture key only, never on a real token count.
 */
public record ImplChoices(Provenance provenance, List<GemmRow> gemm, List<FusionRow> fusions, List<KeyRow> l2Prefetch,
                          @JsonInclude(JsonInclude.Include.NON_EMPTY) List<KeyRow> persistentLayers,
                          @JsonInclude(JsonInclude.Include.NON_EMPTY) List<AttentionRow> attention,
                          @JsonInclude(JsonInclude.Include.NON_EMPTY) List<PrefetchRow> prefetchAhead,
                          @JsonInclude(JsonInclude.Include.NON_EMPTY) List<CarveoutRow> smemCarveout) {
    public static final String RESOURCE = "impl-choices.json";

    /**
     * Where the measurements come from: the card, the date, the results file that holds the figures; {@code run}, for a
     * file a command wrote on a GPU (tune-gemm), that run's {@code meta} and {@code devices} blocks as every results file
     * carries them (the jar's git SHA and dirty flag, driver, runtime, JDK, argv, timestamp, device). Absent in the
     * bundled file, whose rows name the results files they come from.
     */
    public record Provenance(String card, String date, String source, String note,
                             @JsonInclude(JsonInclude.Include.NON_NULL) com.fasterxml.jackson.databind.JsonNode run) {
        public Provenance(String card, String date, String source, String note) {
            this(card, date, source, note, null);
        }
    }

    /**
     * A GEMM shape at a bucket: which implementation and (for our kernels) how many splits.
     *
     * @param m      the row capacity (capture size, or sequence capacity for the LM head)
     * @param arch   compute capability (90 = sm_90); 0 matches any
     * @param splits 0 = the implementation's default
     * @param algo   library GEMMs ({@code cublaslt_gemm}): the algorithm to pin, in the form of
     *               {@code CublasLtMatmul.describeAlgo()}; null = the heuristic's first pick at bind time
     * @param mMax   null: the row is for capacity {@code m} only; else for every capacity in {@code [m, mMax]}
     *               (a range row: each bucket takes the heuristic's pick, so no {@code algo}); a row for the exact
     *               capacity wins over a range row
     */
    public record GemmRow(int n, int k, int m, int arch, String impl, int splits, String source, String algo,
                          @JsonInclude(JsonInclude.Include.NON_NULL) Integer mMax,
                          @JsonInclude(JsonInclude.Include.NON_NULL) String batch) {
        @com.fasterxml.jackson.annotation.JsonCreator
        public GemmRow {
            if (algo != null && algo.isBlank()) algo = null;
            FusionRow.checkBatch(batch, "GEMM row " + n + "x" + k + " at m " + m);
            if (mMax != null && mMax < m) {
                throw new IllegalArgumentException("GEMM row " + n + "x" + k + ": mMax " + mMax + " is below m " + m);
            }
            if (mMax != null && algo != null) {
                throw new IllegalArgumentException("GEMM row " + n + "x" + k + " for m " + m + ".." + mMax
                        + " pins algo '" + algo + "': a range row takes the heuristic's pick per bucket; pin an algorithm in a row for one m");
            }
        }

        /** A row for every batch. */
        public GemmRow(int n, int k, int m, int arch, String impl, int splits, String source, String algo, Integer mMax) {
            this(n, k, m, arch, impl, splits, source, algo, mMax, null);
        }

        /** A row for one capacity. */
        public GemmRow(int n, int k, int m, int arch, String impl, int splits, String source, String algo) {
            this(n, k, m, arch, impl, splits, source, algo, null, null);
        }

        /** A row for one capacity without a pinned algorithm. */
        public GemmRow(int n, int k, int m, int arch, String impl, int splits, String source) {
            this(n, k, m, arch, impl, splits, source, null, null, null);
        }

        /** Whether the row serves the graph of this key (as {@link FusionRow#serves}). */
        public boolean serves(CaptureKey key) {
            return FusionRow.serves(batch, key);
        }

        /** Whether the row covers row capacity {@code cap}. */
        public boolean covers(int cap) {
            return inRange(m, mMax, cap);
        }
    }

    /**
     * A fusion rule switched on for one bucket (see {@link ImplRegistry#fusions()}), or for every capture size in
     * {@code [m, mMax]} when {@code mMax} is given (as the GEMM rows' ranges, so a fusion can follow them). With
     * {@code producer}, only a GEMM that runs that implementation is fused (a bucket's rows differ per model: a row
     * measured for one model's tile must not fuse another model's GEMM into a kernel nobody measured), and only into that
     * producer's own fused form: a build without one refuses the row instead of falling back to the generic fused kernel.
     * With {@code n} and {@code k}, only a GEMM of that weight shape (n output columns, k inputs) is fused: a producer
     * such as the plain streaming kernel runs every model's GEMMs below the n32 rows, so a row measured on one model's
     * shape names it (s17: tiny's and Llama-3.2-1B's fusions at 16, not Qwen2.5-0.5B's, which nobody measured).
     * With {@code batch} the row serves one of a size's two graphs only (as an attention row's {@code "decode"}, v52):
     * {@value AttentionRow#DECODE} the decode graph, which uniform-decode batches replay; {@value #PREFILL} the size's
     * other graphs, which every other batch replays (prompts and mixed steps); {@value AttentionRow#FRESH} the fresh-prompt
     * graph, which batches without a cached prefix replay. A size gets a decode or fresh graph where such a row changes its
     * plan (s25: v65's rope fusion gained on prompts and lost on decode steps over long prefixes).
     */
    public record FusionRow(String fusion, int m, int arch, String source, @JsonInclude(JsonInclude.Include.NON_NULL) Integer mMax,
                            @JsonInclude(JsonInclude.Include.NON_NULL) String producer,
                            @JsonInclude(JsonInclude.Include.NON_NULL) Integer n, @JsonInclude(JsonInclude.Include.NON_NULL) Integer k,
                            @JsonInclude(JsonInclude.Include.NON_NULL) String batch) {
        /** The value of {@code batch} that keeps a row out of the decode graphs. */
        public static final String PREFILL = "prefill";

        @com.fasterxml.jackson.annotation.JsonCreator
        public FusionRow {
            checkBatch(batch, "fusion row " + fusion + " at m " + m);
            if (mMax != null && mMax < m) throw new IllegalArgumentException("fusion row " + fusion + ": mMax " + mMax + " is below m " + m);
            if (producer != null && producer.isBlank()) producer = null;
            if ((n == null) != (k == null)) {
                throw new IllegalArgumentException("fusion row " + fusion + " at m " + m + ": give both n and k (the GEMM's weight shape) or neither");
            }
        }

        /** A row for one capture size, any producer. */
        public FusionRow(String fusion, int m, int arch, String source) {
            this(fusion, m, arch, source, null, null, null, null, null);
        }

        /** A row for a range of sizes (or one, mMax null), naming its producer (null: any), for GEMMs of any shape. */
        public FusionRow(String fusion, int m, int arch, String source, Integer mMax, String producer) {
            this(fusion, m, arch, source, mMax, producer, null, null, null);
        }

        /** A row for every batch. */
        public FusionRow(String fusion, int m, int arch, String source, Integer mMax, String producer, Integer n, Integer k) {
            this(fusion, m, arch, source, mMax, producer, n, k, null);
        }

        /** Whether the row serves the graph of this key: every graph without {@code batch}, else the one it names. */
        public boolean serves(CaptureKey key) {
            return serves(batch, key);
        }

        /**
         * Whether a row with this {@code batch} (checked by {@link #checkBatch}) serves the graph of this key: "decode" the
         * decode graph, "prefill" the plain and fresh-prompt graphs, "fresh" the fresh-prompt graph.
         */
        static boolean serves(String batch, CaptureKey key) {
            if (batch == null) return true;
            return switch (batch) {
                case AttentionRow.DECODE -> key.uniformDecode();
                case AttentionRow.FRESH -> key.fresh();
                default -> !key.uniformDecode();
            };
        }

        /** A GEMM or fusion row's {@code batch}: absent, {@value AttentionRow#DECODE}, {@value #PREFILL} or {@value AttentionRow#FRESH}. */
        static void checkBatch(String batch, String row) {
            if (batch != null && !batch.equals(AttentionRow.DECODE) && !batch.equals(PREFILL) && !batch.equals(AttentionRow.FRESH)) {
                throw new IllegalArgumentException(row + ": batch \"" + batch + "\" is none of \"" + AttentionRow.DECODE + "\", \""
                        + PREFILL + "\", \"" + AttentionRow.FRESH + "\" (omit it for rows that serve every batch)");
            }
        }

        /** Whether the row fuses a GEMM of weight shape {@code n} x {@code k} running implementation {@code impl}. */
        public boolean fuses(String impl, int n, int k) {
            return (producer == null || producer.equals(impl)) && (this.n == null || (this.n == n && this.k == k));
        }

        /** Whether the row covers capture size {@code size}. */
        public boolean covers(int size) {
            return inRange(m, mMax, size);
        }
    }

    /**
     * An optional op for one bucket: a row switches it on unless it says {@code "on": false} (a
     * bucket listed as a candidate, not measured yet).
     */
    public record KeyRow(int m, int arch, Boolean on, String source) {
        /** A row that switches the op on. */
        public KeyRow(int m, int arch, String source) {
            this(m, arch, null, source);
        }

        @com.fasterxml.jackson.annotation.JsonCreator
        public KeyRow {
        }

        public boolean enabled() {
            return on == null || on;
        }
    }

    /**
     * The attention implementation for a model's attention shape ({@code qHeads}, {@code kvHeads}, {@code headDim}; 0 matches
     * any, as a GEMM row is keyed by its weight shape) at every capture size in {@code [m, mMax]} ({@code mMax} null: size
     * {@code m} only; an exact row wins over a range), in place of the registry's rule; {@code arch} 0 matches any.
     * {@code batch} {@value #DECODE}: the row is for the size's decode graph only, the one uniform-decode batches replay
     * (every sequence one new token after a cached prefix; {@link CaptureKey#uniformDecode}); a size gets a decode graph
     * where such a row changes its plan. {@code batch} {@value #FRESH}: the row is for the size's fresh-prompt graph only, the
     * one batches without a cached prefix replay ({@link CaptureKey#fresh}; s26 call 12: the t32 form at 81..128 won on
     * prompts and lost on mixed steps over cached prefixes, which replay the plain graph). Rows without it serve every
     * graph; for a decode or fresh graph a row of its kind wins.
     */
    public record AttentionRow(String impl, int qHeads, int kvHeads, int headDim, int m,
                               @JsonInclude(JsonInclude.Include.NON_NULL) Integer mMax, int arch, String source,
                               @JsonInclude(JsonInclude.Include.NON_NULL) String batch) {
        /** The value of {@code batch} that scopes a row to the decode graphs. */
        public static final String DECODE = "decode";
        /** The value of {@code batch} that scopes a row to the fresh-prompt graphs. */
        public static final String FRESH = "fresh";

        @com.fasterxml.jackson.annotation.JsonCreator
        public AttentionRow {
            if (impl == null || impl.isBlank()) throw new IllegalArgumentException("attention row for m " + m + " names no impl");
            if (mMax != null && mMax < m) throw new IllegalArgumentException("attention row " + impl + ": mMax " + mMax + " is below m " + m);
            if (batch != null && !batch.equals(DECODE) && !batch.equals(FRESH)) {
                throw new IllegalArgumentException("attention row " + impl + ": batch \"" + batch + "\" is neither \"" + DECODE + "\" nor \"" + FRESH
                        + "\" (omit it for rows that serve every batch)");
            }
        }

        /** A row for every batch. */
        public AttentionRow(String impl, int qHeads, int kvHeads, int headDim, int m, Integer mMax, int arch, String source) {
            this(impl, qHeads, kvHeads, headDim, m, mMax, arch, source, null);
        }

        /** Whether the row is for the decode graphs only. */
        public boolean decodeOnly() {
            return DECODE.equals(batch);
        }

        /** Whether the row is for the fresh-prompt graphs only. */
        public boolean freshOnly() {
            return FRESH.equals(batch);
        }

        /** Whether the row covers capture size {@code size}. */
        public boolean covers(int size) {
            return inRange(m, mMax, size);
        }

        /** Whether the row is for this model's attention shape. */
        public boolean fits(ForwardProgram.Dims d) {
            return (qHeads == 0 || qHeads == d.qHeads()) && (kvHeads == 0 || kvHeads == d.kvHeads()) && (headDim == 0 || headDim == d.headDim());
        }
    }

    /**
     * The L1 / shared memory split every kernel of ours asks for in the plans of capture sizes {@code [m, mMax]} ({@code mMax}
     * null: {@code m} only) of models with hidden size {@code hidden} (0: any): {@code percent} of the most shared memory, a
     * launch attribute (cudaLaunchAttributePreferredSharedMemoryCarveout) on each of the plan's kernel launches; library calls
     * keep theirs. Without a row the driver picks each kernel's split. s27 call 4: with every kernel at 100 %, ERNIE's 8x16
     * at 128 ran 2.6 % faster (kernels of ~0 to ~200 KB of shared memory alternate there; an SM changes its split only when
     * drained) and its sizes 1..16 up to 2.2 % slower. Values change no result bit: only where blocks may run.
     */
    public record CarveoutRow(int percent, int hidden, int m, @JsonInclude(JsonInclude.Include.NON_NULL) Integer mMax, int arch,
                              String source) {
        @com.fasterxml.jackson.annotation.JsonCreator
        public CarveoutRow {
            if (percent < 0 || percent > 100) throw new IllegalArgumentException("smemCarveout row for m " + m + ": percent " + percent + " is outside 0..100");
            if (mMax != null && mMax < m) throw new IllegalArgumentException("smemCarveout row: mMax " + mMax + " is below m " + m);
        }

        /** Whether the row covers capture size {@code size} of a model with this hidden size. */
        public boolean covers(int size, int modelHidden) {
            return inRange(m, mMax, size) && (hidden == 0 || hidden == modelHidden);
        }
    }

    /**
     * An L2 prefetch in the main chain ({@code Lowering.prefetchAhead}): in every decoder layer, an op right before
     * {@code before} (an op of the same layer, by its name without the layer: {@code "attention"}) pulls the first
     * {@code fraction} of each row of that layer's {@code weight} GEMM (by name: {@code "gate_up"}) into L2, at every capture
     * size in {@code [m, mMax]} ({@code mMax} null: {@code m} only). The weight shape {@code n} x {@code k} is required: the
     * row was measured on one model's GEMM and reaches no other (kernels/NOTES-forward.md v48). The op issues bulk
     * requests once the op before it has completed; with {@code early}, at its entry, while that op still runs; with
     * {@code lines}, one line prefetch per 128 bytes instead of bulk requests.
     */
    public record PrefetchRow(String weight, String before, double fraction, int n, int k, int m,
                              @JsonInclude(JsonInclude.Include.NON_NULL) Integer mMax, int arch, String source,
                              @JsonInclude(JsonInclude.Include.NON_NULL) Boolean early,
                              @JsonInclude(JsonInclude.Include.NON_NULL) Boolean lines) {
        @com.fasterxml.jackson.annotation.JsonCreator
        public PrefetchRow {
            if (weight == null || weight.isBlank() || before == null || before.isBlank()) {
                throw new IllegalArgumentException("prefetch row at m " + m + ": name the GEMM (weight) and the op it runs before (before)");
            }
            if (!(fraction > 0 && fraction <= 1)) {
                throw new IllegalArgumentException("prefetch row " + weight + " at m " + m + ": fraction " + fraction + " is not in (0, 1]");
            }
            if (n <= 0 || k <= 0) {
                throw new IllegalArgumentException("prefetch row " + weight + " at m " + m + ": give the GEMM's weight shape n and k (the model it was measured on)");
            }
            if (mMax != null && mMax < m) throw new IllegalArgumentException("prefetch row " + weight + ": mMax " + mMax + " is below m " + m);
        }

        /** A row on the default prefetch kernel (bulk requests after the wait). */
        public PrefetchRow(String weight, String before, double fraction, int n, int k, int m, Integer mMax, int arch, String source) {
            this(weight, before, fraction, n, k, m, mMax, arch, source, null, null);
        }

        /** The prefetch kernel the row asks for. */
        public String kernel() {
            boolean e = early != null && early, l = lines != null && lines;
            return l ? (e ? ImplRegistry.PREFETCH_LINES_EARLY : ImplRegistry.PREFETCH_LINES) : (e ? ImplRegistry.PREFETCH_ROWS_EARLY : ImplRegistry.PREFETCH_ROWS);
        }

        /** Whether the row covers capture size {@code size}. */
        public boolean covers(int size) {
            return inRange(m, mMax, size);
        }

        /** Whether the row is for this GEMM (by name without the layer, and weight shape). */
        public boolean prefetches(Op gemm) {
            return Lowering.suffix(gemm.name()).equals(weight) && gemm.n() == n && gemm.k() == k;
        }

        /** Columns of each row it pulls: the fraction of k, rounded down to 8 (16 bytes of bf16), at least 8. */
        public int columns() {
            return Math.max(8, (int) Math.floor(fraction * k / 8) * 8);
        }
    }

    /**
     * {@code persistentLayers}: buckets where each decoder layer runs as one persistent kernel
     * ({@code Lowering.persistLayers}); a file without the property has none. An empty list is left out of the
     * JSON, so the identity of a file written before the property existed stays what it was; so are {@code attention}
     * rows.
     */
    @com.fasterxml.jackson.annotation.JsonCreator
    public ImplChoices {
        gemm = gemm == null ? List.of() : List.copyOf(gemm);
        fusions = fusions == null ? List.of() : List.copyOf(fusions);
        l2Prefetch = l2Prefetch == null ? List.of() : List.copyOf(l2Prefetch);
        persistentLayers = persistentLayers == null ? List.of() : List.copyOf(persistentLayers);
        attention = attention == null ? List.of() : List.copyOf(attention);
        prefetchAhead = prefetchAhead == null ? List.of() : List.copyOf(prefetchAhead);
        smemCarveout = smemCarveout == null ? List.of() : List.copyOf(smemCarveout);
    }

    /** Choices without carveout rows. */
    public ImplChoices(Provenance provenance, List<GemmRow> gemm, List<FusionRow> fusions, List<KeyRow> l2Prefetch,
                       List<KeyRow> persistentLayers, List<AttentionRow> attention, List<PrefetchRow> prefetchAhead) {
        this(provenance, gemm, fusions, l2Prefetch, persistentLayers, attention, prefetchAhead, List.of());
    }

    /** Choices without prefetch rows. */
    public ImplChoices(Provenance provenance, List<GemmRow> gemm, List<FusionRow> fusions, List<KeyRow> l2Prefetch,
                       List<KeyRow> persistentLayers, List<AttentionRow> attention) {
        this(provenance, gemm, fusions, l2Prefetch, persistentLayers, attention, List.of());
    }

    /** Choices without attention rows. */
    public ImplChoices(Provenance provenance, List<GemmRow> gemm, List<FusionRow> fusions, List<KeyRow> l2Prefetch,
                       List<KeyRow> persistentLayers) {
        this(provenance, gemm, fusions, l2Prefetch, persistentLayers, List.of());
    }

    /** Choices without persistent layers. */
    public ImplChoices(Provenance provenance, List<GemmRow> gemm, List<FusionRow> fusions, List<KeyRow> l2Prefetch) {
        this(provenance, gemm, fusions, l2Prefetch, List.of());
    }

    /** No rows: every op takes its implementation's rule-based default. */
    public static ImplChoices none() {
        return new ImplChoices(new Provenance("-", "-", "-", "defaults only"), List.of(), List.of(), List.of());
    }

    /** The file shipped in the jar. */
    public static ImplChoices bundled() {
        try (InputStream in = ImplChoices.class.getResourceAsStream(RESOURCE)) {
            if (in == null) throw new BenchException("missing resource " + RESOURCE);
            return mapper().readValue(in, ImplChoices.class);
        } catch (IOException e) {
            throw new BenchException("cannot read " + RESOURCE + ": " + e.getMessage(), e);
        }
    }

    public static ImplChoices read(Path file) {
        try {
            return mapper().readValue(Files.readAllBytes(file), ImplChoices.class);
        } catch (IOException e) {
            throw new BenchException("cannot read implementation choices " + file + ": " + e.getMessage(), e);
        }
    }

    public static ImplChoices parse(String json) {
        try {
            return mapper().readValue(json, ImplChoices.class);
        } catch (IOException e) {
            throw new BenchException("bad implementation choices: " + e.getMessage(), e);
        }
    }

    /** The same choices with other GEMM rows and provenance (what {@code tune-gemm} writes). */
    public ImplChoices withGemm(Provenance p, List<GemmRow> rows) {
        return new ImplChoices(p, rows, fusions, l2Prefetch, persistentLayers, attention, prefetchAhead, smemCarveout);
    }

    // Copies with one kind of row replaced and every other kept (a test's bundled rows with its own attention rows, say): the
    // short constructors above leave every later kind out, so a copy built with them silently drops rows.

    /** The same choices with other GEMM rows. */
    public ImplChoices withGemm(List<GemmRow> rows) {
        return withGemm(provenance, rows);
    }

    /** The same choices with other fusion rows. */
    public ImplChoices withFusions(List<FusionRow> rows) {
        return new ImplChoices(provenance, gemm, rows, l2Prefetch, persistentLayers, attention, prefetchAhead, smemCarveout);
    }

    /** The same choices with other persistent-layer rows. */
    public ImplChoices withPersistentLayers(List<KeyRow> rows) {
        return new ImplChoices(provenance, gemm, fusions, l2Prefetch, rows, attention, prefetchAhead, smemCarveout);
    }

    /** The same choices with other attention rows. */
    public ImplChoices withAttention(List<AttentionRow> rows) {
        return new ImplChoices(provenance, gemm, fusions, l2Prefetch, persistentLayers, rows, prefetchAhead, smemCarveout);
    }

    /** The same choices with other prefetch rows. */
    public ImplChoices withPrefetchAhead(List<PrefetchRow> rows) {
        return new ImplChoices(provenance, gemm, fusions, l2Prefetch, persistentLayers, attention, rows, smemCarveout);
    }

    /** The same choices with other carveout rows. */
    public ImplChoices withSmemCarveout(List<CarveoutRow> rows) {
        return new ImplChoices(provenance, gemm, fusions, l2Prefetch, persistentLayers, attention, prefetchAhead, rows);
    }

    /** The choices as the JSON {@link #read} takes (indented). */
    public String toJson() {
        try {
            return mapper().writerWithDefaultPrettyPrinter().writeValueAsString(this) + "\n";
        } catch (IOException e) {
            throw new IllegalStateException("cannot write implementation choices", e);
        }
    }

    /**
     * What a results file records of these choices (they change timing): the card and date of the
     * measurements and a digest of the rows, so two runs with different rows never gate as equal. The digest leaves out
     * {@code provenance.run} (where the file was written: the tool's meta and devices blocks), which chooses nothing: a
     * file keeps its identity when that block is added, so a run's record of a file written before the tool wrote the
     * block still names it.
     */
    public String identity(String origin) {
        try {
            Provenance p = provenance;
            ImplChoices digested = p.run() == null ? this
                    : new ImplChoices(new Provenance(p.card(), p.date(), p.source(), p.note()), gemm, fusions, l2Prefetch, persistentLayers, attention,
                    prefetchAhead, smemCarveout);
            byte[] json = mapper().writeValueAsBytes(digested);
            byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(json);
            return origin + " (" + provenance.card() + ", " + provenance.date() + ", sha256 "
                    + java.util.HexFormat.of().formatHex(d, 0, 6) + ")";
        } catch (IOException | java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot digest implementation choices", e);
        }
    }

    /**
     * The rows that applied to {@code forward}: the GEMM rows some op of some plan matched, the fusion rows of its capture
     * sizes (a row naming a producer only where a GEMM row put that implementation at the size: Lowering fuses nothing
     * else for it), the L2-prefetch and persistent-layer rows of its sizes and its attention shape's rows; the same
     * provenance. What a run records ({@link #identity} of this), so rows for other models or sizes change no run's
     * identity and no baseline goes stale over them.
     */
    public ImplChoices appliedTo(LoweredForward forward) {
        java.util.Set<Object> used = new java.util.HashSet<>();
        for (LoweredPlan p : forward.all()) {
            CaptureKey key = p.key();
            java.util.Set<String> rowImpls = new java.util.HashSet<>(); // what the GEMM rows run at this size
            java.util.Set<Integer> caps = new java.util.HashSet<>(List.of(key.size())); // the GEMMs' row capacities
            for (Op op : p.program().ops()) // the plan's program: a last layer on its last rows counts sequences
                if (op.kind() == OpKind.GEMM) {
                    caps.add(key.capacity(op.rows()));
                    gemm(op, key).ifPresent(r -> {
                        used.add(r);
                        rowImpls.add(r.impl());
                    });
                }
            for (FusionRow r : fusions)
                if (caps.stream().anyMatch(c -> fusionRowOn(r, key, c)) && (r.producer() == null || rowImpls.contains(r.producer()))) used.add(r);
            for (List<KeyRow> rows : List.of(l2Prefetch, persistentLayers))
                for (KeyRow r : rows) if (keyRowMatches(r, key)) used.add(r);
            attention(key, forward.program().dims()).ifPresent(used::add);
            forward.decodePlan(key.size()).ifPresent(d -> attention(d.key(), forward.program().dims()).ifPresent(used::add));
            for (PrefetchRow r : prefetchAhead(key))
                if (forward.program().ops().stream().anyMatch(op -> op.kind() == OpKind.GEMM && r.prefetches(op))) used.add(r);
            carveoutRow(key, forward.program().dims()).ifPresent(used::add);
        }
        return new ImplChoices(provenance, gemm.stream().filter(used::contains).toList(), fusions.stream().filter(used::contains).toList(),
                l2Prefetch.stream().filter(used::contains).toList(), persistentLayers.stream().filter(used::contains).toList(),
                attention.stream().filter(used::contains).toList(), prefetchAhead.stream().filter(used::contains).toList(),
                smemCarveout.stream().filter(used::contains).toList());
    }

    /**
     * The preferred L1 / shared memory split (percent) of this key's kernel launches for a model of these dims: an exact
     * row first, else the first range row; -1 without one (the driver picks per kernel).
     */
    public int smemCarveout(CaptureKey key, ForwardProgram.Dims dims) {
        return carveoutRow(key, dims).map(CarveoutRow::percent).orElse(-1);
    }

    private Optional<CarveoutRow> carveoutRow(CaptureKey key, ForwardProgram.Dims dims) {
        return firstExactElseRange(smemCarveout.stream().filter(r -> r.covers(key.size(), dims.hidden()) && archMatches(r.arch(), key)).toList(),
                CarveoutRow::mMax);
    }

    /** The prefetch rows for this key's size and arch, in file order. */
    public List<PrefetchRow> prefetchAhead(CaptureKey key) {
        return prefetchAhead.stream().filter(r -> r.covers(key.size()) && archMatches(r.arch(), key)).toList();
    }

    /**
     * The attention row for this model's attention shape at this key's size and arch: an exact row first, else the first
     * range row; for a decode key ({@link CaptureKey#uniformDecode}) the decode rows first, a plain key never takes one.
     */
    public Optional<AttentionRow> attention(CaptureKey key, ForwardProgram.Dims dims) {
        var rows = attentionRows(key, dims);
        // the rows scoped to this key's graph (decode or fresh), by the rule GEMM and fusion rows follow
        var own = rows.stream().filter(r -> r.batch() != null && FusionRow.serves(r.batch(), key)).toList();
        var plain = rows.stream().filter(r -> r.batch() == null).toList();
        return firstExactElseRange(own, AttentionRow::mMax).or(() -> firstExactElseRange(plain, AttentionRow::mMax));
    }

    /** Whether some decode-only or fresh-only attention row reaches this model's attention shape at this key's size and arch. */
    public boolean hasScopedAttention(CaptureKey key, ForwardProgram.Dims dims) {
        return attentionRows(key, dims).stream().anyMatch(r -> r.batch() != null);
    }

    /**
     * Whether a row scoped to one batch kind reaches this key's size and arch (a decode or fresh attention row, or a GEMM or
     * fusion row with {@code batch}): then the size's decode and fresh-prompt plans may differ from its plain one, and are
     * lowered to see.
     */
    public boolean scopesByBatch(CaptureKey key, ForwardProgram.Dims dims) {
        return hasScopedAttention(key, dims)
                || fusions.stream().anyMatch(r -> r.batch() != null && r.covers(key.size()) && archMatches(r.arch(), key))
                || gemm.stream().anyMatch(r -> r.batch() != null && r.covers(key.size()) && archMatches(r.arch(), key));
    }

    /** The attention rows for this model's attention shape at this key's size and arch, decode rows or not, in file order. */
    private List<AttentionRow> attentionRows(CaptureKey key, ForwardProgram.Dims dims) {
        return attention.stream().filter(r -> r.fits(dims) && r.covers(key.size()) && archMatches(r.arch(), key)).toList();
    }

    /** Among rows that match, the first for one size ({@code mMax} null), else the first range row: every row kind's precedence. */
    private static <R> Optional<R> firstExactElseRange(List<R> rows, java.util.function.Function<R, Integer> mMax) {
        return rows.stream().filter(r -> mMax.apply(r) == null).findFirst().or(() -> rows.stream().findFirst());
    }

    /** An L2-prefetch or persistent-layer row for this key's size and arch. */
    private static boolean keyRowMatches(KeyRow r, CaptureKey key) {
        return r.m() == key.size() && archMatches(r.arch(), key);
    }

    private static ObjectMapper mapper() {
        return new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);
    }

    /**
     * The GEMM row for this op at this key: among the rows serving the key's graph, those scoped to it ({@code batch}) first,
     * then the others; in each an exact row before the first range row.
     */
    public Optional<GemmRow> gemm(Op op, CaptureKey key) {
        int m = key.capacity(op.rows());
        var rows = gemm.stream().filter(r -> r.n() == op.n() && r.k() == op.k() && r.covers(m) && archMatches(r.arch(), key) && r.serves(key)).toList();
        var scoped = rows.stream().filter(r -> r.batch() != null).toList();
        var every = rows.stream().filter(r -> r.batch() == null).toList();
        return firstExactElseRange(scoped, GemmRow::mMax).or(() -> firstExactElseRange(every, GemmRow::mMax));
    }

    /** Whether fusion {@code name} is on at this key for some implementation. */
    public boolean fusion(String name, CaptureKey key) {
        return fusionRows(name, key).findAny().isPresent();
    }

    /**
     * Whether fusion {@code name} is on at this key for GEMM {@code gemm} running implementation {@code impl}: a row covering
     * the GEMM's row capacity, as GEMM rows are matched (the capture size, except for ops that count sequences: the last
     * layer on the last rows, {@link ForwardProgram#lastLayerOnLastRows}, fuses as the size of its sequence capacity does).
     */
    public boolean fusion(String name, CaptureKey key, String impl, Op gemm) {
        return fusionRows(name, key, key.capacity(gemm.rows())).anyMatch(r -> r.fuses(impl, gemm.n(), gemm.k()));
    }

    /**
     * Whether every row that switches fusion {@code name} on at this key for {@code gemm} on {@code impl} names its producer:
     * then only the producer's own fused form may run (see {@link ImplRegistry.Fusion#implFor}).
     */
    public boolean fusionNamesProducer(String name, CaptureKey key, String impl, Op gemm) {
        return fusionRows(name, key, key.capacity(gemm.rows())).filter(r -> r.fuses(impl, gemm.n(), gemm.k())).allMatch(r -> r.producer() != null);
    }

    private java.util.stream.Stream<FusionRow> fusionRows(String name, CaptureKey key) {
        return fusionRows(name, key, key.size());
    }

    private java.util.stream.Stream<FusionRow> fusionRows(String name, CaptureKey key, int size) {
        return fusions.stream().filter(r -> r.fusion().equals(name) && fusionRowOn(r, key, size));
    }

    /** Whether fusion row {@code r} is on at this key for ops of row capacity {@code size}: its sizes, arch and batch kind. */
    private static boolean fusionRowOn(FusionRow r, CaptureKey key, int size) {
        return r.covers(size) && archMatches(r.arch(), key) && r.serves(key);
    }

    public boolean l2Prefetch(CaptureKey key) {
        return l2Prefetch.stream().anyMatch(r -> r.enabled() && r.m() == key.size() && archMatches(r.arch(), key));
    }

    /** Whether this bucket runs each decoder layer as one persistent kernel (a row that is on, matching size and arch). */
    public boolean persistentLayers(CaptureKey key) {
        return persistentLayers.stream().anyMatch(r -> r.enabled() && r.m() == key.size() && archMatches(r.arch(), key));
    }

    private static boolean archMatches(int arch, CaptureKey key) {
        return archMatches(arch, key.arch());
    }

    /** Whether a row for {@code rowArch} (0: any) applies to a device of compute capability {@code deviceArch} (major * 10 + minor). */
    public static boolean archMatches(int rowArch, int deviceArch) {
        return rowArch == 0 || rowArch == deviceArch;
    }

    /** A row for {@code m} alone ({@code mMax} null) or for {@code [m, mMax]}: whether it covers {@code value}. */
    private static boolean inRange(int m, Integer mMax, int value) {
        return mMax == null ? value == m : value >= m && value <= mMax;
    }
}
