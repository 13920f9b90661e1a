package io.prefillbench.engine;

import io.prefillbench.BenchException;
import io.prefillbench.model.ModelConfig;
import io.prefillbench.plan.CaptureSizes;

/**
 * What an engine is opened with.
 *
 * @param model       the model shape (weights are random bf16 from {@code seed})
 * @param sizes       capture sizes: the token-count buckets, also used by eager runs to pick GEMM tiling
 * @param maxNumSeqs  most sequences in one forward (graphs are captured for min(size, maxNumSeqs))
 * @param maxModelLen longest sequence (prefix + query) the KV cache and RoPE table hold
 * @param seed        weight seed
 */
public record EngineConfig(ModelConfig model, CaptureSizes sizes, int maxNumSeqs, int maxModelLen, int seed) {
    public EngineConfig {
        model.validate();
        if (maxNumSeqs < 1 || maxNumSeqs > 1024) throw new BenchException("--max-num-seqs must be in 1..1024, got " + maxNumSeqs);
        if (maxModelLen < 1 || maxModelLen > model.maxPositions())
            throw new BenchException("--max-model-len must be in 1.." + model.maxPositions() + " for " + model.name() + ", got " + maxModelLen);
    }

    public int maxTokens() {
        return sizes.largest();
    }

    public int pagesPerSeq() {
        return (maxModelLen + io.prefillbench.forward.KernelConstants.PAGE_SIZE - 1) / io.prefillbench.forward.KernelConstants.PAGE_SIZE;
    }

    /** Sequences a graph of this size serves: a batch of T tokens has at most T sequences. */
    public int seqCapacity(int size) {
        return Math.min(size, maxNumSeqs);
    }
}
