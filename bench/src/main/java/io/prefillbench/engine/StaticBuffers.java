package io.prefillbench.engine;

import io.prefillbench.cuda.DeviceBuffer;
import io.prefillbench.model.ModelConfig;
import io.prefillbench.model.RopeTable;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

/**
 * Owns every buffer a forward reads or writes besides the weights, sized for the largest capture
 * size and shared by all graphs (memory grows by graph objects only): the batch metadata written by
 * one host-to-device copy, the attention tile map, the activations, the split-K workspace, the
 * paged KV cache and the RoPE table.
 */
public final class StaticBuffers implements AutoCloseable {
    final EngineConfig config;
    final SliceLayout layout = new SliceLayout();
    final DeviceBuffer buffer;
    final DeviceBuffer kvCache;

    // Batch metadata (int32), contiguous so one copy writes it. Order matches BatchMetadata.
    final long metaOffset;
    final long metaBytes;
    final int maxTokens;
    final int maxSeqs;
    final int maxTiles;
    final int pagesPerSeq;

    final long numTokens, numSeqs, queryStart, kvLens, tokenIds, positions, slotMapping, blockTables; // in meta
    final long numBlocks, batchIds, tileIds;            // tile map, written by build_tile_map
    final long residual;    // [tokens, hidden] bf16
    final long hidden;      // [tokens, hidden] bf16, normed
    final long qkv;         // [tokens, qkvDim] bf16
    final long attnOut;     // [tokens, attnDim] bf16
    final long branchOut;   // [tokens, hidden] bf16 (o-proj and down-proj outputs)
    final long gateUp;      // [tokens, 2*ffn] bf16
    final long act;         // [tokens, ffn] bf16
    final long lastHidden;  // [seqs, hidden] bf16
    final long logits;      // [seqs, vocab] bf16
    final long outTokens;   // [seqs] int32
    final long partial;     // [splits, rows, n] fp32 split-K workspace
    final long ropeTable;   // [maxModelLen, headDim] fp32
    final long kvLayerBytes; // bytes of K (or V) of one layer in kvCache

    StaticBuffers(EngineConfig config, int maxTiles, long partialFloats) {
        this.config = config;
        ModelConfig m = config.model();
        this.maxTokens = config.maxTokens();
        this.maxSeqs = config.seqCapacity(maxTokens);
        this.maxTiles = Math.max(1, maxTiles);
        this.pagesPerSeq = config.pagesPerSeq();
        int T = maxTokens, S = maxSeqs;

        // metadata: ints, laid out back to back inside one slice
        long ints = 0;
        numTokens = ints++;
        numSeqs = ints++;
        queryStart = ints; ints += S + 1;
        kvLens = ints; ints += S;
        tokenIds = ints; ints += T;
        positions = ints; ints += T;
        slotMapping = ints; ints += T;
        blockTables = ints; ints += (long) S * pagesPerSeq;
        metaBytes = ints * 4;
        metaOffset = layout.add("batch metadata (int32)", metaBytes);

        numBlocks = layout.add("tile map: num_blocks", 4);
        batchIds = layout.add("tile map: batch_ids [tiles]", 4L * this.maxTiles);
        tileIds = layout.add("tile map: tile_ids [tiles]", 4L * this.maxTiles);
        residual = layout.add("residual [tokens, hidden]", 2L * T * m.hidden());
        hidden = layout.add("normed hidden [tokens, hidden]", 2L * T * m.hidden());
        qkv = layout.add("qkv [tokens, (q+2kv)*head_dim]", 2L * T * m.qkvDim());
        attnOut = layout.add("attention out [tokens, q*head_dim]", 2L * T * m.attnDim());
        branchOut = layout.add("o/down proj out [tokens, hidden]", 2L * T * m.hidden());
        gateUp = layout.add("gate_up [tokens, 2*ffn]", 2L * T * 2 * m.ffn());
        act = layout.add("silu*up [tokens, ffn]", 2L * T * m.ffn());
        lastHidden = layout.add("last-token hidden [seqs, hidden]", 2L * S * m.hidden());
        logits = layout.add("logits [seqs, vocab]", 2L * S * m.vocab());
        outTokens = layout.add("first tokens [seqs]", 4L * S);
        partial = layout.add("split-K fp32 workspace", 4L * Math.max(1, partialFloats));
        ropeTable = layout.add("rope cos/sin [max_model_len, head_dim] fp32", 4L * config.maxModelLen() * m.headDim());

        long slots = (long) config.maxNumSeqs() * pagesPerSeq * Layout.PAGE_SIZE;
        kvLayerBytes = 2L * slots * m.kvHeads() * m.headDim();
        buffer = DeviceBuffer.allocate("activations", layout.totalBytes());
        try {
            kvCache = DeviceBuffer.allocate("kv cache", 2L * m.layers() * kvLayerBytes);
            // Defined contents from the start: fixed-size copies (metadata in, first tokens out) and
            // capacity-sized graphs never read uninitialized memory (compute-sanitizer initcheck).
            buffer.fill(0);
            kvCache.fill(0);
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
            buffer.copyFromHost(a.allocateFrom(ValueLayout.JAVA_FLOAT, table), ropeTable, 4L * table.length);
        }
    }

    MemorySegment at(long offset) {
        return buffer.at(offset);
    }

    /** Address of int32 element {@code index} of the metadata slice. */
    MemorySegment meta(long index) {
        return buffer.at(metaOffset + 4 * index);
    }

    MemorySegment kCache(int layer) {
        return kvCache.at((2L * layer) * kvLayerBytes);
    }

    MemorySegment vCache(int layer) {
        return kvCache.at((2L * layer + 1) * kvLayerBytes);
    }

    /** Bytes of the static buffers, KV cache included. */
    public long bytes() {
        return buffer.bytes() + (kvCache == null ? 0 : kvCache.bytes());
    }

    public List<SliceLayout.Slice> slices() {
        return layout.slices();
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
