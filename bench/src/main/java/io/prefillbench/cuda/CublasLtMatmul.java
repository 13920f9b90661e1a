package io.prefillbench.cuda;

import io.prefillbench.BenchException;
import io.prefillbench.bindings.cublaslt.Cublaslt;
import io.prefillbench.bindings.cublaslt.cublasLtMatmulAlgo_t;
import io.prefillbench.bindings.cublaslt.cublasLtMatmulHeuristicResult_t;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One cuBLASLt matmul with its algorithm pinned: bf16 {@code C[m, n] = A[m, k] · W[n, k]^T}, row-major
 * (W is a weight in [out, in] layout), fp32 accumulate and fp32 scale, for one fixed {@code m} (a capture
 * bucket). Owns its cuBLASLt handle, the operation and matrix-layout descriptors, the pinned algorithm and
 * the workspace that algorithm needs.
 *
 * <p>The algorithm (id, tile, stages, split-K, reduction scheme, swizzle, custom option, inner and cluster
 * shape) is chosen once at construction — the heuristic's first pick, or a given {@link Algo} — and never
 * again. With the shape fixed too, every {@link #matmul} is the very same cuBLASLt call with the same
 * workspace, so eager runs and graph replays launch the same kernels with the same parameters and give
 * the same bits. ({@code cublasGemmEx} may choose its algorithm per call and per stream state.)
 * {@link #describeAlgo()} names the pinned configuration; {@link Algo#parse} turns it back into an
 * {@link Algo} to pin the same configuration in a later run (same GPU and cuBLASLt version).
 *
 * <p>Row-major to column-major: cuBLASLt sees {@code C^T[n, m] = W[n, k] · A^T[k, m]}, i.e. its A operand
 * is W stored column-major as [k, n] with {@code op = T}, its B operand is A stored as [k, m], and C/D are
 * [n, m] with leading dimension n.
 */
public final class CublasLtMatmul implements AutoCloseable {
    /** Most workspace the heuristic may ask for; the instance allocates only what its algorithm needs. */
    public static final long MAX_WORKSPACE_BYTES = 32L << 20;
    /**
     * Pointer alignment the heuristic may assume. Tensors are slices of one allocation, so 256-byte
     * alignment (cuBLASLt's default assumption) is not guaranteed; 16 bytes is (every row of bf16 with
     * k % 8 == 0). {@link #matmul} checks each pointer against what the pinned algorithm requires.
     */
    public static final int PREFERRED_ALIGNMENT_BYTES = 16;

    /**
     * A cuBLASLt algorithm configuration (cublasLtMatmulAlgoConfigAttributes_t). Values are cuBLASLt's
     * enum numbers (tile: cublasLtMatmulTile_t, stages: cublasLtMatmulStages_t, ...).
     */
    public record Algo(int id, int tile, int stages, int splitK, int reductionScheme, int swizzle,
                       int customOption, int innerShape, int clusterShape) {

        /** Stable text, e.g. {@code id=66 tile=20 stages=35 splitK=1 reduction=0 swizzle=0 custom=0 inner=0 cluster=0}. */
        public String describe() {
            return "id=" + id + " tile=" + tile + " stages=" + stages + " splitK=" + splitK + " reduction=" + reductionScheme
                    + " swizzle=" + swizzle + " custom=" + customOption + " inner=" + innerShape + " cluster=" + clusterShape;
        }

        /** The inverse of {@link #describe()}; every key must be present exactly once. */
        public static Algo parse(String text) {
            Map<String, Integer> v = new LinkedHashMap<>();
            for (String part : text.trim().split("\\s+")) {
                int eq = part.indexOf('=');
                if (eq <= 0) throw new IllegalArgumentException("cuBLASLt algo '" + text + "': expected key=value, got '" + part + "'");
                String key = part.substring(0, eq);
                try {
                    if (v.put(key, Integer.parseInt(part.substring(eq + 1))) != null) {
                        throw new IllegalArgumentException("cuBLASLt algo '" + text + "': " + key + " given twice");
                    }
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("cuBLASLt algo '" + text + "': " + key + " is not an integer", e);
                }
            }
            String[] keys = {"id", "tile", "stages", "splitK", "reduction", "swizzle", "custom", "inner", "cluster"};
            for (String k : keys) {
                if (!v.containsKey(k)) {
                    throw new IllegalArgumentException("cuBLASLt algo '" + text + "': missing " + k
                            + " (expected the form of describeAlgo(): " + String.join("=.. ", keys) + "=..)");
                }
            }
            if (v.size() != keys.length) {
                v.keySet().removeAll(java.util.List.of(keys));
                throw new IllegalArgumentException("cuBLASLt algo '" + text + "': unknown keys " + v.keySet());
            }
            return new Algo(v.get("id"), v.get("tile"), v.get("stages"), v.get("splitK"), v.get("reduction"),
                    v.get("swizzle"), v.get("custom"), v.get("inner"), v.get("cluster"));
        }
    }

    private final int m;
    private final int n;
    private final int k;
    private final String callName;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment alphaOne;
    private final MemorySegment betaZero;
    private final MemorySegment algoSeg;
    private MemorySegment handle;
    private MemorySegment desc;
    private MemorySegment wLayout;
    private MemorySegment aLayout;
    private MemorySegment cLayout;
    private DeviceBuffer workspace;
    private long workspaceBytes;
    private Algo algo;
    private int requiredAlignment;
    private boolean closed;

    private CublasLtMatmul(int m, int n, int k) {
        if (m <= 0 || n <= 0 || k <= 0) throw new IllegalArgumentException("cuBLASLt matmul needs positive m, n, k, got " + m + ", " + n + ", " + k);
        this.m = m;
        this.n = n;
        this.k = k;
        this.callName = "cublasLtMatmul(bf16 m=" + m + " n=" + n + " k=" + k + ")";
        this.alphaOne = arena.allocateFrom(ValueLayout.JAVA_FLOAT, 1.0f);
        this.betaZero = arena.allocateFrom(ValueLayout.JAVA_FLOAT, 0.0f);
        this.algoSeg = cublasLtMatmulAlgo_t.allocate(arena);
    }

    /** Pins the heuristic's first algorithm for this shape on the current device. */
    public static CublasLtMatmul create(int m, int n, int k) {
        return create(m, n, k, null);
    }

    /**
     * Pins {@code algo} (for instance {@code Algo.parse(other.describeAlgo())}), or the heuristic's first
     * pick when it is null. A configuration this GPU or shape does not support is refused here, not at
     * the first matmul.
     */
    public static CublasLtMatmul create(int m, int n, int k, Algo algo) {
        Cuda.init();
        NativeLibraries.load(NativeLibraries.Lib.CUBLAS); // CublasHandle.check names status codes through it
        NativeLibraries.load(NativeLibraries.Lib.CUBLASLT);
        version();
        CublasLtMatmul mm = new CublasLtMatmul(m, n, k);
        try {
            mm.build(algo);
            return mm;
        } catch (RuntimeException e) {
            mm.close();
            throw e;
        }
    }

    /** cuBLASLt version as "major.minor.patch"; refuses a major version other than 13. */
    public static String version() {
        NativeLibraries.load(NativeLibraries.Lib.CUBLASLT);
        long v = Cublaslt.cublasLtGetVersion(); // major * 10000 + minor * 100 + patch
        long major = v / 10000, minor = v / 100 % 100, patch = v % 100;
        if (major != 13) {
            throw new BenchException("cuBLASLt " + major + "." + minor + " loaded, but the bindings follow cuBLASLt 13: install the CUDA 13 cuBLAS or set -Dprefillbench.cublaslt");
        }
        return major + "." + minor + "." + patch;
    }

    private void build(Algo given) {
        int bf16 = Cublaslt.CUDA_R_16BF(), f32 = Cublaslt.CUDA_R_32F(), compute = Cublaslt.CUBLAS_COMPUTE_32F();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ValueLayout.ADDRESS);
            check(Cublaslt.cublasLtCreate(out), "cublasLtCreate");
            handle = out.get(ValueLayout.ADDRESS, 0);
            check(Cublaslt.cublasLtMatmulDescCreate(out, compute, f32), "cublasLtMatmulDescCreate");
            desc = out.get(ValueLayout.ADDRESS, 0);
            MemorySegment i32 = a.allocate(ValueLayout.JAVA_INT);
            i32.set(ValueLayout.JAVA_INT, 0, Cublaslt.CUBLAS_OP_T());
            check(Cublaslt.cublasLtMatmulDescSetAttribute(desc, Cublaslt.CUBLASLT_MATMUL_DESC_TRANSA(), i32, 4), "cublasLtMatmulDescSetAttribute(TRANSA)");
            i32.set(ValueLayout.JAVA_INT, 0, Cublaslt.CUBLAS_OP_N());
            check(Cublaslt.cublasLtMatmulDescSetAttribute(desc, Cublaslt.CUBLASLT_MATMUL_DESC_TRANSB(), i32, 4), "cublasLtMatmulDescSetAttribute(TRANSB)");
            check(Cublaslt.cublasLtMatrixLayoutCreate(out, bf16, k, n, k), "cublasLtMatrixLayoutCreate(W)");
            wLayout = out.get(ValueLayout.ADDRESS, 0);
            check(Cublaslt.cublasLtMatrixLayoutCreate(out, bf16, k, m, k), "cublasLtMatrixLayoutCreate(A)");
            aLayout = out.get(ValueLayout.ADDRESS, 0);
            check(Cublaslt.cublasLtMatrixLayoutCreate(out, bf16, n, m, n), "cublasLtMatrixLayoutCreate(C)");
            cLayout = out.get(ValueLayout.ADDRESS, 0);

            MemorySegment result = cublasLtMatmulHeuristicResult_t.allocate(a);
            if (given == null) {
                pickByHeuristic(a, result);
            } else {
                check(Cublaslt.cublasLtMatmulAlgoInit(handle, compute, f32, bf16, bf16, bf16, bf16, given.id(), algoSeg),
                        "cublasLtMatmulAlgoInit(id=" + given.id() + ")");
                setConfig(a, Cublaslt.CUBLASLT_ALGO_CONFIG_TILE_ID(), 4, given.tile());
                setConfig(a, Cublaslt.CUBLASLT_ALGO_CONFIG_STAGES_ID(), 4, given.stages());
                setConfig(a, Cublaslt.CUBLASLT_ALGO_CONFIG_SPLITK_NUM(), 4, given.splitK());
                setConfig(a, Cublaslt.CUBLASLT_ALGO_CONFIG_REDUCTION_SCHEME(), 4, given.reductionScheme());
                setConfig(a, Cublaslt.CUBLASLT_ALGO_CONFIG_CTA_SWIZZLING(), 4, given.swizzle());
                setConfig(a, Cublaslt.CUBLASLT_ALGO_CONFIG_CUSTOM_OPTION(), 4, given.customOption());
                if (given.innerShape() != 0) setConfig(a, Cublaslt.CUBLASLT_ALGO_CONFIG_INNER_SHAPE_ID(), 2, given.innerShape());
                if (given.clusterShape() != 0) setConfig(a, Cublaslt.CUBLASLT_ALGO_CONFIG_CLUSTER_SHAPE_ID(), 2, given.clusterShape());
                int rc = Cublaslt.cublasLtMatmulAlgoCheck(handle, desc, wLayout, aLayout, cLayout, cLayout, algoSeg, result);
                if (rc != Cublaslt.CUBLAS_STATUS_SUCCESS()) {
                    throw new BenchException("cuBLASLt algo '" + given.describe() + "' cannot run bf16 m=" + m + " n=" + n + " k=" + k
                            + " on this GPU (cublasLtMatmulAlgoCheck: " + statusName(rc) + "): pin the describeAlgo() of an instance"
                            + " created without an algo on this GPU and cuBLASLt version, or leave the algo unset");
                }
            }
            workspaceBytes = cublasLtMatmulHeuristicResult_t.workspaceSize(result);
            algo = readConfig(a);
            requiredAlignment = Math.max(Math.max(cap(a, Cublaslt.CUBLASLT_ALGO_CAP_MIN_ALIGNMENT_A_BYTES()), cap(a, Cublaslt.CUBLASLT_ALGO_CAP_MIN_ALIGNMENT_B_BYTES())),
                    Math.max(cap(a, Cublaslt.CUBLASLT_ALGO_CAP_MIN_ALIGNMENT_C_BYTES()), cap(a, Cublaslt.CUBLASLT_ALGO_CAP_MIN_ALIGNMENT_D_BYTES())));
            requiredAlignment = Math.max(requiredAlignment, 1);
        }
        if (workspaceBytes > 0) {
            workspace = DeviceBuffer.allocate("cuBLASLt workspace (m=" + m + " n=" + n + " k=" + k + ")", workspaceBytes);
        }
    }

    private void pickByHeuristic(Arena a, MemorySegment result) {
        heuristic(a, result, 1);
        MemorySegment.copy(cublasLtMatmulHeuristicResult_t.algo(result), 0, algoSeg, 0, cublasLtMatmulAlgo_t.sizeof());
    }

    /**
     * The heuristic's first {@code count} algorithms for this shape on this device, best guess first (the first is
     * what {@link #create(int, int, int)} pins), each in the form {@link #create(int, int, int, Algo)} takes.
     */
    public List<Algo> heuristicCandidates(int count) {
        if (count < 1) throw new IllegalArgumentException("candidates: count must be >= 1, got " + count);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment results = a.allocate(cublasLtMatmulHeuristicResult_t.layout(), count);
            int returned = heuristic(a, results, count);
            MemorySegment seg = cublasLtMatmulAlgo_t.allocate(a);
            List<Algo> out = new ArrayList<>();
            for (int i = 0; i < returned; i++) {
                MemorySegment r = cublasLtMatmulHeuristicResult_t.asSlice(results, i);
                if (cublasLtMatmulHeuristicResult_t.state(r) != Cublaslt.CUBLAS_STATUS_SUCCESS()) continue;
                MemorySegment.copy(cublasLtMatmulHeuristicResult_t.algo(r), 0, seg, 0, cublasLtMatmulAlgo_t.sizeof());
                out.add(readConfig(a, seg));
            }
            return out;
        }
    }

    /** Asks the heuristic for up to {@code count} results into {@code results}; returns how many it gave (>= 1). */
    private int heuristic(Arena a, MemorySegment results, int count) {
        MemorySegment out = a.allocate(ValueLayout.ADDRESS);
        check(Cublaslt.cublasLtMatmulPreferenceCreate(out), "cublasLtMatmulPreferenceCreate");
        MemorySegment pref = out.get(ValueLayout.ADDRESS, 0);
        try {
            MemorySegment u64 = a.allocateFrom(ValueLayout.JAVA_LONG, MAX_WORKSPACE_BYTES);
            check(Cublaslt.cublasLtMatmulPreferenceSetAttribute(pref, Cublaslt.CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES(), u64, 8),
                    "cublasLtMatmulPreferenceSetAttribute(MAX_WORKSPACE_BYTES)");
            MemorySegment u32 = a.allocateFrom(ValueLayout.JAVA_INT, PREFERRED_ALIGNMENT_BYTES);
            for (int attr : new int[] {Cublaslt.CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_A_BYTES(), Cublaslt.CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_B_BYTES(),
                    Cublaslt.CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_C_BYTES(), Cublaslt.CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_D_BYTES()}) {
                check(Cublaslt.cublasLtMatmulPreferenceSetAttribute(pref, attr, u32, 4), "cublasLtMatmulPreferenceSetAttribute(MIN_ALIGNMENT)");
            }
            MemorySegment returned = a.allocate(ValueLayout.JAVA_INT);
            check(Cublaslt.cublasLtMatmulAlgoGetHeuristic(handle, desc, wLayout, aLayout, cLayout, cLayout, pref, count, results, returned),
                    "cublasLtMatmulAlgoGetHeuristic(bf16 m=" + m + " n=" + n + " k=" + k + ")");
            if (returned.get(ValueLayout.JAVA_INT, 0) < 1 || cublasLtMatmulHeuristicResult_t.state(results) != Cublaslt.CUBLAS_STATUS_SUCCESS()) {
                throw new BenchException("cuBLASLt has no algorithm for bf16 m=" + m + " n=" + n + " k=" + k + " with "
                        + PREFERRED_ALIGNMENT_BYTES + "-byte aligned pointers and at most " + MAX_WORKSPACE_BYTES + " bytes of workspace:"
                        + " use k and n that are multiples of 8");
            }
            return returned.get(ValueLayout.JAVA_INT, 0);
        } finally {
            check(Cublaslt.cublasLtMatmulPreferenceDestroy(pref), "cublasLtMatmulPreferenceDestroy");
        }
    }

    private void setConfig(Arena a, int attr, int bytes, int value) {
        MemorySegment buf = a.allocate(4);
        if (bytes == 2) buf.set(ValueLayout.JAVA_SHORT, 0, (short) value);
        else buf.set(ValueLayout.JAVA_INT, 0, value);
        check(Cublaslt.cublasLtMatmulAlgoConfigSetAttribute(algoSeg, attr, buf, bytes), "cublasLtMatmulAlgoConfigSetAttribute(" + attr + "=" + value + ")");
    }

    private int getConfig(Arena a, MemorySegment seg, int attr, int bytes) {
        MemorySegment buf = a.allocate(4);
        MemorySegment written = a.allocate(ValueLayout.JAVA_LONG);
        check(Cublaslt.cublasLtMatmulAlgoConfigGetAttribute(seg, attr, buf, bytes, written), "cublasLtMatmulAlgoConfigGetAttribute(" + attr + ")");
        return bytes == 2 ? Short.toUnsignedInt(buf.get(ValueLayout.JAVA_SHORT, 0)) : buf.get(ValueLayout.JAVA_INT, 0);
    }

    private int cap(Arena a, int attr) {
        MemorySegment buf = a.allocate(ValueLayout.JAVA_INT);
        MemorySegment written = a.allocate(ValueLayout.JAVA_LONG);
        check(Cublaslt.cublasLtMatmulAlgoCapGetAttribute(algoSeg, attr, buf, 4, written), "cublasLtMatmulAlgoCapGetAttribute(" + attr + ")");
        return buf.get(ValueLayout.JAVA_INT, 0);
    }

    private Algo readConfig(Arena a) {
        return readConfig(a, algoSeg);
    }

    private Algo readConfig(Arena a, MemorySegment seg) {
        return new Algo(getConfig(a, seg, Cublaslt.CUBLASLT_ALGO_CONFIG_ID(), 4), getConfig(a, seg, Cublaslt.CUBLASLT_ALGO_CONFIG_TILE_ID(), 4),
                getConfig(a, seg, Cublaslt.CUBLASLT_ALGO_CONFIG_STAGES_ID(), 4), getConfig(a, seg, Cublaslt.CUBLASLT_ALGO_CONFIG_SPLITK_NUM(), 4),
                getConfig(a, seg, Cublaslt.CUBLASLT_ALGO_CONFIG_REDUCTION_SCHEME(), 4), getConfig(a, seg, Cublaslt.CUBLASLT_ALGO_CONFIG_CTA_SWIZZLING(), 4),
                getConfig(a, seg, Cublaslt.CUBLASLT_ALGO_CONFIG_CUSTOM_OPTION(), 4), getConfig(a, seg, Cublaslt.CUBLASLT_ALGO_CONFIG_INNER_SHAPE_ID(), 2),
                getConfig(a, seg, Cublaslt.CUBLASLT_ALGO_CONFIG_CLUSTER_SHAPE_ID(), 2));
    }

    /**
     * Queues {@code c = a · w^T} on {@code stream} (device pointers: a [m, k], w [n, k], c [m, n], bf16,
     * row-major). Captured into a graph like any stream work; allocates nothing.
     */
    public void matmul(CudaStream stream, MemorySegment a, MemorySegment w, MemorySegment c) {
        if (closed) throw new IllegalStateException("cuBLASLt matmul (m=" + m + " n=" + n + " k=" + k + ") is closed");
        aligned("A", a);
        aligned("W", w);
        aligned("C", c);
        check(Cublaslt.cublasLtMatmul(handle, desc, alphaOne, w, wLayout, a, aLayout, betaZero, c, cLayout, c, cLayout, algoSeg,
                workspace == null ? MemorySegment.NULL : workspace.address(), workspaceBytes, stream.handle()), callName);
    }

    private void aligned(String what, MemorySegment p) {
        if (p.address() % requiredAlignment != 0) {
            throw new IllegalArgumentException(callName + ": " + what + " at 0x" + Long.toHexString(p.address()) + " is not "
                    + requiredAlignment + "-byte aligned, which cuBLASLt algo '" + algo.describe() + "' needs: align the tensor's offset");
        }
    }

    /** The pinned configuration, in the form {@link Algo#parse} reads. */
    public String describeAlgo() {
        return algo.describe();
    }

    public Algo algo() {
        return algo;
    }

    /** Bytes of the owned workspace (what the pinned algorithm needs for this shape; 0 when none). */
    public long workspaceBytes() {
        return workspaceBytes;
    }

    /** Pointer alignment the pinned algorithm requires of A, W and C. */
    public int requiredAlignment() {
        return requiredAlignment;
    }

    public int m() {
        return m;
    }

    public int n() {
        return n;
    }

    public int k() {
        return k;
    }

    private static String statusName(int status) {
        return Cublaslt.cublasLtGetStatusName(status).reinterpret(256).getString(0) + " (" + status + ")";
    }

    /** cuBLASLt returns cublasStatus_t: the one cuBLAS checked-call helper reports it. */
    private static void check(int status, String call) {
        CublasHandle.check(status, call);
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        // destroy everything even if one destroy fails; report the first failure
        RuntimeException first = null;
        for (Runnable r : new Runnable[] {
                () -> { if (cLayout != null) check(Cublaslt.cublasLtMatrixLayoutDestroy(cLayout), "cublasLtMatrixLayoutDestroy(C)"); },
                () -> { if (aLayout != null) check(Cublaslt.cublasLtMatrixLayoutDestroy(aLayout), "cublasLtMatrixLayoutDestroy(A)"); },
                () -> { if (wLayout != null) check(Cublaslt.cublasLtMatrixLayoutDestroy(wLayout), "cublasLtMatrixLayoutDestroy(W)"); },
                () -> { if (desc != null) check(Cublaslt.cublasLtMatmulDescDestroy(desc), "cublasLtMatmulDescDestroy"); },
                () -> { if (handle != null) check(Cublaslt.cublasLtDestroy(handle), "cublasLtDestroy"); },
                () -> { if (workspace != null) workspace.close(); },
                arena::close}) {
            try {
                r.run();
            } catch (RuntimeException e) {
                if (first == null) first = e;
            }
        }
        cLayout = aLayout = wLayout = desc = handle = null;
        workspace = null;
        if (first != null) throw first;
    }
}
