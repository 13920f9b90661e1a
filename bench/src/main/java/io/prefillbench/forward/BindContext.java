package io.prefillbench.forward;

import io.prefillbench.cuda.CublasLtMatmul;
import io.prefillbench.cuda.Kernel;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** What a binder may ask the engine for: addresses from the one buffer layout, weights, kernels. */
public interface BindContext {
    /** Arena that keeps parameter structs alive as long as the engine. */
    Arena arena();

    /** The L1 / shared memory split (percent) this plan's kernel launches ask for; -1: none (the driver picks per kernel). */
    default int smemCarveout() {
        return -1;
    }

    /**
     * Bytes of the device's L2 this engine holds aside for persisting accesses (EngineOptions.l2PersistBytes); 0: none,
     * and no launch carries an access-policy window ({@link KernelIssuable#persistingWindow}).
     */
    default long l2SetAside() {
        return 0;
    }

    /** Device address of a logical tensor: a layout slice, a metadata field, the RoPE table or a KV cache. */
    MemorySegment tensor(String name);

    /**
     * Bytes of the engine's one activation allocation from tensor {@code name}'s address to its end: how far a kernel may
     * read past the tensor's own slice without leaving the allocation (the TMA GEMMs' last row tile, see
     * ImplRegistry#tmaRows). 0 where unknown: nothing past the slice is read.
     */
    default long bytesFrom(String name) {
        return 0;
    }

    /**
     * The pinned host copy of the batch metadata through its device mapping: build_tile_map copies {@link
     * #hostMetadataInts} int32s from it into the device slice before it builds the map, so a forward issues no
     * host-to-device copy. {@code MemorySegment.NULL} where the metadata reaches the device otherwise (nothing copied).
     */
    default MemorySegment hostMetadata() {
        return MemorySegment.NULL;
    }

    /** Int32s of {@link #hostMetadata}. */
    default int hostMetadataInts() {
        return 0;
    }

    /**
     * Where the forward's last kernel writes {@code tensor} (the first tokens): the pinned host buffer's device mapping,
     * so a forward issues no device-to-host copy; the device tensor where there is none.
     */
    default MemorySegment hostOutput(String tensor) {
        return tensor(tensor);
    }

    MemorySegment weight(String name);

    /** Bytes of a weight tensor. */
    long weightBytes(String name);
    /** Where the weight rows sit on the device (the plans' {@link LoweredForward#weightLayout()}). */
    WeightLayout weightLayout();

    Kernel kernel(String name);

    ForwardProgram.Dims dims();

    CaptureKey key();

    int maxModelLen();

    int pagesPerSeq();

    /**
     * Rows (key slots) of one layer's K cache, every page of it: what a tensor map over the cache covers
     * (attention_prefill_wg_early_tma). 0 where unknown: such a form refuses to bind.
     */
    default long kvCacheRows() {
        return 0;
    }

    /** Streaming multiprocessors of the device (a kernel whose blocks must all be resident checks it). */
    int multiprocessors();

    /**
     * Thread-block clusters of {@code size} blocks of {@code impl}'s kernel (its block and shared memory) the device
     * holds at once; 0 where it has none (before sm_90).
     */
    int maxActiveClusters(Impl impl, int size);

    /** Programmatic dependent launch is on for this engine (sm_90+, not disabled). */
    boolean pdl();

    /**
     * A cuBLASLt matmul for bf16 {@code [m, k] x [n, k]^T} with its algorithm pinned now ({@code algo}
     * in the form of {@link CublasLtMatmul#describeAlgo()}, or null for the heuristic's first pick),
     * owned and closed by the engine; one instance per (m, n, k, algo).
     */
    CublasLtMatmul cublasLt(int m, int n, int k, String algo);
}
