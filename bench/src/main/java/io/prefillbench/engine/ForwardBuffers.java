package io.prefillbench.engine;

import io.prefillbench.cuda.DeviceBuffer;
import io.prefillbench.forward.BufferLayout;
import io.prefillbench.forward.ForwardProgram;
import io.prefillbench.forward.KernelConstants;
import io.prefillbench.forward.MetaLayout;
import io.prefillbench.model.ModelConfig;
import io.prefillbench.model.RopeTable;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Owns the one allocation of the {@link BufferLayout} (batch metadata, RoPE table, activations,
 * split-K workspaces: what the lowered plans need, shared by every graph, stable addresses) and the
 * paged KV cache. Nothing else lists buffers.
 */
public final class ForwardBuffers implements AutoCloseable {
    final EngineConfig config;
    final BufferLayout layout;
    final DeviceBuffer buffer;
    final DeviceBuffer kvCache;
    final int pagesPerSeq;
    final long kvLayerBytes; // bytes of K (or V) of one layer in kvCache
    final long kvSlots; // key slots (rows of kv_heads * head_dim) of one layer's K (or V): every page of every sequence

    ForwardBuffers(EngineConfig config, BufferLayout layout) {
        this.config = config;
        this.layout = layout;
        ModelConfig m = config.model();
        this.pagesPerSeq = config.pagesPerSeq();
        this.kvSlots = (long) config.maxNumSeqs() * pagesPerSeq * KernelConstants.PAGE_SIZE;
        this.kvLayerBytes = 2L * kvSlots * m.kvHeads() * m.headDim();
        buffer = DeviceBuffer.allocate("forward buffers", layout.totalBytes());
        DeviceBuffer kv = null;
        try {
            kv = DeviceBuffer.allocate("kv cache", 2L * m.layers() * kvLayerBytes);
            // Defined contents from the start: fixed-size copies (metadata in, first tokens out) and
            // capacity-sized graphs never read uninitialized memory (compute-sanitizer initcheck). The only
            // zeroing the split-K tile counters and the grid barrier get: their kernels keep them consistent.
            buffer.fill(0);
            kv.fill(0);
        } catch (RuntimeException e) {
            if (kv != null) kv.close();
            buffer.close();
            throw e;
        }
        kvCache = kv;
        try {
            uploadRope();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private void uploadRope() {
        ModelConfig m = config.model();
        float[] table = RopeTable.of(m.ropeTheta(), m.headDim(), config.maxModelLen()).flat();
        try (Arena a = Arena.ofConfined()) {
            buffer.copyFromHost(a.allocateFrom(ValueLayout.JAVA_FLOAT, table), layout.offset(ForwardProgram.ROPE), 4L * table.length);
        }
    }

    MetaLayout meta() {
        return layout.meta();
    }

    /** Device address of a logical tensor: a layout slice, a metadata field, or a layer's K/V cache. */
    MemorySegment tensor(String name) {
        if (name.startsWith("k_cache.")) return kvCache.at(2L * Integer.parseInt(name.substring(8)) * kvLayerBytes);
        if (name.startsWith("v_cache.")) return kvCache.at((2L * Integer.parseInt(name.substring(8)) + 1) * kvLayerBytes);
        return buffer.at(layout.offset(name));
    }

    /** Bytes of the one allocation from a layout slice's address to its end (0 for a KV cache or an unknown name). */
    long bytesFrom(String name) {
        if (name == null || !layout.has(name)) return 0;
        return layout.totalBytes() - layout.offset(name);
    }

    /** Fills every activation slice (all but the metadata and the RoPE table) and the KV cache with a byte. */
    void poison(int value) {
        buffer.fillRange(layout.activationStart(), layout.totalBytes() - layout.activationStart(), value);
        kvCache.fill(value);
    }

    /** Bytes of the forward buffers, KV cache included. */
    public long bytes() {
        return buffer.bytes() + (kvCache == null ? 0 : kvCache.bytes());
    }

    @Override
    public void close() {
        try {
            if (kvCache != null) kvCache.close();
        } finally {
            buffer.close();
        }
    }
}
