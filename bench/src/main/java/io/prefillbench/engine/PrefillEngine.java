package io.prefillbench.engine;

import io.prefillbench.BenchException;
import io.prefillbench.cuda.Cuda;
import io.prefillbench.cuda.CudaEvent;
import io.prefillbench.cuda.CudaGraph;
import io.prefillbench.cuda.CudaStream;
import io.prefillbench.cuda.DeviceInfo;
import io.prefillbench.cuda.GraphExec;
import io.prefillbench.cuda.KernelLibrary;
import io.prefillbench.cuda.L2SetAside;
import io.prefillbench.cuda.PinnedBuffer;
import io.prefillbench.model.ModelConfig;
import io.prefillbench.model.WeightInit;
import io.prefillbench.plan.TileMath;
import io.prefillbench.cuda.CublasLtMatmul;
import io.prefillbench.forward.BindContext;
import io.prefillbench.forward.BufferLayout;
import io.prefillbench.forward.CaptureKey;
import io.prefillbench.forward.ForwardProgram;
import io.prefillbench.forward.Impl;
import io.prefillbench.forward.KernelConstants;
import io.prefillbench.forward.LoweredForward;
import io.prefillbench.forward.LoweredOp;
import io.prefillbench.forward.LoweredPlan;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * Owns one model on one GPU: kernels, stream (and a second one when some plan forks a side branch),
 * weights, static buffers, a forward plan per capture bucket, the cuBLASLt matmuls library GEMMs
 * pinned, and the captured graphs. Eager and graph prefill run the same {@link ForwardPlan}: its kernels, the first
 * (build_tile_map) reading the batch metadata from pinned host memory and the last (argmax) writing the first tokens
 * there, so a forward has no copy. Graph mode replays it as one captured graph; eager issues it call by call with grids
 * sized to the real batch. A size may have a second plan and graph for uniform-decode batches (a decode-only attention
 * row: {@link SeqInput#uniformDecode}) and one for batches of fresh prompts (a fresh-only row: {@link SeqInput#fresh});
 * eager and graph pick between them by the same rule.
 */
public final class PrefillEngine implements AutoCloseable {
    private final EngineConfig config;
    private final DeviceInfo device;
    private final Arena arena = Arena.ofShared();
    private KernelLibrary library;
    private CudaStream stream;
    private CudaStream sideStream; // forked branches (L2 prefetch); created only when some plan has one
    private ModelWeights weights;
    private ForwardBuffers buffers;
    private LoweredForward lowered;
    private final Map<String, CublasLtMatmul> matmuls = new LinkedHashMap<>(); // by (m, n, k, algo); pinned at bind time
    private final Map<String, Integer> clusterCounts = new java.util.HashMap<>(); // cudaOccupancyMaxActiveClusters by (impl, size)
    private EngineOptions options;
    private PinnedBuffer hostMeta;
    private PinnedBuffer hostOut;
    // their device mappings: build_tile_map reads the metadata and argmax writes the first tokens through them, so a
    // forward has no copy node (s16: the two cost 11-15 us of its fixed cost)
    private MemorySegment hostMetaDevice, hostOutDevice;
    private CudaEvent start;
    private CudaEvent stop;
    // whether forwards record start / stop around themselves (lastGpuMillis): the two records are host calls on the forward's
    // path (s26 calls 5-6: 3.3 us of a graph forward's host time in a C++ loop, ~17 us of tiny's in prefill's), which an engine
    // that does not time itself never pays
    private boolean timeGpu = true;
    // how untimed forwards wait for their first tokens (FirstTokenWait); streamBehind: a spun forward left the stream
    // running, so a read of device buffers synchronizes first
    private FirstTokenWait firstTokenWait = FirstTokenWait.SYNC;
    private boolean streamBehind;
    private static final java.lang.invoke.VarHandle TOKEN = ValueLayout.JAVA_INT.varHandle();
    // a kind per CaptureKey.Batch, iterated PLAIN, DECODE, FRESH. PLAIN has every size; DECODE only the sizes with a decode
    // plan (LoweredForward.decodePlan), which uniform-decode batches run, and FRESH those with a fresh-prompt plan
    // (LoweredForward.freshPlan), which batches without a cached prefix run, eager and graph alike
    private final EnumMap<CaptureKey.Batch, BatchGraphs> kinds = BatchGraphs.perKind();
    private final Map<Integer, CudaGraph.Topology> topologies = new LinkedHashMap<>();
    private final Map<CaptureKey, ForwardPlan> profilePlans = new LinkedHashMap<>(); // PDL off, for the profiling pass
    private OpProfiler profiler;
    // --l2-persist (EngineOptions.l2PersistBytes): the device's L2 set-aside, held until close, and the bytes of the LM
    // head's weight its launches mark persisting (the set-aside, at most the longest window the device takes)
    private L2SetAside l2;
    private long l2Window;
    private float lastGpuMs;
    private int lastSeqs;
    private boolean closed;

    /** One batch kind's forward plans, captured graphs and capture reports, by size in the order they were added. */
    private static final class BatchGraphs {
        final Map<Integer, ForwardPlan> plans = new LinkedHashMap<>();
        final Map<Integer, GraphExec> graphs = new LinkedHashMap<>();
        final Map<Integer, CaptureReport> captures = new LinkedHashMap<>();

        static EnumMap<CaptureKey.Batch, BatchGraphs> perKind() {
            EnumMap<CaptureKey.Batch, BatchGraphs> m = new EnumMap<>(CaptureKey.Batch.class);
            for (CaptureKey.Batch b : CaptureKey.Batch.values()) m.put(b, new BatchGraphs());
            return m;
        }
    }

    private BatchGraphs kind(CaptureKey.Batch b) {
        return kinds.get(b);
    }

    private PrefillEngine(EngineConfig config, int deviceIndex) {
        this.config = config;
        Cuda.setDevice(deviceIndex);
        this.device = DeviceInfo.query(deviceIndex);
    }

    /**
     * Loads kernels, allocates and initialises weights and buffers, and prepares a forward plan per
     * capture size (no graph is captured yet).
     *
     */
    public static PrefillEngine open(EngineConfig config, int deviceIndex) {
        return open(config, deviceIndex, EngineOptions.DEFAULT);
    }

    public static PrefillEngine open(EngineConfig config, int deviceIndex, EngineOptions options) {
        PrefillEngine e = new PrefillEngine(config, deviceIndex);
        try {
            e.init(options);
            return e;
        } catch (RuntimeException ex) {
            e.close();
            throw ex;
        }
    }

    private void init(EngineOptions options) {
        ModelConfig m = config.model();
        if (device.ccMajor() < 8) {
            throw new BenchException("GPU " + device.name() + " is sm_" + device.ccMajor() + device.ccMinor() + ": the kernels need sm_80 or newer");
        }
        library = KernelLibrary.load();
        stream = CudaStream.create();
        start = CudaEvent.create();
        stop = CudaEvent.create();
        this.options = options;
        lowered = lower(config, device.sms(), device.ccMajor() * 10 + device.ccMinor(), options);
        weights = ModelWeights.create(m, config.seed(), library, stream, lowered.weightLayout());
        buffers = new ForwardBuffers(config, lowered.layout());
        hostMeta = PinnedBuffer.allocate("batch metadata", buffers.meta().bytes());
        hostOut = PinnedBuffer.allocate("first tokens", 4L * buffers.meta().maxSeqs());
        hostMetaDevice = hostMeta.devicePointer();
        hostOutDevice = hostOut.devicePointer();
        boolean pdl = options.pdl() && device.ccMajor() >= 9;
        if (options.l2PersistBytes() > 0) {
            l2 = L2SetAside.open(options.l2PersistBytes(), device.index());
            l2Window = Math.min(l2.bytes(), L2SetAside.maxWindow(device.index()));
        }
        // the largest dynamic smem raised per kernel: implementations may share a kernel at different sizes (the TMA
        // GEMMs' stage counts), and the limit must cover the largest launch
        java.util.Map<String, Integer> raised = new java.util.HashMap<>();
        java.util.Set<String> nonPortable = new java.util.HashSet<>();
        for (LoweredPlan lp : lowered.everyPlan()) {
            // bound first: a binder's refusal (e.g. too few SMs for a persistent layer) names its fix before the
            // smem opt-in could fail with a bare CUDA error on the same device
            ForwardPlan plan = new ForwardPlan(lp, new Binding(lp.key(), pdl, lp.smemCarveout()), library, options.slowdownCycles(), options.libraryEdges(), arena);
            kind(lp.key().batch()).plans.put(lp.key().size(), plan);
            for (LoweredOp op : lp.ops()) {
                Impl impl = op.impl();
                if (impl.attrs().contains(Impl.Attr.SMEM_OPT_IN) && impl.dynamicSmem() > raised.getOrDefault(impl.kernel(), 0)) {
                    library.kernel(impl.kernel()).allowDynamicSharedMemory(impl.dynamicSmem(), device.index());
                    raised.put(impl.kernel(), impl.dynamicSmem());
                }
                // clusters of up to 16 split blocks (more than the portable 8), once per kernel
                if (impl.attrs().contains(Impl.Attr.CLUSTER_SPLITK) && nonPortable.add(impl.kernel())) {
                    library.kernel(impl.kernel()).allowNonPortableClusters(device.index());
                }
            }
            if (plan.hasSideStream() && sideStream == null) sideStream = CudaStream.create();
        }
    }

    /**
     * The forward program lowered for every capture size of {@code config} on a device with
     * {@code smCount} SMs and compute capability {@code arch} (major * 10 + minor), and the buffer
     * layout derived from it: exactly what an engine opened with these options allocates and runs
     * (no GPU needed).
     */
    public static LoweredForward lower(EngineConfig config, int smCount, int arch, EngineOptions options) {
        return LoweredForward.of(ForwardProgram.of(config.model()), config.sizes(), config.maxNumSeqs(), config.maxModelLen(),
                smCount, arch, options.registry(), options.choices(), options.layoutWith());
    }

    /**
     * Bytes of the LM head's weight its kernel launches mark persisting (--l2-persist); 0 without a set-aside. A plan whose
     * LM head is a library call carries no window ({@link #l2WindowPlans}).
     */
    public long l2WindowBytes() {
        return l2Window;
    }

    /**
     * {@code body}'s value, computed with this engine's L2 set-aside given back to the device meanwhile (where it holds one):
     * for measurements of the device that the set-aside distorts, such as the copy bandwidth of the weight-streaming floor.
     * The engine's stream is idle first; nothing of the engine may run in {@code body}.
     */
    public <T> T withoutL2SetAside(java.util.function.Supplier<T> body) {
        if (l2 == null) return body.get();
        catchUp();
        stream.synchronize();
        return l2.suspended(body);
    }

    /** The device's L2 set-aside for persisting accesses as the driver reports it; 0 without --l2-persist. */
    public long l2SetAsideBytes() {
        return l2 == null ? 0 : l2.bytes();
    }

    /** The most L2 the device sets aside for persisting accesses (cudaDevAttrMaxPersistingL2CacheSize). */
    public long l2DeviceMaxBytes() {
        return L2SetAside.deviceMax(device.index());
    }

    /**
     * Of this engine's plans, those whose LM head is a kernel of ours (its launches carry the window where there is a
     * set-aside) and all of them: {windowed, plans}.
     */
    public int[] l2WindowPlans() {
        int windowed = 0, all = 0;
        for (LoweredPlan lp : lowered.everyPlan()) {
            all++;
            for (LoweredOp op : lp.ops()) {
                if (ForwardProgram.LM_HEAD.equals(op.op().name()) && !op.impl().library()) windowed++;
            }
        }
        return new int[] {windowed, all};
    }

    /** The lowered forward this engine runs. */
    public LoweredForward lowered() {
        return lowered;
    }

    /** What binders read: addresses from the layout, weights, kernels, this bucket's key. */
    private final class Binding implements BindContext {
        private final CaptureKey key;
        private final boolean pdl;
        private final int smemCarveout;

        Binding(CaptureKey key, boolean pdl, int smemCarveout) {
            this.key = key;
            this.pdl = pdl;
            this.smemCarveout = smemCarveout;
        }

        @Override public Arena arena() { return arena; }
        @Override public int smemCarveout() { return smemCarveout; }
        @Override public long l2SetAside() { return l2Window; }
        @Override public MemorySegment tensor(String name) { return buffers.tensor(name); }
        @Override public MemorySegment hostMetadata() { return hostMetaDevice; }
        @Override public int hostMetadataInts() { return Math.toIntExact(buffers.meta().bytes() / 4); }
        @Override public MemorySegment hostOutput(String name) {
            return ForwardProgram.OUT_TOKENS.equals(name) ? hostOutDevice : buffers.tensor(name);
        }
        @Override public long bytesFrom(String name) { return buffers.bytesFrom(name); }
        @Override public MemorySegment weight(String name) { return weights.of(name); }
        @Override public long weightBytes(String name) { return weights.spec().tensor(name).bytes(); }
        @Override public io.prefillbench.forward.WeightLayout weightLayout() { return weights.layout(); }
        @Override public io.prefillbench.cuda.Kernel kernel(String name) { return library.kernel(name); }
        @Override public ForwardProgram.Dims dims() { return lowered.program().dims(); }
        @Override public CaptureKey key() { return key; }
        @Override public int maxModelLen() { return config.maxModelLen(); }
        @Override public int pagesPerSeq() { return config.pagesPerSeq(); }
        @Override public long kvCacheRows() { return buffers.kvSlots; }
        @Override public int multiprocessors() { return device.sms(); }
        @Override public boolean pdl() { return pdl; }

        @Override
        public int maxActiveClusters(Impl impl, int size) {
            if (device.ccMajor() < 9) return 0;
            // asked once per kernel and size: every layer op of every plan binds the same launch shape
            return clusterCounts.computeIfAbsent(impl.name() + " x" + size, x -> {
                io.prefillbench.cuda.Kernel k = library.kernel(impl.kernel());
                // the query counts blocks at the kernel's shared memory, which must be allowed first
                if (impl.attrs().contains(Impl.Attr.SMEM_OPT_IN)) k.allowDynamicSharedMemory(impl.dynamicSmem(), device.index());
                return k.maxActiveClusters(size, KernelConstants.LAYER_BLOCKS, impl.threads(), impl.dynamicSmem());
            });
        }

        @Override
        public CublasLtMatmul cublasLt(int m, int n, int k, String algo) {
            return matmuls.computeIfAbsent(m + "x" + n + "x" + k + " " + (algo == null ? "heuristic" : algo),
                    x -> CublasLtMatmul.create(m, n, k, algo == null ? null : CublasLtMatmul.Algo.parse(algo)));
        }
    }

    public EngineConfig config() {
        return config;
    }

    public DeviceInfo device() {
        return device;
    }

    /** Smallest capture size holding {@code tokens}, if any. */
    public OptionalInt bucketFor(int tokens) {
        return config.sizes().bucketFor(tokens);
    }

    /**
     * CUDA calls an eager forward of this batch at that bucket issues on its stream: its kernel launches (no copies: the first kernel
     * reads the metadata from pinned memory, the last writes the first tokens there); a graph replay is one launch.
     */
    public int eagerLaunches(int size, List<SeqInput> seqs) {
        // the plan this batch runs: a decode or fresh-prompt plan may have fewer ops than the plain one (attention folded
        // into o in ERNIE-4.5-0.3B's fresh plans at 1..16)
        return planFor(size, seqs).launchCount();
    }

    /** Runs the forward call by call, grids sized to the batch (the decode plan for a uniform-decode batch, where the size has one). */
    public PrefillOutput eager(List<SeqInput> seqs) {
        int tokens = tokens(seqs);
        int size = requireBucket(tokens);
        ForwardPlan plan = planFor(size, seqs);
        int tiles = writeMeta(seqs, plan);
        plan.setGrids(tokens, seqs.size(), Math.max(1, tiles));
        boolean spin = markSlotsIfSpinning(seqs.size());
        if (timeGpu) start.record(stream);
        issueForward(plan, false);
        if (timeGpu) stop.record(stream);
        awaitForward(seqs.size(), spin);
        return finish(seqs, tokens, size, false, plan.lowered.key());
    }

    /**
     * Replays the captured graph of the smallest size holding the batch: its decode graph for a uniform-decode batch, where
     * the size has one.
     */
    public PrefillOutput graph(List<SeqInput> seqs) {
        int tokens = tokens(seqs);
        int size = requireBucket(tokens);
        ForwardPlan plan = planFor(size, seqs);
        GraphExec exec = graphsOf(plan.lowered.key()).get(size);
        if (exec == null) throw new IllegalStateException("size " + size + " is not captured");
        if (seqs.size() > config.seqCapacity(size)) {
            throw new IllegalArgumentException(seqs.size() + " sequences exceed the " + config.seqCapacity(size) + " the graph of size " + size + " serves");
        }
        writeMeta(seqs, plan);
        boolean spin = markSlotsIfSpinning(seqs.size());
        if (timeGpu) start.record(stream);
        exec.launch(stream);
        if (timeGpu) stop.record(stream);
        awaitForward(seqs.size(), spin);
        return finish(seqs, tokens, size, true, plan.lowered.key());
    }

    /**
     * Whether this forward spins for its first tokens ({@link FirstTokenWait#SPIN}, untimed forwards only: an event-timed
     * one needs its stop event complete); if so, marks the sequences' token slots (-1) first. Safe to mark before the launch:
     * the previous forward returned only once its own tokens, argmax's last stores to this memory, had all landed.
     */
    private boolean markSlotsIfSpinning(int seqs) {
        if (firstTokenWait != FirstTokenWait.SPIN || timeGpu) return false;
        MemorySegment out = hostOut.segment();
        for (int i = 0; i < seqs; i++) out.setAtIndex(ValueLayout.JAVA_INT, i, -1);
        return true;
    }

    /**
     * Until the forward's first tokens are on the host: the stream synchronized, or (spin) every marked slot holding a
     * token (argmax writes ids >= 0). While spinning the stream is asked now and then whether it is done: an error then
     * surfaces as the failing call's, and a stream that finished without writing every token is a bug, not a hang.
     */
    private void awaitForward(int seqs, boolean spin) {
        if (!spin) {
            stream.synchronize();
            streamBehind = false;
            return;
        }
        streamBehind = true;
        MemorySegment out = hostOut.segment();
        for (long polls = 1; !tokensLanded(out, seqs); polls++) {
            if ((polls & 0xfff) == 0 && stream.isIdle() && !tokensLanded(out, seqs)) {
                throw new IllegalStateException("the forward finished without writing its first tokens (argmax's pinned output)");
            }
            Thread.onSpinWait();
        }
    }

    private static boolean tokensLanded(MemorySegment out, int seqs) {
        for (int i = seqs - 1; i >= 0; i--) if ((int) TOKEN.getVolatile(out, 4L * i) < 0) return false;
        return true;
    }

    /** Before host code reads or rewrites device state a spun forward may still be finishing. */
    private void catchUp() {
        if (streamBehind) {
            stream.synchronize();
            streamBehind = false;
        }
    }

    /** How untimed eager and graph forwards wait for their first tokens (default {@link FirstTokenWait#SYNC}). */
    public void firstTokenWait(FirstTokenWait w) {
        firstTokenWait = java.util.Objects.requireNonNull(w, "first-token wait");
    }

    /** The captured graphs of a key's kind: the plain, decode or fresh-prompt graph of each size. */
    private Map<Integer, GraphExec> graphsOf(CaptureKey key) {
        return kind(key.batch()).graphs;
    }

    /**
     * The plan this batch runs at its size: the decode plan for a uniform-decode batch, the fresh-prompt plan for a batch
     * without a cached prefix, where the size has one; else the plain plan.
     */
    private ForwardPlan planFor(int size, List<SeqInput> seqs) {
        if (runsDecodePlan(size, seqs)) return kind(CaptureKey.Batch.DECODE).plans.get(size);
        return runsFreshPlan(size, seqs) ? kind(CaptureKey.Batch.FRESH).plans.get(size) : plan(size);
    }

    /** Whether this batch runs the size's decode plan: a uniform-decode batch at a size that has one. */
    public boolean runsDecodePlan(int size, List<SeqInput> seqs) {
        return kind(CaptureKey.Batch.DECODE).plans.containsKey(size) && SeqInput.uniformDecode(seqs);
    }

    /** Whether this batch runs the size's fresh-prompt plan: no sequence with a cached prefix, at a size that has one. */
    public boolean runsFreshPlan(int size, List<SeqInput> seqs) {
        return kind(CaptureKey.Batch.FRESH).plans.containsKey(size) && SeqInput.fresh(seqs);
    }

    /**
     * The profiling pass over one batch (never inside a timed loop): its forward issued eagerly with PDL off and a
     * CUDA event between consecutive ops, {@code repeats} times; the median GPU time of each lowered op. See
     * {@link OpProfiler} for why PDL is off and how launch gaps are kept out.
     */
    public io.prefillbench.profile.StepTimes profileOps(List<SeqInput> seqs, int repeats) {
        if (repeats < 1) throw new IllegalArgumentException("profiling needs at least one run, got " + repeats);
        catchUp();
        int tokens = tokens(seqs);
        int size = requireBucket(tokens);
        ForwardPlan runs = planFor(size, seqs);
        // keyed by the plan's key (size and graph kind): the profile is of the plan the batch runs
        ForwardPlan plan = profilePlans.computeIfAbsent(runs.lowered.key(),
                s -> new ForwardPlan(runs.lowered, new Binding(runs.lowered.key(), false, runs.lowered.smemCarveout()), library, 0, false, arena));
        int tiles = Math.max(1, writeMeta(seqs, plan));
        plan.setGrids(tokens, seqs.size(), tiles);
        if (profiler == null) profiler = new OpProfiler(library, stream, device.smClockMHz());
        OpProfiler.Times t = profiler.run(plan, repeats);
        return new io.prefillbench.profile.StepTimes(plan.lowered, tokens, seqs.size(), tiles, t.medianUs(), repeats, t.starved());
    }

    /**
     * Host time of issuing one eager forward of this batch (every launch)
     * without waiting for the GPU, nanoseconds; the stream is idle before and synchronized after. Divide by
     * {@link #eagerLaunches} for the cost per launch.
     */
    public long eagerEnqueueNanos(List<SeqInput> seqs) {
        int tokens = tokens(seqs);
        ForwardPlan plan = planFor(requireBucket(tokens), seqs);
        int tiles = writeMeta(seqs, plan);
        plan.setGrids(tokens, seqs.size(), Math.max(1, tiles));
        stream.synchronize();
        long t0 = System.nanoTime();
        issueForward(plan, false);
        long ns = System.nanoTime() - t0;
        stream.synchronize();
        return ns;
    }

    public boolean isCaptured(int size) {
        return kind(CaptureKey.Batch.PLAIN).graphs.containsKey(size);
    }

    /**
     * Captures the forward of one size: warm-up eager run at the bucket's capacity with the worst-case
     * split, then capture, instantiate and upload; where the size has a decode plan, its decode graph the same way after
     * it ({@link #decodeCaptureReport}), and a fresh-prompt plan's graph ({@link #freshCaptureReport}).
     */
    public CaptureReport capture(int size) {
        catchUp();
        BatchGraphs plain = kind(CaptureKey.Batch.PLAIN);
        if (plain.graphs.containsKey(size)) return plain.captures.get(size);
        CaptureReport r = captureGraph(plan(size), size, plain.graphs, true);
        plain.captures.put(size, r);
        // then the decode and the fresh-prompt graph, where the size has that plan
        for (CaptureKey.Batch b : List.of(CaptureKey.Batch.DECODE, CaptureKey.Batch.FRESH)) {
            BatchGraphs k = kind(b);
            ForwardPlan p = k.plans.get(size);
            if (p != null) k.captures.put(size, captureGraph(p, size, k.graphs, false));
        }
        return r;
    }

    private CaptureReport captureGraph(ForwardPlan plan, int size, Map<Integer, GraphExec> into, boolean keepTopology) {
        ModelConfig m = config.model();
        int rows = plan.lowered.key().tileRows();
        int[] split = TileMath.worstCaseSplit(size, plan.seqCapacity, m.group(), rows);
        List<SeqInput> dummy = new ArrayList<>();
        for (int i = 0; i < split.length; i++) dummy.add(new SeqInput(new int[split[i]], 0, i));
        writeMeta(dummy, plan);
        // The planted bug of EngineOptions.heuristicTileCapacity: the attention grid of the capture
        // holds only the [1,...,1,rest] tile count (eager keeps the real count).
        int captureTiles = options.heuristicTileCapacity()
                ? Math.max(1, TileMath.heuristicTiles(size, plan.seqCapacity, m.group(), rows))
                : plan.tileCapacity;
        plan.setGrids(size, plan.seqCapacity, captureTiles);
        issueForward(plan, false); // warm-up: lazy loading and first-touch stay out of the capture
        stream.synchronize();

        long freeBefore = Cuda.memInfo()[0];
        long t0 = System.nanoTime();
        CudaGraph g;
        stream.beginCapture();
        try {
            issueForward(plan, true);
        } finally {
            g = stream.endCapture();
        }
        try (g) {
            if (keepTopology) topologies.put(size, g.topology());
            Map<String, Integer> edgeKinds = g.edgeKinds();
            long nodes = g.nodeCount();
            long kernels = g.kernelNodeCount();
            List<Long> persisting = g.policyWindows().stream().filter(CudaGraph.PolicyWindow::persisting).map(CudaGraph.PolicyWindow::bytes).toList();
            GraphExec exec = g.instantiate(stream);
            stream.synchronize();
            double ms = (System.nanoTime() - t0) / 1e6;
            long freeAfter = Cuda.memInfo()[0];
            into.put(size, exec);
            int heuristic = TileMath.heuristicTiles(size, plan.seqCapacity, m.group(), rows);
            return new CaptureReport(size, plan.seqCapacity, captureTiles, heuristic, ms, nodes, kernels,
                    Math.max(0, freeBefore - freeAfter), edgeKinds, persisting);
        }
    }

    /** What capturing the size's decode graph cost, where the size has one and is captured. */
    public java.util.Optional<CaptureReport> decodeCaptureReport(int size) {
        return java.util.Optional.ofNullable(kind(CaptureKey.Batch.DECODE).captures.get(size));
    }

    /** What capturing the size's fresh-prompt graph cost, where the size has one and is captured. */
    public java.util.Optional<CaptureReport> freshCaptureReport(int size) {
        return java.util.Optional.ofNullable(kind(CaptureKey.Batch.FRESH).captures.get(size));
    }

    /** Shape of the captured graph of a size (nodes, edges, depth, widest level: 2+ with a forked branch). */
    public CudaGraph.Topology graphTopology(int size) {
        CudaGraph.Topology t = topologies.get(size);
        if (t == null) throw new IllegalStateException("size " + size + " is not captured");
        return t;
    }

    /** The captured graph's edges of a size by "type/from port" ({@link CudaGraph#edgeKinds}), as its capture report holds them. */
    public Map<String, Integer> graphEdgeKinds(int size) {
        CaptureReport r = kind(CaptureKey.Batch.PLAIN).captures.get(size);
        if (r == null) throw new IllegalStateException("size " + size + " is not captured");
        return r.edgeKinds();
    }

    /** The algorithm each library call of a size's plan pinned when it was bound, by op name. */
    public Map<String, String> pinnedAlgorithms(int size) {
        return plan(size).pinnedAlgorithms();
    }

    public List<CaptureReport> captureReports() {
        return new ArrayList<>(kind(CaptureKey.Batch.PLAIN).captures.values());
    }

    /** GPU time of the last forward (CUDA events around copy-in .. copy-out), milliseconds; NaN when it ran untimed ({@link #timeGpu}). */
    public float lastGpuMillis() {
        return lastGpuMs;
    }

    /**
     * Whether {@link #eager} and {@link #graph} time each forward on the GPU with CUDA events recorded around it (on by
     * default). Off, a forward issues no event record and {@link #lastGpuMillis} is NaN: what its host time then measures
     * is the forward alone (metadata in, launch, first tokens out, synchronization), as an engine that does not time itself
     * runs it. The records cost a graph forward 3.3 us of host time in a C++ loop (s26 call 5) and the tiny preset's ~17 us in
     * {@code prefill}'s alternating loop (call 6).
     */
    public void timeGpu(boolean on) {
        timeGpu = on;
    }

    /** Last-token logits of the last forward, as floats [seqs][vocab]. */
    public float[][] lastLogits() {
        catchUp();
        int vocab = config.model().vocab();
        float[][] out = new float[lastSeqs][vocab];
        try (Arena a = Arena.ofConfined()) {
            MemorySegment host = a.allocate(2L * lastSeqs * vocab);
            buffers.buffer.copyToHost(host, buffers.layout.offset(ForwardProgram.LOGITS), 2L * lastSeqs * vocab);
            for (int s = 0; s < lastSeqs; s++)
                for (int v = 0; v < vocab; v++)
                    out[s][v] = WeightInit.bf16ToFloat(host.getAtIndex(ValueLayout.JAVA_SHORT, (long) s * vocab + v));
        }
        return out;
    }

    /**
     * Test hook: fills every activation and the KV cache with 0xFF bytes (bf16 NaN), so a value a
     * forward did not write shows up as NaN or as a mismatch instead of passing as stale data.
     */
    public void poisonActivations() {
        stream.synchronize();
        buffers.poison(0xff);
        Cuda.synchronize();
    }

    /** Bytes of weights, of static buffers (KV cache included). */
    public long weightBytes() {
        return weights.bytes();
    }

    public long staticBufferBytes() {
        return buffers.bytes();
    }

    public List<BufferLayout.Slice> staticSlices() {
        return buffers.layout.slices();
    }

    // No copies: build_tile_map, the first kernel, reads the metadata from pinned host memory and argmax writes the first
    // tokens into it (the host writes the next batch only after this forward's synchronization).
    private void issueForward(ForwardPlan plan, boolean capturing) {
        plan.issue(stream, sideStream, capturing);
    }

    private PrefillOutput finish(List<SeqInput> seqs, int tokens, int size, boolean graph, CaptureKey ran) {
        lastGpuMs = timeGpu ? stop.elapsedMillisSince(start) : Float.NaN;
        lastSeqs = seqs.size();
        int[] first = new int[seqs.size()];
        for (int i = 0; i < first.length; i++) first[i] = hostOut.segment().getAtIndex(ValueLayout.JAVA_INT, i);
        return new PrefillOutput(first, tokens, size, graph, ran.batch());
    }

    /** The batch's metadata into the pinned host slice; its real attention tile count in the plan's tiles. */
    private int writeMeta(List<SeqInput> seqs, ForwardPlan plan) {
        return BatchMetadata.write(hostMeta.segment(), buffers.meta(), config, seqs, config.model().group(), plan.lowered.key().tileRows());
    }

    private ForwardPlan plan(int size) {
        ForwardPlan p = kind(CaptureKey.Batch.PLAIN).plans.get(size);
        if (p == null) throw new IllegalArgumentException("no plan for size " + size);
        return p;
    }

    private int requireBucket(int tokens) {
        return bucketFor(tokens).orElseThrow(() -> new IllegalArgumentException(
                tokens + " tokens exceed the largest capture size " + config.maxTokens() + ": chunk the batch"));
    }

    private static int tokens(List<SeqInput> seqs) {
        int t = 0;
        for (SeqInput s : seqs) t += s.tokens().length;
        return t;
    }

    /** Frees graphs, buffers, weights, cuBLASLt matmuls, events, streams and kernels; safe to call twice. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        RuntimeException first = null;
        try {
            catchUp();  // a spun forward may still be running: free nothing under it
        } catch (RuntimeException e) {
            first = e;
        }
        // graphs before the plans and buffers they launch; each in kind order PLAIN, DECODE, FRESH
        List<AutoCloseable> owners = new ArrayList<>();
        for (BatchGraphs k : kinds.values()) owners.addAll(k.graphs.values());
        owners.add(profiler);
        owners.add(hostOut);
        owners.add(hostMeta);
        owners.addAll(matmuls.values());
        for (BatchGraphs k : kinds.values()) owners.addAll(k.plans.values());
        owners.addAll(profilePlans.values());
        owners.add(buffers);
        owners.add(weights);
        owners.add(stop);
        owners.add(start);
        owners.add(sideStream);
        owners.add(stream);
        owners.add(library);
        owners.add(l2);  // last: the device-wide limit goes back once nothing of this engine runs
        for (AutoCloseable c : owners) {
            if (c == null) continue;
            try {
                c.close();
            } catch (Exception e) {
                if (first == null) first = e instanceof RuntimeException re ? re : new RuntimeException(e);
            }
        }
        for (BatchGraphs k : kinds.values()) {
            k.graphs.clear();
            k.plans.clear();
        }
        matmuls.clear();
        profilePlans.clear();
        arena.close();
        if (first != null) throw first;
    }
}
